import { Client, type FhirResource } from 'fhir-kit-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.ts';

// The server driven by fhir-kit-client, a FHIR client written by others: whatever it sends (headers, URL
// shapes, bodies) and however it reads replies (status, Location, Bundle links) must work unchanged.

type Json = Record<string, any>;

let s: TestServer;
let client: Client;
beforeAll(async () => {
  s = await startTestServer();
  client = new Client({ baseUrl: s.base, bearerToken: s.auth.authorization.slice('Bearer '.length) });
});
afterAll(async () => {
  await s?.close();
});

/** The client rejects a non-2xx reply with an Error carrying `response.status` and `response.data`. */
async function clientError(promise: Promise<unknown> | undefined): Promise<{ status: number; data: Json }> {
  try {
    await promise;
  } catch (e) {
    const err = e as Error & { response?: { status: number; data: Json } };
    expect(err).toBeInstanceOf(Error);
    expect(err.response, String(err)).toBeDefined();
    return err.response as { status: number; data: Json };
  }
  throw new Error('expected the client to reject');
}

function expectOutcome(data: Json) {
  expect(data.resourceType).toBe('OperationOutcome');
  expect(data.issue.length).toBeGreaterThan(0);
  expect(data.issue[0].severity).toMatch(/^(error|fatal)$/);
}

/** The HTTP reply behind a value the client returned (fhir-kit-client attaches it, not enumerable). */
const status = (r: Json) => Client.httpFor(r as FhirResource).response?.status;
const header = (r: Json, name: string) => Client.httpFor(r as FhirResource).response?.headers.get(name);
const unique = (prefix: string) => `${prefix}${Math.random().toString(36).slice(2, 10)}`;

const patient = (family: string, extra: Json = {}): FhirResource => ({
  resourceType: 'Patient',
  name: [{ family, given: ['Kit'] }],
  gender: 'other',
  ...extra,
});

