/**
 * How fast the chart of a patient with 2,000 resources is usable in the web app (issue 6): a real
 * `confide start` on the embedded database, a patient with 2,000 resources loaded as one transaction,
 * Debian's chromium signed in as a clinician; each round opens the chart from a blank page and waits until
 * the banner and the summary's panels are on screen (and, separately, the vitals charts).
 *
 *   npm run bench:web [-- --rounds 7]
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- FHIR JSON built and read by hand */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildWebApp, DEMO_PASSWORD, launchBrowser, startConfide } from '../e2e/support.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, user: { type: 'string', default: 'dokonkwo' } } });
const rounds = Number(values.rounds);
const CONFIDE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../apps/cli/bin/confide.js');

buildWebApp();
const server = await startConfide(4);
try {
  const token = execFileSync(process.execPath, [CONFIDE, 'token', '--user', values.user!, '--data', server.dataDir, '--public-url', server.url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const api = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${server.url}/fhir/R4/${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${(await r.text()).slice(0, 500)}`);
    return r.json() as Promise<any>;
  };
  const me = await api('GET', `PractitionerRole?practitioner.identifier=&_count=50`).catch(() => api('GET', 'PractitionerRole?_count=50'));
  const org = me.entry?.find((e: any) => e.resource.organization)?.resource.organization;
  const bundle = chartOf2000(org);
  const t0 = performance.now();
  const result = await api('POST', '', bundle);
  const patientId = /Patient\/([^/]+)/.exec(String(result.entry[0].response.location))![1];
  process.stderr.write(`loaded ${bundle.entry.length} resources in ${Math.round(performance.now() - t0)} ms\n`);

  const browser = await launchBrowser();
  const page = await browser.context.newPage();
  await page.goto(server.url + '/patients');
  await page.fill('#username', values.user!);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.getByRole('heading', { name: 'Patients' }).waitFor();
  const summary: number[] = [];
  const vitals: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // A fresh document each round (reload: the refresh token resumes the session, as a clinician's F5 would).
    await page.goto(server.url + '/patients?round=' + i);
    await page.getByRole('heading', { name: 'Patients' }).waitFor();
    const start = Date.now();
    await page.evaluate((href) => {
      window.history.pushState(null, '', href);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }, `/patients/${patientId}`);
    await page.getByRole('heading', { name: 'Upcoming appointments' }).waitFor().catch(async (e: unknown) => {
      await page.screenshot({ path: 'bench-web-chart-failure.png' });
      throw e;
    });
    await page.getByTestId('patient-banner').waitFor();
    summary.push(Date.now() - start);
    const v = Date.now();
    await page.getByRole('tab', { name: 'Vitals & labs' }).click();
    await page.getByRole('img', { name: /Heart rate: \d+ values/ }).waitFor();
    vitals.push(Date.now() - v);
  }
  await browser.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  process.stdout.write(
    JSON.stringify({ resources: bundle.entry.length, rounds, chartSummaryMs: { median: median(summary), all: summary }, vitalsTabMs: { median: median(vitals), all: vitals } }, null, 2) + '\n',
  );
} finally {
  await server.stop();
}

/** One patient with 2,000 resources: vitals and labs over ten years, visits, problems, medications, immunizations. */
function chartOf2000(org: unknown) {
  const entry: any[] = [];
  const add = (resource: any) => entry.push({ fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource, request: { method: 'POST', url: resource.resourceType } });
  add({ resourceType: 'Patient', name: [{ family: 'Thousands', given: ['Tess'] }], birthDate: '1961-03-02', gender: 'female', managingOrganization: org });
  const patient = { reference: entry[0].fullUrl };
  const day = (i: number) => new Date(Date.UTC(2016, 0, 1) + i * 86_400_000 * 1.8).toISOString();
  const vital = (code: string, display: string, value: number, unit: string, i: number) =>
    add({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code, display }] },
      subject: patient,
      effectiveDateTime: day(i),
      valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
    });
  for (let i = 0; i < 300; i++) {
    vital('8867-4', 'Heart rate', 60 + (i % 25), '/min', i);
    vital('29463-7', 'Body weight', 70 + (i % 10) / 2, 'kg', i);
    vital('8310-5', 'Body temperature', 36.5 + (i % 5) / 10, 'Cel', i);
    vital('9279-1', 'Respiratory rate', 14 + (i % 4), '/min', i);
  }
  for (let i = 0; i < 500; i++)
    add({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: ['4548-4', '2345-7', '2093-3', '2160-0', '2951-2'][i % 5], display: ['Hemoglobin A1c', 'Glucose', 'Cholesterol', 'Creatinine', 'Sodium'][i % 5] }] },
      subject: patient,
      effectiveDateTime: day(Math.floor(i / 5) * 3),
      valueQuantity: { value: [6.5, 110, 190, 0.9, 140][i % 5] + (i % 7) / 10, unit: ['%', 'mg/dL', 'mg/dL', 'mg/dL', 'mmol/L'][i % 5] },
    });
  for (let i = 0; i < 160; i++)
    add({ resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, type: [{ text: 'Office visit' }], subject: patient, period: { start: day(i * 6), end: day(i * 6) } });
  for (let i = 0; i < 50; i++)
    add({ resourceType: 'Condition', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: i % 3 ? 'resolved' : 'active' }] }, code: { text: `Problem ${i + 1}` }, subject: patient, onsetDateTime: day(i * 20) });
  for (let i = 0; i < 50; i++)
    add({ resourceType: 'MedicationRequest', status: i % 4 ? 'completed' : 'active', intent: 'order', medicationCodeableConcept: { text: `Medication ${i + 1}` }, subject: patient, authoredOn: day(i * 20).slice(0, 10) });
  for (let i = 0; i < 39; i++) add({ resourceType: 'Immunization', status: 'completed', vaccineCode: { text: `Vaccine ${i + 1}` }, patient, occurrenceDateTime: day(i * 15) });
  return { resourceType: 'Bundle', type: 'transaction', entry };
}
