import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScopes, type Actor } from '@confide/policy';
import { createFhirRouter } from '../src/fhir/router.ts';
import type { FhirResponse } from '../src/fhir/types.ts';
import { startTestServer, type TestServer, putEntry } from './support/harness.ts';

/**
 * Access decisions enforced by the store, driven through the FHIR router in-process (the same code path as
 * HTTP after authentication): organizations for staff, the compartment for patient users, scopes for
 * everyone; 404 for rows outside what the caller may see, 403 for types the caller may not use at all.
 */
let s: TestServer;
const fhir = createFhirRouter({ version: 'test' });

const staff = (orgs: string[], roles: string[] = ['clinician'], scope = 'user/*.cruds'): Actor => ({
  kind: 'staff',
  userId: `staff-${orgs.join('-')}-${roles.join('-')}`,
  practitionerId: 'ac-doc-a',
  organizations: orgs,
  roles,
  scopes: parseScopes(scope),
});
const patientUser = (id: string, scope = 'patient/*.rs'): Actor => ({ kind: 'patient', userId: `u-${id}`, patientId: id, organizations: [], roles: [], scopes: parseScopes(scope) });
const system = (scope: string): Actor => ({ kind: 'system', userId: 'backend', organizations: [], roles: [], scopes: parseScopes(scope) });

const A = staff(['ac-org-a']);
const B = staff(['ac-org-b']);

async function call(actor: Actor | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const [p, q] = path.split('?');
  try {
    const res: FhirResponse = await fhir(
      { repo: s.confide.repo, baseUrl: 'http://test/fhir/R4', access: actor ? { actor, via: 'token' } : undefined },
      { method, path: p, query: new URLSearchParams(q ?? ''), headers, body },
    );
    let text = '';
    if (typeof res.body === 'string') text = res.body;
    else if (res.body && typeof res.body === 'object' && Symbol.asyncIterator in res.body) {
      for await (const chunk of res.body as AsyncIterable<string>) text += chunk;
    } else if (res.body) text = JSON.stringify(res.body);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  } catch (e) {
    const err = e as { status?: number; outcome?: unknown };
    if (err.status) return { status: err.status, body: err.outcome };
    throw e;
  }
}

const ids = (bundle: any): string[] => (bundle.entry ?? []).filter((e: any) => e.resource?.resourceType !== 'OperationOutcome').map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();

const obs = (id: string, patient: string, code = 'x', category = 'laboratory') => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category }] }],
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: `Patient/${patient}` },
});

beforeAll(async () => {
  s = await startTestServer();
  const put = putEntry;
  const setup = await call(undefined, 'POST', '', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Organization', id: 'ac-org-a', name: 'Clinic A' }),
      put({ resourceType: 'Organization', id: 'ac-org-b', name: 'Clinic B' }),
      put({ resourceType: 'Practitioner', id: 'ac-doc-a', name: [{ family: 'Alpha' }] }),
      put({ resourceType: 'PractitionerRole', id: 'ac-role-a', practitioner: { reference: 'Practitioner/ac-doc-a' }, organization: { reference: 'Organization/ac-org-a' } }),
      put({ resourceType: 'Patient', id: 'ac-p1', name: [{ family: 'Acorn' }], managingOrganization: { reference: 'Organization/ac-org-a' } }),
      put({ resourceType: 'Patient', id: 'ac-p2', name: [{ family: 'Birch' }], managingOrganization: { reference: 'Organization/ac-org-b' } }),
      put({ resourceType: 'Patient', id: 'ac-p3', name: [{ family: 'Cedar' }] }),
      put(obs('ac-o1', 'ac-p1', '1-1')),
      put(obs('ac-o1v', 'ac-p1', '8867-4', 'vital-signs')),
      put(obs('ac-o2', 'ac-p2', '1-1')),
      put({ ...obs('ac-o2r', 'ac-p2', '1-1'), performer: [{ reference: 'Practitioner/ac-doc-a' }] }),
      put(obs('ac-o3', 'ac-p3', '1-1')),
      put({ resourceType: 'Schedule', id: 'ac-sched-a', actor: [{ reference: 'Practitioner/ac-doc-a' }] }),
      put({ resourceType: 'Slot', id: 'ac-slot-a', schedule: { reference: 'Schedule/ac-sched-a' }, status: 'free', start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:30:00Z' }),
    ],
  });
  expect(setup.status).toBe(200);
});
afterAll(async () => {
  await s?.close();
});

