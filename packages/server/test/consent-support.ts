import { expect } from 'vitest';
import type { ConfideOptions } from '../src/index.ts';
import { request, startTestServer, type TestServer, putEntry } from './support/harness.ts';

/**
 * A small practice for the consent and segmentation tests (docs/consent.md): a general clinic, a designated
 * 42 CFR Part 2 program, clinicians in one or both, a therapist with psychotherapy notes, a privacy officer, and
 * patients with and without consents. Everything goes through the FHIR router (as seed and import do) or the
 * HTTP API, so the labels on it are the server's (write-time rules), not the fixture's.
 */
export const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';
const NOTE = 'https://confide.health/fhir/CodeSystem/note-type';

export interface Practice {
  s: TestServer;
  /** Authorization headers per user. */
  as: Record<'main' | 'p2' | 'therapist' | 'delegate' | 'privacy' | 'patient' | 'system', Record<string, string>>;
}

const put = putEntry;
const subject = (p: string) => ({ subject: { reference: `Patient/${p}` } });
const condition = (id: string, patient: string, code: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Condition',
  id,
  ...subject(patient),
  code: { coding: [{ system: ICD, code }] },
  ...extra,
});
const observation = (id: string, patient: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text: 'heart rate' },
  ...subject(patient),
  ...extra,
});
const consent = (id: string, patient: string, provision: Record<string, unknown>) => ({
  resourceType: 'Consent',
  id,
  status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: `Patient/${patient}` },
  provision,
});

/**
 * Patients:
 * - cs-p1: a Part 2 visit (Encounter at the program) with an opioid use disorder diagnosis made there, a
 *   psychotherapy note by the therapist (delegated to the delegate), a plain observation. No consent.
 * - cs-p2: a Part 2 diagnosis, and a consent that permits the main-clinic clinician to see SUD data for treatment.
 * - cs-p3: an HIV diagnosis and a consent denying HIV information to the main clinic; a plain observation.
 * - cs-p4: a consent denying Observations for operations (HOPERAT); an observation.
 * - cs-p5: a consent that denied everything but expired in 2020; an observation; a psychotherapy note.
 */
export async function startPractice(options: Partial<ConfideOptions> = {}): Promise<Practice> {
  const s = await startTestServer(options);
  // The practice is set up as `confide seed`/`import` would (the server's own work): designating a Part 2
  // program is the privacy officer's right, which a backend-services client does not have.
  const setup = await s.confide.handle({ method: 'POST', path: '', body: {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Organization', id: 'cs-main', name: 'Main clinic' }),
      put({
        resourceType: 'Organization',
        id: 'cs-prog',
        name: 'Recovery program',
        meta: { tag: [{ system: 'https://confide.health/fhir/CodeSystem/organization-designation', code: 'part2-program' }] },
      }),
      ...['main', 'p2', 'ther', 'del', 'po'].map((p) => put({ resourceType: 'Practitioner', id: `cs-doc-${p}` })),
      ...['main', 'p2', 'ther', 'del', 'po'].map((p) =>
        put({ resourceType: 'PractitionerRole', id: `cs-role-${p}`, practitioner: { reference: `Practitioner/cs-doc-${p}` }, organization: { reference: 'Organization/cs-main' } }),
      ),
      put({ resourceType: 'PractitionerRole', id: 'cs-role-p2-prog', practitioner: { reference: 'Practitioner/cs-doc-p2' }, organization: { reference: 'Organization/cs-prog' } }),
      ...['cs-p1', 'cs-p2', 'cs-p3', 'cs-p4', 'cs-p5'].map((id) => put({ resourceType: 'Patient', id, managingOrganization: { reference: 'Organization/cs-main' } })),
    ],
  } });
  expect(setup.status).toBe(200);
  // Records, in a second transaction so that the program's designation is stored (either order works).
  const records = await request(s.base, 'POST', '', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Encounter', id: 'cs-enc-p2', status: 'finished', class: { code: 'AMB' }, ...subject('cs-p1'), serviceProvider: { reference: 'Organization/cs-prog' } }),
      put(condition('cs-oud', 'cs-p1', 'F11.20', { encounter: { reference: 'Encounter/cs-enc-p2' } })),
      put(observation('cs-obs1', 'cs-p1')),
      put({
        resourceType: 'Composition',
        id: 'cs-note',
        status: 'final',
        type: { coding: [{ system: NOTE, code: 'psychotherapy-note' }] },
        ...subject('cs-p1'),
        date: '2026-01-05',
        author: [{ reference: 'Practitioner/cs-doc-ther' }],
        title: 'Session',
        // Signed (docs/notes.md): a final note carries its author's legal attestation.
        attester: [{ mode: 'legal', time: '2026-01-05T17:00:00Z', party: { reference: 'Practitioner/cs-doc-ther' } }],
        meta: { tag: [{ system: 'https://confide.health/fhir/CodeSystem/note-delegate', code: 'Practitioner/cs-doc-del' }] },
      }),
      put({ resourceType: 'Encounter', id: 'cs-enc-p2b', status: 'finished', class: { code: 'AMB' }, ...subject('cs-p2'), serviceProvider: { reference: 'Organization/cs-prog' } }),
      put(condition('cs-oud2', 'cs-p2', 'F11.20', { encounter: { reference: 'Encounter/cs-enc-p2b' } })),
      put(
        consent('cs-consent-p2', 'cs-p2', {
          type: 'deny',
          provision: [
            {
              type: 'permit',
              actor: [{ role: { coding: [{ code: 'PRCP' }] }, reference: { reference: 'Practitioner/cs-doc-main' } }],
              purpose: [{ system: REASON, code: 'TREAT' }],
              securityLabel: [{ system: ACT, code: 'SUD' }],
            },
          ],
        }),
      ),
      put(condition('cs-hiv', 'cs-p3', 'B20')),
      put(observation('cs-obs3', 'cs-p3', { focus: [{ reference: 'Condition/cs-hiv' }] })),
      put(
        consent('cs-consent-p3', 'cs-p3', {
          type: 'permit',
          provision: [
            { type: 'deny', actor: [{ role: { coding: [{ code: 'PRCP' }] }, reference: { reference: 'Organization/cs-main' } }], securityLabel: [{ system: ACT, code: 'HIV' }] },
          ],
        }),
      ),
      put(observation('cs-obs4', 'cs-p4')),
      put(consent('cs-consent-p4', 'cs-p4', { type: 'permit', provision: [{ type: 'deny', purpose: [{ system: REASON, code: 'HOPERAT' }], class: [{ system: 'http://hl7.org/fhir/resource-types', code: 'Observation' }] }] })),
      put(observation('cs-obs5', 'cs-p5')),
      put({
        resourceType: 'Composition',
        id: 'cs-note5',
        status: 'final',
        type: { coding: [{ system: NOTE, code: 'psychotherapy-note' }] },
        ...subject('cs-p5'),
        date: '2026-01-06',
        author: [{ reference: 'Practitioner/cs-doc-ther' }],
        title: 'Session',
        // Signed (docs/notes.md): a final note carries its author's legal attestation.
        attester: [{ mode: 'legal', time: '2026-01-06T17:00:00Z', party: { reference: 'Practitioner/cs-doc-ther' } }],
      }),
      put(consent('cs-consent-p5', 'cs-p5', { type: 'deny', period: { start: '2019-01-01', end: '2020-01-01' } })),
    ],
  });
  expect(records.status).toBe(200);
  const accounts = s.confide.accounts;
  const password = 'a long enough passphrase 2026';
  const staff = async (username: string, practitioner: string, roles: string[]) =>
    accounts.createUser({ username, kind: 'staff', fhirUser: `Practitioner/${practitioner}`, roles, password, mfaRequired: false });
  await staff('cs.main', 'cs-doc-main', ['clinician']);
  await staff('cs.p2', 'cs-doc-p2', ['clinician']);
  await staff('cs.ther', 'cs-doc-ther', ['clinician']);
  await staff('cs.del', 'cs-doc-del', ['clinician']);
  await staff('cs.po', 'cs-doc-po', ['clinician', 'privacy-officer']);
  await accounts.createUser({ username: 'cs.patient', kind: 'patient', fhirUser: 'Patient/cs-p1', password });
  const token = async (username: string, scope: string) => ({ authorization: `Bearer ${(await s.confide.oauth.issueToken({ username, scope, ttlSeconds: 3600 })).access_token}` });
  return {
    s,
    as: {
      main: await token('cs.main', 'user/*.cruds'),
      p2: await token('cs.p2', 'user/*.cruds'),
      therapist: await token('cs.ther', 'user/*.cruds'),
      delegate: await token('cs.del', 'user/*.cruds'),
      privacy: await token('cs.po', 'user/*.cruds'),
      patient: await token('cs.patient', 'patient/*.rs'),
      system: s.auth,
    },
  };
}

