import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './support/harness.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const patient = (family: string) => ({ resourceType: 'Patient', name: [{ family, given: ['Ada'] }], gender: 'female' });

describe('create', () => {
  it('assigns an id, version 1 and lastUpdated, with Location, ETag and Last-Modified', async () => {
    const before = Date.now();
    const r = await request(s.base, 'POST', 'Patient', { ...patient('Lovelace'), id: 'client-chosen' });
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/); // the server ignores a client id on create
    expect(r.body.meta.versionId).toBe('1');
    expect(Date.parse(r.body.meta.lastUpdated)).toBeGreaterThanOrEqual(before - 1000);
    expect(r.headers.get('location')).toBe(`${s.base}/Patient/${r.body.id}/_history/1`);
    expect(r.headers.get('etag')).toBe('W/"1"');
    expect(new Date(r.headers.get('last-modified') as string).getTime()).toBe(Math.floor(Date.parse(r.body.meta.lastUpdated) / 1000) * 1000);
  });

  it('keeps client meta (tags, profiles, security) and overwrites versionId/lastUpdated', async () => {
    const r = await request(s.base, 'POST', 'Patient', {
      ...patient('Tagged'),
      meta: { versionId: '99', lastUpdated: '2000-01-01T00:00:00Z', tag: [{ system: 'urn:t', code: 'x' }] },
    });
    expect(r.status).toBe(201);
    expect(r.body.meta.versionId).toBe('1');
    expect(r.body.meta.lastUpdated).not.toBe('2000-01-01T00:00:00Z');
    expect(r.body.meta.tag).toEqual([{ system: 'urn:t', code: 'x' }]);
  });

  it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
    const min = await request(s.base, 'POST', 'Patient', patient('Min'), { prefer: 'return=minimal' });
    expect(min.status).toBe(201);
    expect(min.text).toBe('');
    expect(min.headers.get('location')).toContain('/Patient/');
    const oo = await request(s.base, 'POST', 'Patient', patient('OO'), { prefer: 'return=OperationOutcome' });
    expect(oo.status).toBe(201);
    expect(oo.body.resourceType).toBe('OperationOutcome');
  });
});

