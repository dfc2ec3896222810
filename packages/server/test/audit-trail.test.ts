import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScopes, type Actor } from '@confide/policy';
import { AuditLog, verifyAuditChain } from '@confide/store';
import { AuditRecorder } from '../src/audit/audit-recorder.ts';
import { createFhirRouter } from '../src/fhir/router.ts';
import type { AccessContext } from '../src/identity/access-context.ts';
import { startTestServer, type TestServer, putEntry } from './support/harness.ts';

/**
 * Every FHIR interaction of an authenticated caller lands in the hash-chained audit trail, names who, what
 * (references only), whose record and the outcome, never the content; an auditor reads the report through
 * FHIR search; a backend service's reads are disclosures listed per patient.
 */
let s: TestServer;
let log: AuditLog;
let fhir: ReturnType<typeof createFhirRouter>;
let recorder: AuditRecorder;

const clinician: AccessContext = {
  via: 'token',
  actor: { kind: 'staff', userId: 'dr-audit', practitionerId: 'au-doc', organizations: ['au-org'], roles: ['clinician'], scopes: parseScopes('user/*.cruds') },
  username: 'dr-audit',
  fhirUser: 'Practitioner/au-doc',
  clientId: 'confide-web',
  purposeOfUse: 'TREAT',
  remoteAddress: '192.0.2.7',
};
const auditor: AccessContext = {
  via: 'token',
  actor: { kind: 'staff', userId: 'auditor1', organizations: [], roles: ['auditor'], scopes: parseScopes('user/AuditEvent.rs') },
  username: 'auditor1',
};
const payer: AccessContext = {
  via: 'token',
  actor: { kind: 'system', userId: 'acme-payer', organizations: [], roles: [], scopes: parseScopes('system/*.rs') } as Actor,
  clientId: 'acme-payer',
  purposeOfUse: 'HPAYMT',
};

async function call(access: AccessContext | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const [p, q] = path.split('?');
  try {
    const res = await fhir({ repo: s.confide.repo, baseUrl: 'http://test/fhir/R4', access }, { method, path: p, query: new URLSearchParams(q ?? ''), headers: {}, body });
    let text = '';
    if (typeof res.body === 'string') text = res.body;
    else if (res.body && typeof res.body === 'object' && Symbol.asyncIterator in res.body) for await (const c of res.body as AsyncIterable<string>) text += c;
    else if (res.body) text = JSON.stringify(res.body);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  } catch (e) {
    const err = e as { status?: number; outcome?: unknown };
    if (err.status) return { status: err.status, body: err.outcome };
    throw e;
  }
}

beforeAll(async () => {
  s = await startTestServer();
  log = new AuditLog(s.confide.db, { flushMs: 5 });
  // A long window: the tests flush explicitly, so a group is never cut by the timer on a slow machine.
  recorder = new AuditRecorder(log, 10_000);
  fhir = createFhirRouter({ version: 'test', audit: recorder });
  const put = putEntry;
  const setup = await call(undefined, 'POST', '', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Organization', id: 'au-org', name: 'Audit Clinic' }),
      put({ resourceType: 'Patient', id: 'au-p1', name: [{ family: 'Secretname' }], managingOrganization: { reference: 'Organization/au-org' } }),
      put({ resourceType: 'Observation', id: 'au-o1', status: 'final', code: { text: 'Sensitive finding' }, subject: { reference: 'Patient/au-p1' } }),
    ],
  });
  expect(setup.status).toBe(200);
});
afterAll(async () => {
  recorder?.flush();
  await log?.close();
  await s?.close();
});

async function events(query: string): Promise<any[]> {
  recorder.flush();
  await log.flush();
  const r = await call(auditor, 'GET', `AuditEvent?${query}`);
  expect(r.status).toBe(200);
  return (r.body.entry ?? []).map((e: any) => e.resource);
}