/** `Type/id` of a Bundle's resources (matches and includes), sorted; OperationOutcome entries left out. */
export function refs(bundle: any): string[] {
  return (bundle?.entry ?? [])
    .filter((e: any) => e.resource && e.resource.resourceType !== 'OperationOutcome')
    .map((e: any) => `${e.resource.resourceType}/${e.resource.id}`)
    .sort();
}

/** The issues of a Bundle's OperationOutcome entries. */
export function outcomes(bundle: any): any[] {
  return (bundle?.entry ?? []).filter((e: any) => e.resource?.resourceType === 'OperationOutcome').flatMap((e: any) => e.resource.issue ?? []);
}

export function labelCodes(resource: any): string[] {
  return (resource?.meta?.security ?? []).map((l: any) => l.code).sort();
}

/**
 * A psychotherapy-note authorization (45 CFR 164.508(a)(2), docs/consent.md "Releasing a psychotherapy note") of
 * cs-p5: by default releasing cs-note5 to cs-doc-main until the end of next year. `recipients: []` leaves out
 * `provision.actor`.
 */
export function noteAuthorization(id: string, over: { recipients?: string[]; notes?: string[]; period?: Record<string, string>; status?: string; purpose?: string[] } = {}) {
  const recipients = over.recipients ?? ['Practitioner/cs-doc-main'];
  const actor = recipients.map((reference) => ({ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference } }));
  return {
    resourceType: 'Consent',
    id,
    status: over.status ?? 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '64292-6', display: 'Release of information consent' }] }],
    patient: { reference: 'Patient/cs-p5' },
    dateTime: '2026-02-01T10:00:00Z',
    provision: {
      type: 'permit',
      period: over.period ?? { start: '2026-02-01', end: `${new Date().getUTCFullYear() + 1}-12-31` },
      ...(actor.length ? { actor } : {}),
      action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'disclose' }] }],
      ...(over.purpose ? { purpose: over.purpose.map((code) => ({ system: REASON, code })) } : {}),
      data: (over.notes ?? ['Composition/cs-note5']).map((reference) => ({ meaning: 'instance', reference: { reference } })),
    },
  };
}
