import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './support/harness.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

describe('concurrency', () => {
  it('parallel conditional creates with the same If-None-Exist make exactly one resource', async () => {
    const identifier = { system: 'urn:test:mrn', value: `race-${Date.now()}` };
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        request(s.base, 'POST', 'Patient', { resourceType: 'Patient', identifier: [identifier] }, {
          'if-none-exist': `identifier=${identifier.system}|${identifier.value}`,
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((x) => x === 201)).toHaveLength(1);
    expect(statuses.filter((x) => x === 200)).toHaveLength(11);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const found = await request(s.base, 'GET', `Patient?identifier=${identifier.system}|${identifier.value}&_total=accurate`);
    expect(found.body.total).toBe(1);
  });

  it('parallel If-Match updates of the same version: exactly one wins, the others get 412', async () => {
    const c = await request(s.base, 'POST', 'Patient', { resourceType: 'Patient', active: true });
    const id = c.body.id;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(s.base, 'PUT', `Patient/${id}`, { resourceType: 'Patient', id, name: [{ family: `Writer${i}` }] }, { 'if-match': 'W/"1"' }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(9);
    const now = await request(s.base, 'GET', `Patient/${id}`);
    expect(now.body.meta.versionId).toBe('2');
    const history = await request(s.base, 'GET', `Patient/${id}/_history`);
    expect(history.body.total).toBe(2);
  });

  it('parallel updates without If-Match each make their own version, none lost', async () => {
    const c = await request(s.base, 'POST', 'Patient', { resourceType: 'Patient', active: true });
    const id = c.body.id;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => request(s.base, 'PUT', `Patient/${id}`, { resourceType: 'Patient', id, name: [{ family: `W${i}` }] })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.meta.versionId)).size).toBe(8);
    expect((await request(s.base, 'GET', `Patient/${id}`)).body.meta.versionId).toBe('9');
  });

  it('parallel update-as-create of one new id makes one version 1, the rest later versions', async () => {
    const id = `new-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => request(s.base, 'PUT', `Patient/${id}`, { resourceType: 'Patient', id, active: true })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
  });
});

describe('conditional interactions', () => {
  it('conditional create: 201 when none match, 200 when one does, 412 when several do', async () => {
    const sys = `urn:cond:${Date.now()}`;
    const first = await request(s.base, 'POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: sys, value: 'a' }] }, { 'if-none-exist': `identifier=${sys}|a` });
    expect(first.status).toBe(201);
    const again = await request(s.base, 'POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: sys, value: 'a' }] }, { 'if-none-exist': `identifier=${sys}|a` });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    await request(s.base, 'POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: sys, value: 'b' }] });
    const many = await request(s.base, 'POST', 'Patient', { resourceType: 'Patient' , active: true}, { 'if-none-exist': `identifier=${sys}|` });
    expect(many.status).toBe(412);
    const bad = await request(s.base, 'POST', 'Patient', { resourceType: 'Patient' , active: true}, { 'if-none-exist': 'nonsense=1' });
    expect(bad.status).toBe(400);
  });

  it('conditional update: creates, then updates the single match; 412 on several', async () => {
    const sys = `urn:cu:${Date.now()}`;
    const created = await request(s.base, 'PUT', `Patient?identifier=${sys}|x`, { resourceType: 'Patient', identifier: [{ system: sys, value: 'x' }], active: true });
    expect(created.status).toBe(201);
    const updated = await request(s.base, 'PUT', `Patient?identifier=${sys}|x`, { resourceType: 'Patient', identifier: [{ system: sys, value: 'x' }], active: false });
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(created.body.id);
    expect(updated.body.meta.versionId).toBe('2');
    await request(s.base, 'POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: sys, value: 'y' }] });
    const many = await request(s.base, 'PUT', `Patient?identifier=${sys}|`, { resourceType: 'Patient' , active: true});
    expect(many.status).toBe(412);
  });

  it('conditional delete removes every match', async () => {
    const sys = `urn:cd:${Date.now()}`;
    for (const v of ['1', '2']) await request(s.base, 'POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: sys, value: v }] });
    const d = await request(s.base, 'DELETE', `Patient?identifier=${sys}|`);
    expect(d.status).toBe(200);
    const left = await request(s.base, 'GET', `Patient?identifier=${sys}|&_total=accurate`);
    expect(left.body.total).toBe(0);
  });

  it('transactions honour conditional creates and resolve conditional references', async () => {
    const sys = `urn:tx:${Date.now()}`;
    await request(s.base, 'POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: sys, value: 'p' }] });
    const r = await request(s.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:11111111-2222-4333-8444-555555555555',
          resource: { resourceType: 'Patient', identifier: [{ system: sys, value: 'p' }] },
          request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${sys}|p` },
        },
        {
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:11111111-2222-4333-8444-555555555555' } },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'y' }, subject: { reference: `Patient?identifier=${sys}|p` } },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.entry[0].response.status).toBe('200 OK');
    const pid = r.body.entry[0].resource.id;
    expect(r.body.entry[1].resource.subject.reference).toBe(`Patient/${pid}`);
    expect(r.body.entry[2].resource.subject.reference).toBe(`Patient/${pid}`);
  });
});
