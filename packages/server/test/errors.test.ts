import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './support/harness.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ maxBodyBytes: 1024 * 1024 });
});
afterAll(async () => {
  await s?.close();
});

async function countPatients(): Promise<number> {
  const h = await request(s.base, 'GET', 'Patient/_history?_count=1000');
  return h.body.entry?.length ?? 0;
}

describe('bad input gets a clear 4xx OperationOutcome and writes nothing', () => {
  it.each([
    ['malformed JSON', 'POST', 'Patient', '{"resourceType": "Patient",', {}, 400, /not valid JSON/],
    ['a JSON array', 'POST', 'Patient', '[1,2]', {}, 400, /JSON object/],
    ['a wrong resourceType', 'POST', 'Patient', '{"resourceType":"Observation"}', {}, 400, /does not match/],
    ['no resourceType', 'POST', 'Patient', '{"name":[]}', {}, 400, /does not match/],
    ['XML', 'POST', 'Patient', '<Patient xmlns="http://hl7.org/fhir"/>', { 'content-type': 'application/fhir+xml' }, 415, /XML/],
    ['text/plain', 'POST', 'Patient', 'hello', { 'content-type': 'text/plain' }, 415, /Content-Type/],
    ['an unknown type', 'POST', 'Nonsense', '{"resourceType":"Nonsense"}', {}, 404, /Unknown resource type/],
    ['a method the endpoint lacks', 'DELETE', '_history', undefined, {}, 405, /not allowed/],
    ['a JSON patch content type on POST', 'POST', 'Patient', '[]', { 'content-type': 'application/json-patch+json' }, 415, /PATCH/],
  ])('%s', async (_name, method, path, body, headers, status, text) => {
    const before = await countPatients();
    const r = await request(s.base, method, path, body, headers as Record<string, string>);
    expect(r.status).toBe(status);
    expect(r.body.resourceType).toBe('OperationOutcome');
    expect(r.body.issue[0].severity).toBe('error');
    expect(r.body.issue[0].details.text).toMatch(text);
    expect(await countPatients()).toBe(before);
  });

  it.each([
    ['a code outside a required value set', { resourceType: 'Patient', gender: 'robot' }, 'Patient.gender'],
    ['an unknown element', { resourceType: 'Patient', nickname: 'x' }, 'Patient.nickname'],
    ['a single value where an array belongs', { resourceType: 'Patient', name: { family: 'x' } }, 'Patient.name'],
    ['a malformed date', { resourceType: 'Patient', birthDate: '1990-13-45' }, 'Patient.birthDate'],
    ['a missing required element', { resourceType: 'Observation', code: { text: 'x' } }, 'Observation.status'],
    ['a malformed reference', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'not a reference' } }, 'Observation.subject.reference'],
  ])('validates against R4: %s', async (_name, resource, expression) => {
    const type = resource.resourceType;
    const r = await request(s.base, 'POST', type, resource);
    expect(r.status).toBe(400);
    expect(r.body.resourceType).toBe('OperationOutcome');
    expect(r.body.issue.map((i: any) => i.expression?.[0])).toContain(expression);
    const put = await request(s.base, 'PUT', `${type}/invalid-put`, { ...resource, id: 'invalid-put' });
    expect(put.status).toBe(400);
    expect((await request(s.base, 'GET', `${type}/invalid-put`)).status).toBe(404);
  });

  it('refuses an oversized body with 413', async () => {
    const big = JSON.stringify({ resourceType: 'Patient', name: [{ text: 'x'.repeat(2 * 1024 * 1024) }] });
    const r = await request(s.base, 'POST', 'Patient', big);
    expect(r.status).toBe(413);
    expect(r.body.resourceType).toBe('OperationOutcome');
  });

  it('answers 406 to a client that accepts only XML, or asks for _format=xml', async () => {
    expect((await request(s.base, 'GET', 'metadata', undefined, { accept: 'application/fhir+xml' })).status).toBe(406);
    expect((await request(s.base, 'GET', 'metadata?_format=xml')).status).toBe(406);
    expect((await request(s.base, 'GET', 'metadata?_format=json')).status).toBe(200);
  });

  it('answers 404 with an OperationOutcome outside the API too', async () => {
    const r = await request(s.url, 'GET', 'nowhere');
    expect(r.status).toBe(404);
    expect(r.body.resourceType).toBe('OperationOutcome');
  });
});
