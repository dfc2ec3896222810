import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer, putEntry } from './support/harness.ts';

/**
 * Access control end to end over HTTP with real accounts and tokens: the token names an account, the
 * account's Practitioner has a PractitionerRole at one organization, and that decides what the FHIR API
 * shows (resolveActor → policy → SQL). Cross-organization and cross-patient reads answer 404.
 */
let s: TestServer;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
let clinicA: Record<string, string>;
let clinicB: Record<string, string>;
let patientOne: Record<string, string>;
let frontDeskA: Record<string, string>;

beforeAll(async () => {
  s = await startTestServer();
  const put = putEntry;
  const setup = await request(s.base, 'POST', '', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Organization', id: 'ah-a', name: 'A' }),
      put({ resourceType: 'Organization', id: 'ah-b', name: 'B' }),
      put({ resourceType: 'Practitioner', id: 'ah-doc-a' }),
      put({ resourceType: 'Practitioner', id: 'ah-doc-b' }),
      put({ resourceType: 'PractitionerRole', id: 'ah-role-a', practitioner: { reference: 'Practitioner/ah-doc-a' }, organization: { reference: 'Organization/ah-a' } }),
      put({ resourceType: 'PractitionerRole', id: 'ah-role-b', practitioner: { reference: 'Practitioner/ah-doc-b' }, organization: { reference: 'Organization/ah-b' } }),
      put({ resourceType: 'Patient', id: 'ah-p1', managingOrganization: { reference: 'Organization/ah-a' } }),
      put({ resourceType: 'Patient', id: 'ah-p2', managingOrganization: { reference: 'Organization/ah-a' } }),
      put({ resourceType: 'Patient', id: 'ah-p3', managingOrganization: { reference: 'Organization/ah-b' } }),
      put({ resourceType: 'Condition', id: 'ah-c1', subject: { reference: 'Patient/ah-p1' }, code: { text: 'x' } }),
      put({ resourceType: 'Condition', id: 'ah-c2', subject: { reference: 'Patient/ah-p2' }, code: { text: 'x' } }),
      put({ resourceType: 'Condition', id: 'ah-c3', subject: { reference: 'Patient/ah-p3' }, code: { text: 'x' } }),
    ],
  });
  expect(setup.status).toBe(200);
  const accounts = s.confide.accounts;
  const password = 'a long enough passphrase 2026';
  await accounts.createUser({ username: 'doc.a', kind: 'staff', fhirUser: 'Practitioner/ah-doc-a', roles: ['clinician'], password, mfaRequired: false });
  await accounts.createUser({ username: 'doc.b', kind: 'staff', fhirUser: 'Practitioner/ah-doc-b', roles: ['clinician'], password, mfaRequired: false });
  await accounts.createUser({ username: 'desk.a', kind: 'staff', fhirUser: 'Practitioner/ah-doc-a', roles: ['front-desk'], password, mfaRequired: false });
  await accounts.createUser({ username: 'patient.one', kind: 'patient', fhirUser: 'Patient/ah-p1', password });
  const token = async (username: string, scope: string) => auth((await s.confide.oauth.issueToken({ username, scope, ttlSeconds: 600 })).access_token);
  clinicA = await token('doc.a', 'user/*.cruds');
  clinicB = await token('doc.b', 'user/*.cruds');
  frontDeskA = await token('desk.a', 'user/*.cruds');
  patientOne = await token('patient.one', 'patient/*.rs');
});
afterAll(async () => {
  await s?.close();
});

const ids = (b: any): string[] => (b.entry ?? []).map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();

describe('access over HTTP, decided by the account behind the token', () => {
  it('a clinician reads their organization’s patients and gets 404 for another organization’s', async () => {
    expect((await request(s.base, 'GET', 'Patient/ah-p1', undefined, clinicA)).status).toBe(200);
    expect((await request(s.base, 'GET', 'Condition/ah-c2', undefined, clinicA)).status).toBe(200);
    expect((await request(s.base, 'GET', 'Patient/ah-p3', undefined, clinicA)).status).toBe(404);
    expect((await request(s.base, 'GET', 'Condition/ah-c3', undefined, clinicA)).status).toBe(404);
    expect((await request(s.base, 'GET', 'Patient/ah-p3', undefined, clinicB)).status).toBe(200);
    expect((await request(s.base, 'GET', 'Patient/ah-p1', undefined, clinicB)).status).toBe(404);
    const search = await request(s.base, 'GET', 'Condition?_total=accurate&_count=50', undefined, clinicA);
    expect(ids(search.body)).toEqual(['Condition/ah-c1', 'Condition/ah-c2']);
    expect(search.body.total).toBe(2);
  });

  it('a patient sees their own record only', async () => {
    expect((await request(s.base, 'GET', 'Patient/ah-p1', undefined, patientOne)).status).toBe(200);
    expect((await request(s.base, 'GET', 'Patient/ah-p2', undefined, patientOne)).status).toBe(404);
    expect((await request(s.base, 'GET', 'Condition/ah-c2', undefined, patientOne)).status).toBe(404);
    expect(ids((await request(s.base, 'GET', 'Condition', undefined, patientOne)).body)).toEqual(['Condition/ah-c1']);
    // A patient/ scope does not write.
    const w = await request(s.base, 'POST', 'Condition', { resourceType: 'Condition', subject: { reference: 'Patient/ah-p1' }, code: { text: 'y' } }, patientOne);
    expect(w.status).toBe(403);
  });

  it('roles limit types: front desk may see demographics but not the clinical record', async () => {
    expect((await request(s.base, 'GET', 'Patient/ah-p1', undefined, frontDeskA)).status).toBe(200);
    expect((await request(s.base, 'GET', 'Condition/ah-c1', undefined, frontDeskA)).status).toBe(403);
  });

  it('no token, a bad token: 401 with WWW-Authenticate, and no data', async () => {
    const none = await request(s.base, 'GET', 'Patient/ah-p1', undefined, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const bad = await request(s.base, 'GET', 'Patient/ah-p1', undefined, { authorization: 'Bearer not.a.token' });
    expect(bad.status).toBe(401);
    expect(bad.text).not.toContain('ah-a');
  });

  it('a disabled account’s tokens stop working', async () => {
    await s.confide.accounts.createUser({ username: 'doc.gone', kind: 'staff', fhirUser: 'Practitioner/ah-doc-a', roles: ['clinician'], password: 'a long enough passphrase 2026', mfaRequired: false });
    const t = auth((await s.confide.oauth.issueToken({ username: 'doc.gone', scope: 'user/*.rs', ttlSeconds: 600 })).access_token);
    expect((await request(s.base, 'GET', 'Patient/ah-p1', undefined, t)).status).toBe(200);
    await s.confide.accounts.disableUser('doc.gone');
    expect((await request(s.base, 'GET', 'Patient/ah-p1', undefined, t)).status).toBe(401);
  });
});