describe('the audit trail', () => {
  it('records reads, searches and writes with who, whose record, from where and the outcome', async () => {
    expect((await call(clinician, 'GET', 'Observation/au-o1')).status).toBe(200);
    expect((await call(clinician, 'GET', 'Observation?subject=Patient/au-p1')).status).toBe(200);
    expect((await call(clinician, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/au-p1' } })).status).toBe(201);
    expect((await call(clinician, 'GET', 'Observation/not-there')).status).toBe(404);

    const mine = await events('patient=Patient/au-p1&_sort=-date&_count=50');
    const actions = mine.map((e) => `${e.action}:${e.subtype?.[0]?.code}`);
    expect(actions).toEqual(expect.arrayContaining(['R:read', 'E:search-type', 'C:create']));
    const read = mine.find((e) => e.subtype?.[0]?.code === 'read');
    expect(read.outcome).toBe('0');
    expect(JSON.stringify(read.agent)).toContain('Practitioner/au-doc');
    expect(JSON.stringify(read.agent)).toContain('192.0.2.7');
    expect(JSON.stringify(read.entity)).toContain('Observation/au-o1');

    const failed = await events('outcome=4&agent=Practitioner/au-doc');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    // Never the clinical content, never the patient's name.
    const all = JSON.stringify(await events('_count=200'));
    expect(all).not.toContain('Sensitive finding');
    expect(all).not.toContain('Secretname');
  });

  it('folds concurrent reads by one caller into one AuditEvent naming each resource, with their period', async () => {
    recorder.flush();
    await Promise.all([call(clinician, 'GET', 'Observation/au-o1'), call(clinician, 'GET', 'Patient/au-p1'), call(clinician, 'GET', 'Organization/au-org')]);
    const reads = await events('subtype=read&agent=Practitioner/au-doc&_sort=-date&_count=1');
    const refs = reads[0].entity.map((e: any) => e.what?.reference);
    expect(refs).toEqual(expect.arrayContaining(['Observation/au-o1', 'Patient/au-p1', 'Organization/au-org']));
    expect(refs.filter((r: string) => r === 'Patient/au-p1')).toHaveLength(1);
    if (reads[0].period) expect(Date.parse(reads[0].period.end)).toBeGreaterThanOrEqual(Date.parse(reads[0].period.start));
    // A failed read is its own record.
    expect((await call(clinician, 'GET', 'Observation/missing-one')).status).toBe(404);
    const failed = await events('subtype=read&outcome=4&_sort=-date&_count=1');
    expect(JSON.stringify(failed[0].entity ?? [])).not.toContain('Observation/au-o1');
  });

  it('is readable by auditors only, and nobody can change or delete it through the API', async () => {
    expect((await call(clinician, 'GET', 'AuditEvent')).status).toBe(403);
    const [one] = await events('_count=1');
    expect((await call(auditor, 'PUT', `AuditEvent/${one.id}`, { ...one, outcome: '0' })).status).toBe(403);
    expect((await call(auditor, 'DELETE', `AuditEvent/${one.id}`)).status).toBe(403);
    const admin: AccessContext = { ...auditor, actor: { ...auditor.actor, roles: ['admin', 'auditor'], scopes: parseScopes('user/*.cruds') } };
    expect((await call(admin, 'DELETE', `AuditEvent/${one.id}`)).status).toBe(403);
    const chain = await verifyAuditChain(s.confide.db);
    expect(chain.ok).toBe(true);
    expect(chain.count).toBeGreaterThan(3);
  });

  it('records a backend service reading patient data as a disclosure', async () => {
    expect((await call(payer, 'GET', 'Observation?subject=Patient/au-p1')).status).toBe(200);
    const disclosures = await events('patient=Patient/au-p1&subtype=https://confide.health/fhir/CodeSystem/audit-subtype|disclosure');
    expect(disclosures.length).toBe(1);
    expect(JSON.stringify(disclosures[0])).toContain('acme-payer');
    expect(JSON.stringify(disclosures[0])).toContain('HPAYMT');
  });

  it('lists the disclosures of a patient for the patient and the privacy officer, and for nobody else', async () => {
    const me: AccessContext = {
      via: 'token',
      actor: { kind: 'patient', userId: 'p1-user', patientId: 'au-p1', organizations: [], roles: [], scopes: parseScopes('patient/*.rs') },
    };
    const r = await call(me, 'GET', 'Patient/au-p1/$disclosures');
    expect(r.status).toBe(200);
    const rows = r.body.parameter.filter((p: any) => p.name === 'disclosure');
    expect(rows).toHaveLength(1);
    const part = (name: string) => rows[0].part.find((x: any) => x.name === name);
    expect(part('recipient').valueString).toBe('acme-payer');
    expect(part('purpose').valueString).toBe('HPAYMT');
    expect(Date.parse(part('date').valueDateTime)).toBeGreaterThan(Date.now() - 60_000);
    const officer: AccessContext = { ...clinician, actor: { ...clinician.actor, roles: ['privacy-officer'] } };
    expect((await call(officer, 'GET', 'Patient/au-p1/$disclosures')).status).toBe(200);
    expect((await call(clinician, 'GET', 'Patient/au-p1/$disclosures')).status).toBe(403);
    const otherOrgOfficer: AccessContext = { ...officer, actor: { ...officer.actor, organizations: ['elsewhere'] } };
    expect((await call(otherOrgOfficer, 'GET', 'Patient/au-p1/$disclosures')).status).toBe(404);
    const someoneElse: AccessContext = { ...me, actor: { ...me.actor, patientId: 'au-p2' } };
    expect((await call(someoneElse, 'GET', 'Patient/au-p1/$disclosures')).status).toBe(403);
  });

  it('gives auditors a report by user, patient, period and action, sorted', async () => {
    const since = new Date(Date.now() - 3600_000).toISOString();
    const byUser = await events(`altid=dr-audit&date=ge${since}&_sort=-date&_count=100`);
    expect(byUser.length).toBeGreaterThan(2);
    const dates = byUser.map((e) => Date.parse(e.recorded));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    const creates = await events('action=C&patient=Patient/au-p1');
    expect(creates.every((e) => e.action === 'C')).toBe(true);
    expect(creates.length).toBeGreaterThanOrEqual(1);
  });

  it('pages the report through the API with correct totals, and refuses parameters the audit table does not keep', async () => {
    // Separate searches (each its own event) by a user of their own, so that the count is known.
    const searcher: AccessContext = { ...clinician, username: 'dr-pager', fhirUser: 'Practitioner/au-pager' };
    for (let i = 0; i < 7; i++) expect((await call(searcher, 'GET', `Observation?subject=Patient/au-p1&_count=${i + 1}`)).status).toBe(200);
    recorder.flush();
    await log.flush();
    const seen: any[] = [];
    let r = await call(auditor, 'GET', 'AuditEvent?altid=dr-pager&action=E&_sort=-date&_count=3&_total=accurate');
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(7);
    for (;;) {
      seen.push(...r.body.entry.map((e: any) => e.resource));
      const next = r.body.link.find((l: any) => l.relation === 'next')?.url as string | undefined;
      if (!next) break;
      r = await call(auditor, 'GET', next.slice('http://test/fhir/R4/'.length));
      expect(r.status).toBe(200);
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((e) => e.id)).size).toBe(7);
    const dates = seen.map((e) => Date.parse(e.recorded));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect(seen.every((e) => e.agent[0].who.reference === 'Practitioner/au-pager')).toBe(true);
    expect((await call(auditor, 'GET', 'AuditEvent?agent=Practitioner/au-pager&patient=Patient/au-p1&_summary=count')).body.total).toBe(7);

    const refused = await call(auditor, 'GET', 'AuditEvent?entity-name=x');
    expect(refused.status).toBe(400);
    expect(refused.body.issue[0].expression).toEqual(['entity-name']);
    const capability = await call(undefined, 'GET', 'metadata');
    const audit = capability.body.rest[0].resource.find((x: any) => x.type === 'AuditEvent');
    const names = audit.searchParam.map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['agent', 'altid', 'patient', 'date', 'action', 'entity']));
    expect(names).not.toContain('entity-name');
  });
});