describe('staff are limited to their organizations', () => {
  it('reads what belongs to their organization and gets 404 for the rest', async () => {
    expect((await call(A, 'GET', 'Patient/ac-p1')).status).toBe(200);
    expect((await call(A, 'GET', 'Observation/ac-o1')).status).toBe(200);
    for (const path of ['Patient/ac-p2', 'Observation/ac-o2', 'Patient/ac-p3', 'Observation/ac-o3', 'Patient/nope']) {
      const r = await call(A, 'GET', path);
      expect(r.status, path).toBe(404);
    }
    expect((await call(B, 'GET', 'Patient/ac-p2')).status).toBe(200);
    expect((await call(B, 'GET', 'Patient/ac-p1')).status).toBe(404);
  });

  it('searches, totals and pages only over visible rows', async () => {
    const r = await call(A, 'GET', 'Observation?_total=accurate&code=1-1');
    expect(r.status).toBe(200);
    expect(ids(r.body)).toEqual(['Observation/ac-o1']);
    expect(r.body.total).toBe(1);
    const all = await call(A, 'GET', 'Patient?_total=accurate&_id=ac-p1,ac-p2,ac-p3');
    expect(ids(all.body)).toEqual(['Patient/ac-p1']);
    expect(all.body.total).toBe(1);
  });

  it('gives no oracle through chains, _has, _include and _revinclude', async () => {
    // A chain into a hidden patient matches nothing, even though the Observation row names it.
    expect(ids((await call(B, 'GET', 'Observation?subject:Patient.name=Acorn')).body)).toEqual([]);
    expect(ids((await call(A, 'GET', 'Observation?subject:Patient.name=Birch')).body)).toEqual([]);
    // _has over hidden Observations reveals nothing about the patients they point at.
    expect(ids((await call(A, 'GET', 'Patient?_has:Observation:subject:code=1-1')).body)).toEqual(['Patient/ac-p1']);
    expect(ids((await call(B, 'GET', 'Patient?_has:Observation:patient:_id=ac-o1')).body)).toEqual([]);
    // _include of a visible row's reference is still filtered; _revinclude too.
    const inc = await call(A, 'GET', 'Observation?_id=ac-o1&_include=Observation:subject');
    expect(ids(inc.body)).toEqual(['Observation/ac-o1', 'Patient/ac-p1']);
    const rev = await call(A, 'GET', 'Practitioner?_id=ac-doc-a&_revinclude=Observation:performer');
    expect(ids(rev.body)).toEqual(['Practitioner/ac-doc-a']);
  });

  it('restricts compartment search, $everything, history and vread', async () => {
    expect(ids((await call(A, 'GET', 'Patient/ac-p2/Observation')).body)).toEqual([]);
    expect((await call(A, 'GET', 'Patient/ac-p2/$everything')).status).toBe(404);
    const ev = await call(A, 'GET', 'Patient/ac-p1/$everything');
    expect(ev.status).toBe(200);
    expect(ids(ev.body)).toEqual(['Observation/ac-o1', 'Observation/ac-o1v', 'Organization/ac-org-a', 'Patient/ac-p1']);
    expect((await call(A, 'GET', 'Observation/ac-o2/_history')).status).toBe(404);
    expect((await call(A, 'GET', 'Observation/ac-o2/_history/1')).status).toBe(404);
    expect((await call(A, 'GET', 'Observation/ac-o1/_history/1')).status).toBe(200);
    const typeHistory = await call(A, 'GET', 'Observation/_history');
    expect(typeHistory.status).toBe(200);
    expect(new Set(ids(typeHistory.body))).toEqual(new Set(['Observation/ac-o1', 'Observation/ac-o1v']));
    expect((await call(A, 'GET', '_history')).status).toBe(403);
  });

  it('sees scheduling rows through the scheduled practitioner\u2019s organization', async () => {
    expect((await call(A, 'GET', 'Slot/ac-slot-a')).status).toBe(200);
    expect((await call(B, 'GET', 'Slot/ac-slot-a')).status).toBe(404);
  });

  it('cannot write outside the organization, nor move a record out of it', async () => {
    const hidden = await call(A, 'PUT', 'Observation/ac-o2', { ...obs('ac-o2', 'ac-p2'), status: 'amended' }, { 'if-match': 'W/"9"' });
    expect(hidden.status).toBe(404); // not 412: the version of a hidden resource is not revealed
    // Clinicians may not delete clinical records at all: a refusal by type (403) whether or not the row exists.
    expect((await call(A, 'DELETE', 'Observation/ac-o2')).status).toBe(403);
    expect((await call(A, 'DELETE', 'Observation/no-such')).status).toBe(403);
    // Front desk may delete scheduling rows, but only their own organization's: another's is not found.
    expect((await call(staff(['ac-org-b'], ['front-desk']), 'DELETE', 'Slot/ac-slot-a')).status).toBe(404);
    expect((await call(A, 'PATCH', 'Observation/ac-o2', [{ op: 'replace', path: '/status', value: 'amended' }], { 'content-type': 'application/json-patch+json' })).status).toBe(404);
    const create = await call(A, 'POST', 'Observation', obs('x', 'ac-p2'));
    expect(create.status).toBe(403);
    const move = await call(A, 'PUT', 'Observation/ac-o1', obs('ac-o1', 'ac-p2'));
    expect(move.status).toBe(403);
    const noOrg = await call(A, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Nowhere' }] });
    expect(noOrg.status).toBe(403);
    const ok = await call(A, 'POST', 'Observation', obs('x', 'ac-p1'));
    expect(ok.status).toBe(201);
    // Nothing of the refused writes reached the database.
    expect((await call(undefined, 'GET', 'Observation/ac-o2')).body.status).toBe('final');
    expect((await call(undefined, 'GET', 'Observation/ac-o1')).body.subject.reference).toBe('Patient/ac-p1');
  });

  it('a transaction with one refused entry writes nothing', async () => {
    const r = await call(A, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: obs('ac-t1', 'ac-p1'), request: { method: 'PUT', url: 'Observation/ac-t1' } },
        { resource: obs('ac-t2', 'ac-p2'), request: { method: 'PUT', url: 'Observation/ac-t2' } },
      ],
    });
    expect(r.status).toBe(403);
    expect((await call(undefined, 'GET', 'Observation/ac-t1')).status).toBe(404);
  });

  it('moving a patient to another organization moves the whole compartment', async () => {
    await call(undefined, 'PUT', 'Patient/ac-p3', { resourceType: 'Patient', id: 'ac-p3', name: [{ family: 'Cedar' }], managingOrganization: { reference: 'Organization/ac-org-a' } });
    expect((await call(A, 'GET', 'Observation/ac-o3')).status).toBe(200);
    await call(undefined, 'PUT', 'Patient/ac-p3', { resourceType: 'Patient', id: 'ac-p3', name: [{ family: 'Cedar' }], managingOrganization: { reference: 'Organization/ac-org-b' } });
    expect((await call(A, 'GET', 'Observation/ac-o3')).status).toBe(404);
    expect((await call(B, 'GET', 'Observation/ac-o3')).status).toBe(200);
  });
});

