import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './support/harness.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const patientUrn = 'urn:uuid:6c4a2a8e-1111-4a3b-9c1d-000000000001';

function transaction(entries: object[], type = 'transaction') {
  return { resourceType: 'Bundle', type, entry: entries };
}

describe('transaction', () => {
  it('creates all entries, rewrites urn:uuid references, answers in request order', async () => {
    const r = await request(
      s.base,
      'POST',
      '',
      transaction([
        {
          fullUrl: 'urn:uuid:6c4a2a8e-1111-4a3b-9c1d-000000000002',
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: patientUrn } },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          fullUrl: patientUrn,
          resource: {
            resourceType: 'Patient',
            name: [{ family: 'Bundled' }],
            text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><a href="${patientUrn}">me</a></div>` },
          },
          request: { method: 'POST', url: 'Patient' },
        },
        { resource: { resourceType: 'Patient', id: 'tx-put-1', name: [{ family: 'Put' }] }, request: { method: 'PUT', url: 'Patient/tx-put-1' } },
        { request: { method: 'GET', url: 'Patient/tx-put-1' } },
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('transaction-response');
    const [obs, pat, put, get] = r.body.entry;
    expect(obs.response.status).toBe('201 Created');
    expect(pat.response.status).toBe('201 Created');
    expect(put.response.status).toBe('201 Created');
    expect(get.response.status).toBe('200 OK');
    expect(get.resource.name[0].family).toBe('Put');
    expect(obs.response.location).toMatch(/\/Observation\/[0-9a-f-]{36}\/_history\/1$/);
    expect(obs.response.etag).toBe('W/"1"');
    const patientId = pat.resource.id;
    expect(obs.resource.subject.reference).toBe(`Patient/${patientId}`);
    expect(pat.resource.text.div).toContain(`Patient/${patientId}`);
    const stored = await request(s.base, 'GET', `Observation/${obs.resource.id}`);
    expect(stored.body.subject.reference).toBe(`Patient/${patientId}`);
  });

  it('is all or nothing: a failing entry rolls back the others and names the entry', async () => {
    const r = await request(
      s.base,
      'POST',
      '',
      transaction([
        { resource: { resourceType: 'Patient', id: 'rollback-1', name: [{ family: 'Gone' }] }, request: { method: 'PUT', url: 'Patient/rollback-1' } },
        { resource: { resourceType: 'Patient', name: [{ family: 'AlsoGone' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', id: 'x', name: [{ family: 'Stale' }] }, request: { method: 'PUT', url: 'Patient/x', ifMatch: 'W/"5"' } },
      ]),
    );
    expect(r.status).toBe(412);
    expect(r.body.resourceType).toBe('OperationOutcome');
    expect(r.body.issue[0].expression[0]).toMatch(/^Bundle\.entry\[2\]/);
    expect((await request(s.base, 'GET', 'Patient/rollback-1')).status).toBe(404);
  });

  it('rejects a reference to a urn:uuid that no entry has, duplicate fullUrls and a bad request.url', async () => {
    const dangling = await request(
      s.base,
      'POST',
      '',
      transaction([
        {
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:0d0d0d0d-0000-4000-8000-000000000000' } },
          request: { method: 'POST', url: 'Observation' },
        },
      ]),
    );
    expect(dangling.status).toBe(400);
    const dup = await request(
      s.base,
      'POST',
      '',
      transaction([
        { fullUrl: patientUrn, resource: { resourceType: 'Patient' , active: true}, request: { method: 'POST', url: 'Patient' } },
        { fullUrl: patientUrn, resource: { resourceType: 'Patient' , active: true}, request: { method: 'POST', url: 'Patient' } },
      ]),
    );
    expect(dup.status).toBe(400);
    expect(dup.body.issue[0].expression).toEqual(['Bundle.entry[1].fullUrl']);
    const badUrl = await request(s.base, 'POST', '', transaction([{ resource: { resourceType: 'Patient' , active: true}, request: { method: 'POST', url: 'Nope' } }]));
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.issue[0].expression).toEqual(['Bundle.entry[0].request.url']);
  });

  it('processes DELETE before POST before PUT before GET', async () => {
    await request(s.base, 'PUT', 'Patient/order-1', { resourceType: 'Patient', id: 'order-1', active: true });
    const r = await request(
      s.base,
      'POST',
      '',
      transaction([
        { request: { method: 'GET', url: 'Patient/order-1' } },
        { resource: { resourceType: 'Patient', id: 'order-1', active: false }, request: { method: 'PUT', url: 'Patient/order-1' } },
        { request: { method: 'DELETE', url: 'Patient/order-1' } },
      ]),
    );
    expect(r.status).toBe(200);
    // DELETE ran first (v2), then PUT revived it (v3), then GET saw v3.
    expect(r.body.entry[0].resource.meta.versionId).toBe('3');
    expect(r.body.entry[0].resource.active).toBe(false);
  });

  it('supports PATCH entries as a Binary holding a JSON Patch', async () => {
    await request(s.base, 'PUT', 'Patient/patch-tx', { resourceType: 'Patient', id: 'patch-tx', active: true });
    const patch = Buffer.from(JSON.stringify([{ op: 'replace', path: '/active', value: false }])).toString('base64');
    const r = await request(
      s.base,
      'POST',
      '',
      transaction([{ resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patch }, request: { method: 'PATCH', url: 'Patient/patch-tx' } }]),
    );
    expect(r.status).toBe(200);
    expect(r.body.entry[0].resource.active).toBe(false);
  });

  it('refuses a Bundle that is not a batch or transaction at the base', async () => {
    const r = await request(s.base, 'POST', '', { resourceType: 'Bundle', type: 'collection' });
    expect(r.status).toBe(400);
    expect(r.body.issue[0].expression).toEqual(['Bundle.type']);
    const p = await request(s.base, 'POST', '', { resourceType: 'Patient' });
    expect(p.status).toBe(400);
  });
});

describe('batch', () => {
  it('runs entries independently and reports each outcome in order', async () => {
    const r = await request(
      s.base,
      'POST',
      '',
      transaction(
        [
          { resource: { resourceType: 'Patient', name: [{ family: 'BatchOk' }] }, request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'GET', url: 'Patient/does-not-exist' } },
          { resource: { resourceType: 'Patient', id: 'b1', active: true }, request: { method: 'PUT', url: 'Patient/b1', ifMatch: 'W/"9"' } },
          { request: { method: 'BREW', url: 'Patient' } },
        ],
        'batch',
      ),
    );
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('batch-response');
    expect(r.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '404 Not Found', '412 Precondition Failed', '400 Bad Request']);
    expect(r.body.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
    expect(r.body.entry[0].resource.name[0].family).toBe('BatchOk');
  });

  it('leaves out resources with Prefer: return=minimal', async () => {
    const r = await request(
      s.base,
      'POST',
      '',
      transaction([{ resource: { resourceType: 'Patient', active: true }, request: { method: 'POST', url: 'Patient' } }], 'batch'),
      { prefer: 'return=minimal' },
    );
    expect(r.body.entry[0].resource).toBeUndefined();
    expect(r.body.entry[0].response.location).toContain('/Patient/');
  });
});
