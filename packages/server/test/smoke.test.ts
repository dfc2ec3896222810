import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './support/harness.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

describe('smoke', () => {
  it('creates and reads a patient', async () => {
    const t0 = Date.now();
    const c = await request(s.base, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Smith' }] });
    expect(c.status).toBe(201);
    const r = await request(s.base, 'GET', `Patient/${c.body.id}`);
    expect(r.status).toBe(200);
    expect(r.body.name[0].family).toBe('Smith');
    console.log('ms', Date.now() - t0);
  });
});
