import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientEverything } from '@confide/store';
import { request, startTestServer, type TestServer } from './support/harness.ts';

let s: TestServer;
const pid = 'ev-patient';
beforeAll(async () => {
  s = await startTestServer();
  const tx = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: { resourceType: 'Organization', id: 'ev-org', name: 'Clinic' }, request: { method: 'PUT', url: 'Organization/ev-org' } },
      { resource: { resourceType: 'Practitioner', id: 'ev-doc', name: [{ family: 'Doc' }] }, request: { method: 'PUT', url: 'Practitioner/ev-doc' } },
      { resource: { resourceType: 'Patient', id: pid, managingOrganization: { reference: 'Organization/ev-org' } }, request: { method: 'PUT', url: `Patient/${pid}` } },
      { resource: { resourceType: 'Patient', id: 'ev-other' }, request: { method: 'PUT', url: 'Patient/ev-other' } },
      ...Array.from({ length: 7 }, (_, i) => ({
        resource: { resourceType: 'Observation', id: `ev-obs-${i}`, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${pid}` }, performer: [{ reference: 'Practitioner/ev-doc' }] },
        request: { method: 'PUT', url: `Observation/ev-obs-${i}` },
      })),
      { resource: { resourceType: 'Condition', id: 'ev-cond', subject: { reference: `Patient/${pid}` } }, request: { method: 'PUT', url: 'Condition/ev-cond' } },
      { resource: { resourceType: 'Observation', id: 'ev-not-mine', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/ev-other' } }, request: { method: 'PUT', url: 'Observation/ev-not-mine' } },
    ],
  };
  const r = await request(s.base, 'POST', '', tx);
  expect(r.status).toBe(200);
  await request(s.base, 'DELETE', 'Observation/ev-obs-6');
});
afterAll(async () => {
  await s?.close();
});

const ids = (b: any) => b.entry.map((e: any) => `${e.resource.resourceType}/${e.resource.id}`);

describe('Patient/$everything', () => {
  it('returns the patient first, the compartment, and what it references; nothing of other patients; no deleted', async () => {
    const r = await request(s.base, 'GET', `Patient/${pid}/$everything`);
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('searchset');
    const got = ids(r.body);
    expect(got[0]).toBe(`Patient/${pid}`);
    expect(got).toEqual(expect.arrayContaining(['Condition/ev-cond', 'Observation/ev-obs-0', 'Organization/ev-org', 'Practitioner/ev-doc']));
    expect(got).not.toContain('Observation/ev-not-mine');
    expect(got).not.toContain('Patient/ev-other');
    expect(got).not.toContain('Observation/ev-obs-6');
    expect(new Set(got).size).toBe(got.length);
    expect(r.body.total).toBe(got.length);
  });

  it('pages with _count and next links, filters by _type and _since', async () => {
    const all: string[] = [];
    let path: string | undefined = `Patient/${pid}/$everything?_count=3`;
    while (path) {
      const page: any = await request(s.base, 'GET', path);
      expect(page.body.entry.length).toBeLessThanOrEqual(3);
      all.push(...ids(page.body));
      const next: string | undefined = page.body.link.find((l: any) => l.relation === 'next')?.url;
      path = next?.slice(s.base.length + 1);
    }
    const whole = await request(s.base, 'GET', `Patient/${pid}/$everything`);
    expect(all).toEqual(ids(whole.body));
    const onlyObs = await request(s.base, 'GET', `Patient/${pid}/$everything?_type=Observation`);
    expect(ids(onlyObs.body).every((x: string) => x.startsWith('Observation/'))).toBe(true);
    const future = await request(s.base, 'GET', `Patient/${pid}/$everything?_since=2999-01-01T00:00:00Z`);
    expect(future.body.entry ?? []).toHaveLength(0);
  });

  it('reads the same record whatever the statement page size (keyset across tables and within one)', async () => {
    const read = async (pageSize?: number, options: { types?: string[]; since?: string } = {}) => {
      const out: string[] = [];
      for await (const r of patientEverything(s.confide.db, pid, { pageSize, ...options })) out.push(`${r.resource_type}/${r.id}`);
      return out;
    };
    const whole = await read();
    expect(whole.length).toBeGreaterThan(8);
    for (const size of [1, 2, 3, 7]) expect(await read(size)).toEqual(whole);
    // Referenced resources are found from rows that _type leaves out of the answer.
    expect(await read(2, { types: ['Practitioner'] })).toEqual(['Practitioner/ev-doc']);
    expect(await read(2, { since: '2999-01-01T00:00:00Z' })).toEqual([]);
  });

  it('answers 404 for an unknown patient and 400 for bad parameters', async () => {
    expect((await request(s.base, 'GET', 'Patient/nobody/$everything')).status).toBe(404);
    const bad = await request(s.base, 'GET', `Patient/${pid}/$everything?_since=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].expression).toEqual(['_since']);
    expect((await request(s.base, 'GET', `Patient/${pid}/$everything?_type=Nope`)).status).toBe(400);
    expect((await request(s.base, 'GET', `Patient/${pid}/$everything?foo=1`)).status).toBe(400);
  });
});