describe('roles and scopes', () => {
  it('front desk may not see clinical data at all (403, a type refusal reveals no row)', async () => {
    const desk = staff(['ac-org-a'], ['front-desk']);
    expect((await call(desk, 'GET', 'Observation?code=1-1')).status).toBe(403);
    expect((await call(desk, 'GET', 'Patient/ac-p1')).status).toBe(200);
  });

  it('a granular scope limits rows to its query', async () => {
    const vitalsApp = staff(['ac-org-a'], ['clinician'], 'user/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs');
    expect(ids((await call(vitalsApp, 'GET', 'Observation')).body)).toEqual(['Observation/ac-o1v']);
    expect((await call(vitalsApp, 'GET', 'Observation/ac-o1')).status).toBe(404);
    expect((await call(vitalsApp, 'GET', 'Patient/ac-p1')).status).toBe(403);
  });

  it('a backend service sees what its system scopes name, across organizations', async () => {
    const svc = system('system/Observation.rs');
    expect(ids((await call(svc, 'GET', 'Observation?code=1-1&_count=50')).body)).toEqual(expect.arrayContaining(['Observation/ac-o1', 'Observation/ac-o2']));
    expect((await call(svc, 'GET', 'Patient/ac-p1')).status).toBe(403);
    expect((await call(svc, 'POST', 'Observation', obs('y', 'ac-p1'))).status).toBe(403);
  });
});

describe('patient users are confined to their own record', () => {
  const me = patientUser('ac-p1');
  it('reads their own record and nothing of anyone else', async () => {
    expect((await call(me, 'GET', 'Patient/ac-p1')).status).toBe(200);
    expect((await call(me, 'GET', 'Patient/ac-p2')).status).toBe(404);
    expect((await call(me, 'GET', 'Observation/ac-o2')).status).toBe(404);
    expect(ids((await call(me, 'GET', 'Observation?code=1-1')).body)).toEqual(['Observation/ac-o1']);
    expect((await call(me, 'GET', 'Patient/ac-p2/$everything')).status).toBe(404);
    // Directory data is shared.
    expect((await call(me, 'GET', 'Practitioner/ac-doc-a')).status).toBe(200);
  });

  it('cannot write clinical data, nor read with a scope for another context', async () => {
    expect((await call(me, 'POST', 'Observation', obs('z', 'ac-p1'))).status).toBe(403);
    const sys = { ...me, scopes: parseScopes('system/*.rs') };
    expect((await call(sys, 'GET', 'Patient/ac-p1')).status).toBe(403);
  });
});