describe('fhir-kit-client against Confide', () => {
  it('reads the CapabilityStatement', async () => {
    const cs = (await client.capabilityStatement()) as Json;
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.kind).toBe('instance');
    expect(cs.format).toContain('application/fhir+json');
    const rest = cs.rest[0];
    expect(rest.mode).toBe('server');
    expect(rest.interaction.map((i: Json) => i.code)).toEqual(expect.arrayContaining(['transaction', 'batch', 'history-system']));
    const p = rest.resource.find((r: Json) => r.type === 'Patient');
    expect(p.interaction.map((i: Json) => i.code)).toEqual(
      expect.arrayContaining(['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type']),
    );
    expect(p.searchParam.map((sp: Json) => sp.name)).toEqual(expect.arrayContaining(['name', 'family', 'identifier', '_id']));
  });

  it('creates, reads and vreads', async () => {
    const created = (await client.create({ resourceType: 'Patient', body: patient('Create') })) as Json;
    expect(status(created)).toBe(201);
    expect(created.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    expect(created.meta.versionId).toBe('1');
    expect(header(created, 'location')).toBe(`${s.base}/Patient/${created.id}/_history/1`);
    expect(header(created, 'etag')).toBe('W/"1"');

    const read = (await client.read({ resourceType: 'Patient', id: created.id })) as Json;
    expect(status(read)).toBe(200);
    expect(read).toEqual(created);

    const v1 = (await client.vread({ resourceType: 'Patient', id: created.id, version: '1' })) as Json;
    expect(v1).toEqual(created);
  });

  it('updates, and a stale If-Match surfaces as the client error 412 with an OperationOutcome', async () => {
    const created = (await client.create({ resourceType: 'Patient', body: patient('Update') })) as Json;
    const updated = (await client.update({
      resourceType: 'Patient',
      id: created.id,
      body: { ...patient('Updated'), id: created.id },
      options: { headers: { 'If-Match': 'W/"1"' } },
    })) as Json;
    expect(status(updated)).toBe(200);
    expect(updated.meta.versionId).toBe('2');
    expect(updated.name[0].family).toBe('Updated');
    expect(header(updated, 'etag')).toBe('W/"2"');

    const stale = await clientError(
      client.update({ resourceType: 'Patient', id: created.id, body: { ...patient('Stale'), id: created.id }, options: { headers: { 'If-Match': 'W/"1"' } } }),
    );
    expect(stale.status).toBe(412);
    expectOutcome(stale.data);
    expect(((await client.read({ resourceType: 'Patient', id: created.id })) as Json).name[0].family).toBe('Updated');

    // Both versions stay readable.
    expect(((await client.vread({ resourceType: 'Patient', id: created.id, version: '1' })) as Json).name[0].family).toBe('Update');
    expect(((await client.vread({ resourceType: 'Patient', id: created.id, version: '2' })) as Json).name[0].family).toBe('Updated');
  });

  it('creates with update (client-chosen id) and updates conditionally through searchParams', async () => {
    const id = unique('kit-');
    const created = (await client.update({ resourceType: 'Patient', id, body: { ...patient('Chosen'), id } })) as Json;
    expect(status(created)).toBe(201);
    expect(created.id).toBe(id);

    const system = 'urn:confide:test:fhir-kit';
    const value = unique('mrn-');
    const first = (await client.update({
      resourceType: 'Patient',
      searchParams: { identifier: `${system}|${value}` },
      body: patient('Conditional', { identifier: [{ system, value }] }),
    })) as Json;
    expect(status(first)).toBe(201);
    const second = (await client.update({
      resourceType: 'Patient',
      searchParams: { identifier: `${system}|${value}` },
      body: patient('Conditional2', { identifier: [{ system, value }] }),
    })) as Json;
    expect(status(second)).toBe(200);
    expect(second.id).toBe(first.id);
    expect(second.meta.versionId).toBe('2');
  });

  it('patches with JSON Patch; a failed test op and a stale version surface as client errors', async () => {
    const created = (await client.create({ resourceType: 'Patient', body: patient('Patch') })) as Json;
    const patched = (await client.patch({
      resourceType: 'Patient',
      id: created.id,
      jsonPatch: [
        { op: 'test', path: '/gender', value: 'other' },
        { op: 'replace', path: '/name/0/family', value: 'Patched' },
        { op: 'add', path: '/birthDate', value: '1970-01-02' },
        { op: 'remove', path: '/gender' },
      ],
    })) as Json;
    expect(status(patched)).toBe(200);
    expect(patched.meta.versionId).toBe('2');
    expect(patched.name[0].family).toBe('Patched');
    expect(patched.birthDate).toBe('1970-01-02');
    expect(patched.gender).toBeUndefined();
    expect(await client.read({ resourceType: 'Patient', id: created.id })).toEqual(patched);

    const failedTest = await clientError(client.patch({ resourceType: 'Patient', id: created.id, jsonPatch: [{ op: 'test', path: '/birthDate', value: '2000-01-01' }] }));
    expect(failedTest.status).toBe(422);
    expectOutcome(failedTest.data);
    const stale = await clientError(
      client.patch({
        resourceType: 'Patient',
        id: created.id,
        jsonPatch: [{ op: 'add', path: '/active', value: true }],
        options: { headers: { 'If-Match': 'W/"1"' } },
      }),
    );
    expect(stale.status).toBe(412);
    expectOutcome(stale.data);
    // A patch whose result is not a valid Patient is refused.
    const invalid = await clientError(client.patch({ resourceType: 'Patient', id: created.id, jsonPatch: [{ op: 'add', path: '/gender', value: 'robot' }] }));
    expect(invalid.status).toBe(400);
    expectOutcome(invalid.data);
    expect(((await client.read({ resourceType: 'Patient', id: created.id })) as Json).meta.versionId).toBe('2');
  });

  it('searches and pages with nextPage/prevPage until there is no next link', async () => {
    const family = unique('Pager');
    const ids = new Set<string>();
    for (let i = 0; i < 23; i++) {
      ids.add(((await client.create({ resourceType: 'Patient', body: patient(family, { birthDate: `1980-01-${String(i + 1).padStart(2, '0')}` }) })) as Json).id);
    }
    let page = (await client.search({ resourceType: 'Patient', searchParams: { family, _count: 10, _sort: 'birthdate', _total: 'accurate' } })) as Json;
    expect(page.resourceType).toBe('Bundle');
    expect(page.type).toBe('searchset');
    expect(page.total).toBe(23);
    const seen: string[] = [];
    const sizes: number[] = [];
    const pages: Json[] = [];
    for (;;) {
      pages.push(page);
      sizes.push(page.entry.length);
      for (const e of page.entry) {
        expect(e.search.mode).toBe('match');
        expect(e.fullUrl).toBe(`${s.base}/Patient/${e.resource.id}`);
        seen.push(e.resource.id);
      }
      const next = client.nextPage({ bundle: page as FhirResource & { link: { relation: string; url: string }[] } });
      if (!next) break;
      page = (await next) as Json;
    }
    expect(sizes).toEqual([10, 10, 3]);
    expect(new Set(seen)).toEqual(ids);
    expect(seen).toHaveLength(23);
    // Sorted by birthDate across the pages.
    const dates = pages.flatMap((p) => p.entry.map((e: Json) => e.resource.birthDate));
    expect(dates).toEqual([...dates].sort());

    // prevPage from the last page gives the middle page again.
    const last = pages[2] as FhirResource & { link: { relation: string; url: string }[] };
    const prev = client.prevPage({ bundle: last });
    expect(prev, 'the last page has a previous link').toBeDefined();
    expect(((await prev) as Json).entry.map((e: Json) => e.resource.id)).toEqual(pages[1].entry.map((e: Json) => e.resource.id));
    expect(client.prevPage({ bundle: pages[0] as FhirResource & { link: { relation: string; url: string }[] } })).toBeUndefined();

    // POST [type]/_search (form body) finds the same.
    const posted = (await client.search({ resourceType: 'Patient', searchParams: { family, _summary: 'count' }, options: { postSearch: true } })) as Json;
    expect(posted.total).toBe(23);
  });

  it('searches a compartment', async () => {
    const p = (await client.create({ resourceType: 'Patient', body: patient('Compartment') })) as Json;
    for (const code of ['a', 'b']) {
      await client.create({ resourceType: 'Observation', body: { resourceType: 'Observation', status: 'final', code: { text: code }, subject: { reference: `Patient/${p.id}` } } });
    }
    const bundle = (await client.compartmentSearch({ resourceType: 'Observation', compartment: { resourceType: 'Patient', id: p.id } })) as Json;
    expect(bundle.entry.map((e: Json) => e.resource.code.text).sort()).toEqual(['a', 'b']);
    const ref = (await client.resolve({ reference: `Patient/${p.id}` })) as Json;
    expect(ref.id).toBe(p.id);
  });

  it('reads instance, type and system history, newest first', async () => {
    const created = (await client.create({ resourceType: 'Practitioner', body: { resourceType: 'Practitioner', name: [{ family: 'H1' }] } })) as Json;
    await client.update({ resourceType: 'Practitioner', id: created.id, body: { resourceType: 'Practitioner', id: created.id, name: [{ family: 'H2' }] } });
    await client.patch({ resourceType: 'Practitioner', id: created.id, jsonPatch: [{ op: 'replace', path: '/name/0/family', value: 'H3' }] });

    const h = (await client.history({ resourceType: 'Practitioner', id: created.id })) as Json;
    expect(h.type).toBe('history');
    expect(h.entry.map((e: Json) => e.resource.meta.versionId)).toEqual(['3', '2', '1']);
    expect(h.entry.map((e: Json) => e.resource.name[0].family)).toEqual(['H3', 'H2', 'H1']);
    expect(h.entry.map((e: Json) => e.request.method)).toEqual(['PUT', 'PUT', 'POST']);
    expect(h.entry[0].fullUrl).toBe(`${s.base}/Practitioner/${created.id}`);

    const typeHistory = (await client.typeHistory({ resourceType: 'Practitioner' })) as Json;
    expect(typeHistory.entry.every((e: Json) => e.resource?.resourceType === 'Practitioner' || e.request?.method === 'DELETE')).toBe(true);
    expect(typeHistory.entry.filter((e: Json) => e.resource?.id === created.id)).toHaveLength(3);

    const system = (await client.systemHistory()) as Json;
    expect(system.type).toBe('history');
    expect(system.entry[0].resource).toEqual(h.entry[0].resource); // the newest version of anything

    // The unknown resource: 404 with an OperationOutcome.
    const missing = await clientError(client.history({ resourceType: 'Practitioner', id: 'no-such-practitioner' }));
    expect(missing.status).toBe(404);
    expectOutcome(missing.data);
  });

  it('runs a transaction and a batch', async () => {
    const pUrn = 'urn:uuid:3f8a1c9e-5b1d-4c2a-9e77-0a1b2c3d4e5f';
    const family = unique('Tx');
    const tx = (await client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: pUrn, resource: patient(family), request: { method: 'POST', url: 'Patient' } },
          {
            resource: { resourceType: 'Observation', status: 'final', code: { text: 'tx' }, subject: { reference: pUrn } },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      },
    })) as Json;
    expect(tx.type).toBe('transaction-response');
    expect(tx.entry.map((e: Json) => e.response.status)).toEqual(['201 Created', '201 Created']);
    const patientId = tx.entry[0].resource.id;
    const obs = (await client.read({ resourceType: 'Observation', id: tx.entry[1].resource.id })) as Json;
    expect(obs.subject.reference).toBe(`Patient/${patientId}`);

    // A failing transaction leaves nothing behind and surfaces as a client error.
    const failed = await clientError(
      client.transaction({
        body: {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { resource: patient(`${family}-rolled-back`), request: { method: 'POST', url: 'Patient' } },
            { resource: { ...patient('Stale'), id: patientId }, request: { method: 'PUT', url: `Patient/${patientId}`, ifMatch: 'W/"9"' } },
          ],
        },
      }),
    );
    expect(failed.status).toBe(412);
    expectOutcome(failed.data);
    const none = (await client.search({ resourceType: 'Patient', searchParams: { family: `${family}-rolled-back`, _summary: 'count' } })) as Json;
    expect(none.total).toBe(0);

    const batch = (await client.batch({
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: `Patient/${patientId}` } },
          { request: { method: 'GET', url: 'Patient/no-such-patient-in-batch' } },
          { resource: patient(family), request: { method: 'POST', url: 'Patient' } },
        ],
      },
    })) as Json;
    expect(batch.type).toBe('batch-response');
    expect(batch.entry.map((e: Json) => e.response.status.slice(0, 3))).toEqual(['200', '404', '201']);
    expect(batch.entry[0].resource.id).toBe(patientId);
    expect(batch.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
  });

  it('deletes: a read is then the client error 410, an unknown id 404, both with an OperationOutcome', async () => {
    const created = (await client.create({ resourceType: 'Patient', body: patient('Delete') })) as Json;
    const deleted = await client.delete({ resourceType: 'Patient', id: created.id });
    expect([200, 204]).toContain(status(deleted));

    const gone = await clientError(client.read({ resourceType: 'Patient', id: created.id }));
    expect(gone.status).toBe(410);
    expectOutcome(gone.data);
    const goneVersion = await clientError(client.vread({ resourceType: 'Patient', id: created.id, version: '2' }));
    expect(goneVersion.status).toBe(410);
    // The version before the delete stays readable, and history shows the delete.
    expect(((await client.vread({ resourceType: 'Patient', id: created.id, version: '1' })) as Json).name[0].family).toBe('Delete');
    const h = (await client.history({ resourceType: 'Patient', id: created.id })) as Json;
    expect(h.entry.map((e: Json) => e.request.method)).toEqual(['DELETE', 'POST']);

    const missing = await clientError(client.read({ resourceType: 'Patient', id: 'no-such-patient' }));
    expect(missing.status).toBe(404);
    expectOutcome(missing.data);
    const missingVersion = await clientError(client.vread({ resourceType: 'Patient', id: created.id, version: '9' }));
    expect(missingVersion.status).toBe(404);
    expectOutcome(missingVersion.data);
    const unknownType = await clientError(client.read({ resourceType: 'NoSuchType', id: 'x' }));
    expect(unknownType.status).toBe(404);
    expectOutcome(unknownType.data);
    const badBody = await clientError(client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', gender: 'robot' } }));
    expect(badBody.status).toBe(400);
    expectOutcome(badBody.data);
    expect(badBody.data.issue[0].expression).toEqual(['Patient.gender']);
  });
});