describe('read and vread', () => {
  it('reads the current version and answers 304 to a matching If-None-Match', async () => {
    const c = await request(s.base, 'POST', 'Patient', patient('Reader'));
    const r = await request(s.base, 'GET', `Patient/${c.body.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(c.body);
    expect(r.headers.get('etag')).toBe('W/"1"');
    const nm = await request(s.base, 'GET', `Patient/${c.body.id}`, undefined, { 'if-none-match': 'W/"1"' });
    expect(nm.status).toBe(304);
  });

  it('answers 404 for an unknown id, an invalid id and an unknown type', async () => {
    for (const path of ['Patient/does-not-exist', 'Patient/bad_id!', 'Nonsense/1', 'Patient/1/_history/1']) {
      const r = await request(s.base, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body.resourceType).toBe('OperationOutcome');
    }
  });

  it('vreads every version; an unknown version is 404', async () => {
    const c = await request(s.base, 'POST', 'Patient', patient('V1'));
    const id = c.body.id;
    await request(s.base, 'PUT', `Patient/${id}`, { ...patient('V2'), id });
    const v1 = await request(s.base, 'GET', `Patient/${id}/_history/1`);
    const v2 = await request(s.base, 'GET', `Patient/${id}/_history/2`);
    expect(v1.body.name[0].family).toBe('V1');
    expect(v2.body.name[0].family).toBe('V2');
    expect(v2.headers.get('etag')).toBe('W/"2"');
    expect((await request(s.base, 'GET', `Patient/${id}/_history/3`)).status).toBe(404);
    expect((await request(s.base, 'GET', `Patient/${id}/_history/x`)).status).toBe(404);
  });
});

describe('update', () => {
  it('bumps the version; If-Match with a stale version is 412 and changes nothing', async () => {
    const c = await request(s.base, 'POST', 'Patient', patient('U1'));
    const id = c.body.id;
    const u = await request(s.base, 'PUT', `Patient/${id}`, { ...patient('U2'), id }, { 'if-match': 'W/"1"' });
    expect(u.status).toBe(200);
    expect(u.body.meta.versionId).toBe('2');
    expect(u.headers.get('etag')).toBe('W/"2"');
    const stale = await request(s.base, 'PUT', `Patient/${id}`, { ...patient('U3'), id }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    const r = await request(s.base, 'GET', `Patient/${id}`);
    expect(r.body.name[0].family).toBe('U2');
  });

  it('creates with the client id when the id is new (update-as-create)', async () => {
    const u = await request(s.base, 'PUT', 'Patient/my-own-id-1', { ...patient('Own'), id: 'my-own-id-1' });
    expect(u.status).toBe(201);
    expect(u.body.meta.versionId).toBe('1');
    expect(u.headers.get('location')).toBe(`${s.base}/Patient/my-own-id-1/_history/1`);
  });

  it('rejects a missing or mismatched id, and a resourceType that does not match the URL', async () => {
    const noId = await request(s.base, 'PUT', 'Patient/abc', patient('X'));
    expect(noId.status).toBe(400);
    const mismatch = await request(s.base, 'PUT', 'Patient/abc', { ...patient('X'), id: 'xyz' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.issue[0].expression).toEqual(['Patient.id']);
    const wrongType = await request(s.base, 'PUT', 'Patient/abc', { resourceType: 'Observation', id: 'abc' });
    expect(wrongType.status).toBe(400);
  });
});

describe('patch', () => {
  it('applies a JSON Patch and validates the result', async () => {
    const c = await request(s.base, 'POST', 'Patient', patient('P1'));
    const id = c.body.id;
    const p = await request(
      s.base,
      'PATCH',
      `Patient/${id}`,
      [{ op: 'replace', path: '/name/0/family', value: 'P2' }, { op: 'add', path: '/active', value: true }],
      { 'content-type': 'application/json-patch+json' },
    );
    expect(p.status).toBe(200);
    expect(p.body.name[0].family).toBe('P2');
    expect(p.body.active).toBe(true);
    expect(p.body.meta.versionId).toBe('2');
  });

  it('refuses a failed test op (422), a malformed patch (400), a stale If-Match (412), an id change (400)', async () => {
    const c = await request(s.base, 'POST', 'Patient', patient('P1'));
    const id = c.body.id;
    const h = { 'content-type': 'application/json-patch+json' };
    expect((await request(s.base, 'PATCH', `Patient/${id}`, [{ op: 'test', path: '/gender', value: 'male' }], h)).status).toBe(422);
    expect((await request(s.base, 'PATCH', `Patient/${id}`, { op: 'add' }, h)).status).toBe(400);
    expect((await request(s.base, 'PATCH', `Patient/${id}`, [{ op: 'nope', path: '/x' }], h)).status).toBe(400);
    expect((await request(s.base, 'PATCH', `Patient/${id}`, [{ op: 'replace', path: '/id', value: 'other' }], h)).status).toBe(400);
    expect(
      (await request(s.base, 'PATCH', `Patient/${id}`, [{ op: 'add', path: '/active', value: true }], { ...h, 'if-match': 'W/"7"' })).status,
    ).toBe(412);
    expect((await request(s.base, 'GET', `Patient/${id}`)).body.meta.versionId).toBe('1');
  });
});

describe('delete', () => {
  it('deletes: read is 410, vread of the deleted version is 410, old versions stay readable', async () => {
    const c = await request(s.base, 'POST', 'Patient', patient('D1'));
    const id = c.body.id;
    const d = await request(s.base, 'DELETE', `Patient/${id}`);
    expect(d.status).toBe(200);
    expect(d.headers.get('etag')).toBe('W/"2"');
    expect((await request(s.base, 'GET', `Patient/${id}`)).status).toBe(410);
    expect((await request(s.base, 'GET', `Patient/${id}/_history/2`)).status).toBe(410);
    expect((await request(s.base, 'GET', `Patient/${id}/_history/1`)).status).toBe(200);
    // Deleting again, or deleting what never existed, succeeds and changes nothing.
    expect((await request(s.base, 'DELETE', `Patient/${id}`)).status).toBe(200);
    expect((await request(s.base, 'DELETE', 'Patient/never-existed')).status).toBe(200);
    // A deleted resource can be brought back by update; it continues its version history.
    const back = await request(s.base, 'PUT', `Patient/${id}`, { ...patient('D2'), id });
    expect(back.status).toBe(201);
    expect(back.body.meta.versionId).toBe('3');
  });
});

describe('history', () => {
  it('lists instance history newest first, with deletions as DELETE entries', async () => {
    const c = await request(s.base, 'POST', 'Patient', patient('H1'));
    const id = c.body.id;
    await request(s.base, 'PUT', `Patient/${id}`, { ...patient('H2'), id });
    await request(s.base, 'DELETE', `Patient/${id}`);
    const h = await request(s.base, 'GET', `Patient/${id}/_history`);
    expect(h.status).toBe(200);
    expect(h.body.type).toBe('history');
    expect(h.body.total).toBe(3);
    expect(h.body.entry.map((e: any) => e.response.etag)).toEqual(['W/"3"', 'W/"2"', 'W/"1"']);
    expect(h.body.entry[0].request).toEqual({ method: 'DELETE', url: `Patient/${id}` });
    expect(h.body.entry[0].resource).toBeUndefined();
    expect(h.body.entry[1].resource.name[0].family).toBe('H2');
    expect(h.body.entry[2].request.method).toBe('POST');
  });

  it('pages type and system history with next links that ignore later writes; _since filters', async () => {
    const start = new Date().toISOString();
    for (let i = 0; i < 5; i++) await request(s.base, 'POST', 'Observation', obs(i));
    const first = await request(s.base, 'GET', `Observation/_history?_count=2&_since=${encodeURIComponent(start)}`);
    expect(first.body.entry).toHaveLength(2);
    const seen = first.body.entry.map((e: any) => e.resource.id);
    // Writes after the first page do not shift the pages that follow.
    await request(s.base, 'POST', 'Observation', obs(99));
    let next = first.body.link.find((l: any) => l.relation === 'next')?.url;
    while (next) {
      const page = await request(s.base, 'GET', next.slice(s.base.length + 1));
      seen.push(...page.body.entry.map((e: any) => e.resource.id));
      next = page.body.link.find((l: any) => l.relation === 'next')?.url;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const system = await request(s.base, 'GET', `_history?_since=${encodeURIComponent(start)}&_count=100`);
    expect(system.body.entry.length).toBe(6);
  });

  it('rejects bad history parameters', async () => {
    expect((await request(s.base, 'GET', '_history?_count=abc')).status).toBe(400);
    expect((await request(s.base, 'GET', '_history?_count=100000')).status).toBe(400);
    expect((await request(s.base, 'GET', '_history?_since=yesterday')).status).toBe(400);
    expect((await request(s.base, 'GET', '_history?_cursor=garbage')).status).toBe(400);
    const bad = await request(s.base, 'GET', '_history?foo=1');
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].expression).toEqual(['foo']);
  });
});

describe('metadata', () => {
  it('serves a CapabilityStatement for FHIR 4.0.1 listing every resource type', async () => {
    const r = await request(s.base, 'GET', 'metadata');
    expect(r.status).toBe(200);
    expect(r.body.resourceType).toBe('CapabilityStatement');
    expect(r.body.fhirVersion).toBe('4.0.1');
    const types = r.body.rest[0].resource.map((x: any) => x.type);
    expect(types).toContain('Patient');
    expect(types.length).toBe(146);
    const patientCaps = r.body.rest[0].resource.find((x: any) => x.type === 'Patient');
    expect(patientCaps.interaction.map((i: any) => i.code)).toEqual(
      expect.arrayContaining(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create']),
    );
    expect(r.body.rest[0].interaction.map((i: any) => i.code)).toEqual(['transaction', 'batch', 'history-system']);
  });
});

function obs(i: number) {
  return { resourceType: 'Observation', status: 'final', code: { text: `obs ${i}` }, valueInteger: i };
}
