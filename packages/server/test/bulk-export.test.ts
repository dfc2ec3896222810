import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkJobs } from '@confide/store';
import { request, putEntry } from './support/harness.ts';
import { labelCodes, noteAuthorization, startPractice, type Practice } from './consent-support.ts';

/**
 * FHIR Bulk Data Access 2.0 export end to end over HTTP (https://hl7.org/fhir/uv/bulkdata/STU2/export.html,
 * docs/bulk-export.md): kick-off, status, manifest, NDJSON files, cancel; the same segmentation as search
 * (psychotherapy notes, 42 CFR Part 2 with and without consent, the redisclosure notice), filters, bad input and
 * job isolation.
 */
let pr: Practice;
type User = keyof Practice['as'];
const ASYNC = { prefer: 'respond-async', accept: 'application/fhir+json' };

beforeAll(async () => {
  // Small pages and pieces, so that every export here reads several pages and writes files in several pieces.
  pr = await startPractice({ bulkExport: { pageSize: 2, chunkChars: 300 } });
});
afterAll(async () => {
  await pr?.s.close();
});

const kickOff = (user: User, path: string, headers: Record<string, string> = ASYNC, body?: unknown) =>
  request(pr.s.base, body === undefined ? 'GET' : 'POST', path, body, { ...pr.as[user], ...headers });

/** GET an absolute URL (status or file) with a user's token. */
async function fetchAs(user: User, url: string, method = 'GET', accept = 'application/json') {
  const res = await fetch(url, { method, headers: { ...pr.as[user], accept } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Polls a status URL until it completes; every in-progress answer must carry X-Progress and Retry-After. */
async function poll(user: User, url: string): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const r = await fetchAs(user, url);
    if (r.status === 200) {
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      return JSON.parse(r.text);
    }
    expect(r.status).toBe(202);
    expect(r.headers.get('x-progress')).toBeTruthy();
    expect(r.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the export did not complete');
}

/** The patients the "withheld by consent" OperationOutcomes of an export's error files name. */
function withheldIn(files: Record<string, any[]>): string[] {
  const issues = (files.OperationOutcome ?? []).flatMap((o) => o.issue).filter((i: any) => i.code === 'suppressed');
  return issues.map((i: any) => i.extension.find((e: any) => e.url === 'https://confide.health/fhir/StructureDefinition/withheld-patient').valueReference.reference).sort();
}

/** Kick-off → poll → manifest → every file, parsed: resources by type and the notices. */
async function exportAs(user: User, path: string, headers: Record<string, string> = ASYNC, body?: unknown) {
  const k = await kickOff(user, path, headers, body);
  expect(k.status, k.text).toBe(202);
  const status = k.headers.get('content-location')!;
  expect(status).toMatch(/\/fhir\/R4\/\$export-poll-status\/[0-9a-f-]{36}$/);
  const manifest = await poll(user, status);
  const files: Record<string, any[]> = {};
  for (const item of [...manifest.output, ...manifest.error]) {
    const f = await fetchAs(user, item.url, 'GET', 'application/fhir+ndjson');
    expect(f.status).toBe(200);
    expect(f.headers.get('content-type')).toBe('application/fhir+ndjson');
    const lines = f.text.split('\n');
    expect(lines.pop()).toBe('');
    const resources = lines.map((l) => JSON.parse(l));
    expect(resources.length).toBe(item.count);
    for (const r of resources) expect(r.resourceType).toBe(item.type);
    (files[item.type] ??= []).push(...resources);
  }
  const ids = (type: string) => (files[type] ?? []).map((r) => r.id).sort();
  const notice = (manifest.error as any[]).length > 0 && (files.OperationOutcome ?? []).some((o) => o.issue.some((i: any) => i.details?.coding?.[0]?.code === 'NORDSCLCD'));
  return { manifest, files, ids, notice, status };
}

describe('kick-off, status and manifest', () => {
  it('a system-level export answers 202, then a manifest whose files hold the resources as stored', async () => {
    const before = new Date().toISOString();
    const { manifest, files, ids, status } = await exportAs('system', '$export?_type=Patient,Observation&_outputFormat=application/fhir%2Bndjson');
    // The files were written in several pieces (chunkChars 300) and read back whole.
    const pieces = await pr.s.confide.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bulk_chunk WHERE job = $1', [status.split('/').pop()]);
    expect(pieces.rows[0].n).toBeGreaterThan(2);
    expect(manifest.transactionTime >= before).toBe(true);
    expect(manifest.request).toBe(`${pr.s.base}/$export?_type=Patient%2CObservation&_outputFormat=application%2Ffhir%2Bndjson`);
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.output.map((o: any) => o.type)).toEqual(['Patient', 'Observation']);
    expect(ids('Patient')).toEqual(expect.arrayContaining(['cs-p1', 'cs-p2', 'cs-p3', 'cs-p4', 'cs-p5']));
    expect(ids('Observation')).toEqual(expect.arrayContaining(['cs-obs1', 'cs-obs3', 'cs-obs4', 'cs-obs5']));
    // The text is the stored resource: what a read returns.
    const read = await request(pr.s.base, 'GET', 'Observation/cs-obs1', undefined, pr.as.system);
    expect(files.Observation.find((o) => o.id === 'cs-obs1')).toEqual(read.body);
  });

  it('the audit trail can be exported by name (a system client with AuditEvent access)', async () => {
    const { manifest } = await exportAs('system', '$export?_type=AuditEvent');
    expect(manifest.output[0].type).toBe('AuditEvent');
    expect(manifest.output[0].count).toBeGreaterThan(0);
  });

  it('POST with a Parameters body, and every _outputFormat spelling', async () => {
    for (const format of ['application/fhir+ndjson', 'application/ndjson', 'ndjson']) {
      const body = { resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Organization' }, { name: '_outputFormat', valueString: format }] };
      const { ids } = await exportAs('system', '$export', ASYNC, body);
      expect(ids('Organization')).toEqual(expect.arrayContaining(['cs-main', 'cs-prog']));
    }
  });

  it('without _type: every type the caller may search, AuditEvent left out, no empty files', async () => {
    const { manifest } = await exportAs('system', '$export');
    const types = manifest.output.map((o: any) => o.type);
    expect(types).toEqual(expect.arrayContaining(['Patient', 'Observation', 'Condition', 'Organization', 'Practitioner']));
    expect(types).not.toContain('AuditEvent');
    for (const o of manifest.output) expect(o.count).toBeGreaterThan(0);
  });

  it('the CapabilityStatement instantiates the Bulk Data server capability and lists the operations', async () => {
    const cs = (await request(pr.s.base, 'GET', 'metadata')).body;
    expect(cs.instantiates).toEqual(['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data']);
    expect(cs.rest[0].operation).toEqual([{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }]);
    const op = (type: string) => cs.rest[0].resource.find((r: any) => r.type === type).operation;
    expect(op('Patient')).toEqual([{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export' }]);
    expect(op('Group')).toEqual([{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export' }]);
  });

  it('the export is recorded in the audit trail (DICOM 110106 Export), a backend service\'s as a disclosure', async () => {
    await exportAs('system', 'Patient/$export?_type=Observation');
    const jobRequest = `${pr.s.base}/Patient/$export?_type=Observation`;
    // The audit log writes in the background: give it a moment.
    await new Promise((r) => setTimeout(r, 200));
    const events = await request(pr.s.base, 'GET', 'AuditEvent?type=http://dicom.nema.org/resources/ontology/DCM|110106&_count=100', undefined, pr.as.system);
    const mine = events.body.entry.map((e: any) => e.resource).filter((e: any) => e.entity?.some((x: any) => x.query && Buffer.from(x.query, 'base64').toString() === jobRequest));
    expect(mine.length).toBe(1);
    expect(mine[0].subtype?.map((c: any) => c.code)).toContain('disclosure');
    expect(mine[0].entity.filter((x: any) => x.what?.reference?.startsWith('Patient/')).map((x: any) => x.what.reference)).toEqual(expect.arrayContaining(['Patient/cs-p1', 'Patient/cs-p4']));
  });
});

describe('segmentation: the same as search for the caller who kicked off', () => {
  it('psychotherapy notes: their author sees them; another clinician, the patient and a backend service never do', async () => {
    for (const [user, sees] of [['therapist', true], ['delegate', true], ['main', false], ['system', false]] as [User, boolean][]) {
      const { ids } = await exportAs(user, 'Patient/$export?_type=Composition');
      expect(ids('Composition').includes('cs-note'), user).toBe(sees);
    }
    const own = await exportAs('patient', 'Patient/$export');
    expect(own.ids('Composition')).not.toContain('cs-note');
  });

  it('Part 2: absent for an outside clinician without consent, present with consent, with labels and the 2.32 notice', async () => {
    const outside = await exportAs('main', 'Patient/$export?_type=Condition');
    // cs-oud (cs-p1, no consent) is withheld; cs-oud2 (cs-p2's consent names this clinician for SUD, TREAT) is not.
    expect(outside.ids('Condition')).not.toContain('cs-oud');
    expect(outside.ids('Condition')).toContain('cs-oud2');
    expect(labelCodes(outside.files.Condition.find((c) => c.id === 'cs-oud2'))).toEqual(['42CFRPart2', 'NORDSCLCD', 'R', 'SUD']);
    expect(outside.notice).toBe(true);
    // One error file: the 2.32 notice, then "withheld by consent" for cs-p1 (Part 2) and cs-p3 (HIV consent).
    expect(outside.manifest.error).toEqual([{ type: 'OperationOutcome', url: expect.stringMatching(/\$export-file\//), count: 3 }]);
    expect(withheldIn(outside.files)).toEqual(['Patient/cs-p1', 'Patient/cs-p3']);
    expect(outside.manifest.extension['https://confide.health/fhir/bulk/meta-security'].map((c: any) => c.code)).toEqual(['42CFRPart2', 'NORDSCLCD']);
    const text = outside.files.OperationOutcome[0].issue[0].details.text;
    expect(text).toMatch(/42 CFR part 2 prohibits unauthorized use or disclosure of these records/);
    // Within the program its record is seen (cs-oud2 stays withheld: cs-p2's consent permits the main clinician only).
    const inside = await exportAs('p2', 'Patient/$export?_type=Condition');
    expect(inside.ids('Condition')).toContain('cs-oud');
    expect(inside.ids('Condition')).not.toContain('cs-oud2');
    expect(inside.notice).toBe(true);
  });

  it('for every user, an export holds exactly what their search returns', async () => {
    for (const user of ['main', 'p2', 'therapist', 'delegate', 'privacy', 'patient', 'system'] as User[]) {
      const { ids } = await exportAs(user, 'Patient/$export?_type=Condition,Composition,Observation,Encounter');
      for (const type of ['Condition', 'Composition', 'Observation', 'Encounter']) {
        const search = await request(pr.s.base, 'GET', `${type}?_count=1000&_elements=id`, undefined, pr.as[user]);
        const searched = (search.body.entry ?? []).filter((e: any) => e.search?.mode === 'match').map((e: any) => e.resource.id).sort();
        expect(ids(type), `${user} ${type}`).toEqual(searched);
      }
    }
  });

  it('withheld by consent: one OperationOutcome per patient of a Group whose records were withheld, never for psychotherapy notes', async () => {
    const group = { resourceType: 'Group', id: 'cs-group-w', type: 'person', actual: true, member: ['cs-p1', 'cs-p3', 'cs-p5'].map((p) => ({ entity: { reference: `Patient/${p}` } })) };
    expect((await request(pr.s.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [putEntry(group)] }, pr.as.system)).status).toBe(200);
    const main = await exportAs('main', 'Group/cs-group-w/$export?_type=Condition,Composition,Observation');
    // cs-p1's Part 2 diagnosis and cs-p3's HIV diagnosis are withheld: said, per patient. cs-p5's psychotherapy note
    // is hidden too, and nothing says so.
    expect(main.ids('Composition')).toEqual([]);
    expect(main.notice).toBe(false);
    expect(withheldIn(main.files)).toEqual(['Patient/cs-p1', 'Patient/cs-p3']);
    const issue = main.files.OperationOutcome.flatMap((o: any) => o.issue).find((i: any) => i.code === 'suppressed');
    expect(issue).toMatchObject({ severity: 'information', code: 'suppressed' });
    expect(issue.details.text).not.toMatch(/Condition|HIV|[0-9]+ record/);
    // The Part 2 program's clinician sees cs-p1's record: only cs-p3 is withheld from them.
    expect(withheldIn((await exportAs('p2', 'Group/cs-group-w/$export?_type=Condition')).files)).toEqual(['Patient/cs-p3']);
    // Only types in the export count: cs-p3's Observation is not withheld.
    expect(withheldIn((await exportAs('main', 'Group/cs-group-w/$export?_type=Observation')).files)).toEqual([]);
    // A patient is never told about their own records.
    expect(withheldIn((await exportAs('patient', 'Patient/$export')).files)).toEqual([]);
  });

  it('a psychotherapy note released by a specific authorization (164.508(a)(2)) is in its recipient\'s export', async () => {
    const authorization = noteAuthorization('cs-auth-bulk');
    expect((await request(pr.s.base, 'PUT', 'Consent/cs-auth-bulk', authorization, pr.as.therapist)).status).toBe(201);
    expect((await exportAs('main', 'Patient/$export?_type=Composition')).ids('Composition')).toEqual(['cs-note5']);
    expect((await exportAs('p2', 'Patient/$export?_type=Composition')).ids('Composition')).toEqual([]);
    expect((await request(pr.s.base, 'PUT', 'Consent/cs-auth-bulk', { ...authorization, status: 'inactive' }, pr.as.therapist)).status).toBe(200);
    expect((await exportAs('main', 'Patient/$export?_type=Composition')).ids('Composition')).toEqual([]);
  });

  it('no Part 2 record exported: no notice file', async () => {
    const plain = await exportAs('main', 'Patient/$export?_type=Observation');
    expect(plain.ids('Observation')).toContain('cs-obs1');
    expect(plain.manifest.error).toEqual([]);
    expect(plain.manifest.extension).toBeUndefined();
  });

  it("a patient's consent is applied: the main clinic does not get cs-p3's HIV diagnosis", async () => {
    const { ids } = await exportAs('main', 'Patient/$export?_type=Condition');
    expect(ids('Condition')).not.toContain('cs-hiv');
    expect((await exportAs('system', 'Patient/$export?_type=Condition')).ids('Condition')).toContain('cs-hiv');
  });

  it('a patient-context token exports only its own compartment', async () => {
    const { ids, manifest } = await exportAs('patient', 'Patient/$export');
    expect(ids('Patient')).toEqual(['cs-p1']);
    for (const o of manifest.output) expect(o.type).not.toBe('Organization');
    expect(ids('Observation')).toContain('cs-obs1');
    expect(ids('Observation')).not.toContain('cs-obs3');
  });
});

describe('filters', () => {
  it('_since returns only what changed after it', async () => {
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const created = await request(pr.s.base, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'bp' }, subject: { reference: 'Patient/cs-p4' } }, pr.as.system);
    expect(created.status).toBe(201);
    const { ids } = await exportAs('system', `$export?_type=Observation,Patient&_since=${encodeURIComponent(since)}`);
    expect(ids('Observation')).toEqual([created.body.id]);
    expect(ids('Patient')).toEqual([]);
  });

  it('_typeFilter: only matching resources of that type; other types untouched; several filters are OR-ed', async () => {
    const q = `_type=Observation,Patient&_typeFilter=${encodeURIComponent('Observation?_id=cs-obs1,Observation?subject=Patient/cs-p3')}`;
    const { ids } = await exportAs('system', `$export?${q}`);
    expect(ids('Observation')).toEqual(['cs-obs1', 'cs-obs3']);
    expect(ids('Patient')).toEqual(expect.arrayContaining(['cs-p1', 'cs-p2']));
  });

  it('Group export: the Group\'s patients only; a patient parameter narrows it', async () => {
    const group = { resourceType: 'Group', id: 'cs-group', type: 'person', actual: true, member: [{ entity: { reference: 'Patient/cs-p3' } }, { entity: { reference: 'Patient/cs-p4' } }] };
    expect((await request(pr.s.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [putEntry(group)] }, pr.as.system)).status).toBe(200);
    const all = await exportAs('system', 'Group/cs-group/$export?_type=Patient,Observation');
    expect(all.ids('Patient')).toEqual(['cs-p3', 'cs-p4']);
    expect(all.ids('Observation')).toEqual(expect.arrayContaining(['cs-obs3', 'cs-obs4']));
    expect(all.ids('Observation')).not.toContain('cs-obs1');
    const one = await exportAs('system', 'Group/cs-group/$export', ASYNC, { resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Patient' }, { name: 'patient', valueReference: { reference: 'Patient/cs-p4' } }] });
    expect(one.ids('Patient')).toEqual(['cs-p4']);
    expect((await kickOff('system', 'Group/nope/$export')).status).toBe(404);
  });
});

describe('bad requests', () => {
  it.each([
    ['$export', { accept: 'application/fhir+json' }, 400, 'http.header.Prefer'],
    ['$export?_outputFormat=application/xml', ASYNC, 400, '_outputFormat'],
    ['$export?_since=yesterday', ASYNC, 400, '_since'],
    ['$export?_type=Nope', ASYNC, 400, '_type'],
    ['$export?color=blue', ASYNC, 400, 'color'],
    ['$export?_elements=id', ASYNC, 400, '_elements'],
    ['$export?includeAssociatedData=LatestProvenanceResources', ASYNC, 400, 'includeAssociatedData'],
    ['$export?patient=Patient/cs-p1', ASYNC, 400, 'patient'],
    ['Patient/$export?_type=Practitioner', ASYNC, 400, '_type'],
    [`$export?_typeFilter=${encodeURIComponent('Observation?nope=1')}`, ASYNC, 400, '_typeFilter'],
    [`$export?_typeFilter=${encodeURIComponent('Observation?_sort=date')}`, ASYNC, 400, '_typeFilter'],
    [`$export?_type=Patient&_typeFilter=${encodeURIComponent('Observation?code=1')}`, ASYNC, 400, '_typeFilter'],
  ] as [string, Record<string, string>, number, string][])('%s → %i (%s)', async (path, headers, status, expression) => {
    const r = await kickOff('system', path, headers);
    expect(r.status).toBe(status);
    expect(r.body.resourceType).toBe('OperationOutcome');
    expect(r.body.issue[0].expression).toEqual([expression]);
  });

  it('unknown parameters are ignored with Prefer: handling=lenient', async () => {
    const { ids } = await exportAs('system', '$export?_type=Organization&color=blue', { ...ASYNC, prefer: 'respond-async, handling=lenient' });
    expect(ids('Organization')).toContain('cs-main');
  });

  it('Accept must allow FHIR JSON (406 otherwise); a type the caller may not search is 403', async () => {
    expect((await kickOff('system', '$export', { prefer: 'respond-async', accept: 'application/xml' })).status).toBe(406);
    const narrow = { authorization: `Bearer ${(await pr.s.confide.oauth.issueToken({ scope: 'system/Patient.rs', ttlSeconds: 600 })).access_token}` };
    const r = await request(pr.s.base, 'GET', '$export?_type=Patient,Observation', undefined, { ...ASYNC, ...narrow });
    expect(r.status).toBe(403);
    // Without _type: only what the scopes allow.
    const k = await request(pr.s.base, 'GET', '$export', undefined, { ...ASYNC, ...narrow });
    expect(k.status).toBe(202);
    let manifest: any;
    for (let i = 0; i < 400 && !manifest; i++) {
      const r = await fetch(k.headers.get('content-location')!, { headers: narrow });
      if (r.status === 200) manifest = await r.json();
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(manifest.output.map((o: any) => o.type)).toEqual(['Patient']);
  });
});

describe('jobs belong to who kicked them off', () => {
  it('another user or client gets 404 for the status and the files; an unknown job is 404', async () => {
    const { status, manifest } = await exportAs('main', 'Patient/$export?_type=Observation');
    const file = manifest.output[0].url;
    for (const other of ['p2', 'system', 'patient'] as User[]) {
      expect((await fetchAs(other, status)).status, other).toBe(404);
      expect((await fetchAs(other, file, 'GET', 'application/fhir+ndjson')).status, other).toBe(404);
      expect((await fetchAs(other, status, 'DELETE')).status, other).toBe(404);
    }
    expect((await fetchAs('main', status)).status).toBe(200);
    expect((await fetchAs('main', `${pr.s.base}/$export-poll-status/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    expect((await fetchAs('main', file.replace(/[0-9]+\.ndjson$/, '99.ndjson'))).status).toBe(404);
    // Without a token nothing at all.
    expect((await fetch(status)).status).toBe(401);
  });

  it('DELETE cancels: 202, then the status and the files are gone', async () => {
    const { status, manifest } = await exportAs('system', '$export?_type=Patient');
    const del = await fetchAs('system', status, 'DELETE');
    expect(del.status).toBe(202);
    expect((await fetchAs('system', status)).status).toBe(404);
    expect((await fetchAs('system', manifest.output[0].url)).status).toBe(404);
    expect((await fetchAs('system', status, 'DELETE')).status).toBe(404);
  });

  it('a job left running by a runner that stopped beating is taken over and done again from nothing', async () => {
    const first = await exportAs('system', '$export?_type=Organization');
    const id = first.status.split('/').pop()!;
    const db = pr.s.confide.db;
    // As a crashed process leaves it: running, half its files, no heartbeat for ten minutes.
    await db.query(`UPDATE bulk_job SET status = 'running', heartbeat = $2 WHERE id = $1`, [id, new Date(Date.now() - 600_000).toISOString()]);
    await db.query('DELETE FROM bulk_chunk WHERE job = $1', [id]);
    expect((await fetchAs('system', first.status)).status).toBe(202);
    // Any kick-off wakes the runner, which takes over the stale job too.
    await exportAs('system', '$export?_type=Practitioner');
    const again = await poll('system', first.status);
    expect(again.output).toEqual(first.manifest.output);
    const f = await fetchAs('system', again.output[0].url, 'GET', 'application/fhir+ndjson');
    expect(f.text.split('\n').filter(Boolean).map((l) => JSON.parse(l).id).sort()).toEqual(first.ids('Organization'));
  });

  it('a job still running answers 202 with X-Progress; a failed one 500; an expired one 404 and is cleaned up', async () => {
    const { status } = await exportAs('system', '$export?_type=Organization');
    const id = status.split('/').pop()!;
    const db = pr.s.confide.db;
    const owner = (await db.query<{ owner: string }>('SELECT owner FROM bulk_job WHERE id = $1', [id])).rows[0].owner;
    const jobs = new BulkJobs(db);
    const now = new Date();
    const make = async (jobId: string, expires: Date) =>
      jobs.create({ id: jobId, owner, request: 'x', params: {}, actor: {}, audit: {}, created: now, expires });
    // A job another server process is running (fresh heartbeat): this process's runner leaves it alone.
    await make('00000000-0000-4000-8000-000000000001', new Date(now.getTime() + 3600_000));
    await db.query(`UPDATE bulk_job SET status = 'running', heartbeat = $2, progress = '40% (Observation: 12)' WHERE id = $1`, ['00000000-0000-4000-8000-000000000001', new Date(now.getTime() + 3600_000).toISOString()]);
    const running = await fetchAs('system', `${pr.s.base}/$export-poll-status/00000000-0000-4000-8000-000000000001`);
    expect(running.status).toBe(202);
    expect(running.headers.get('x-progress')).toBe('40% (Observation: 12)');
    expect(running.headers.get('retry-after')).toBe('2');
    await db.query(`UPDATE bulk_job SET status = 'failed', error = 'The export failed on the server' WHERE id = $1`, ['00000000-0000-4000-8000-000000000001']);
    const failed = await fetchAs('system', `${pr.s.base}/$export-poll-status/00000000-0000-4000-8000-000000000001`);
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.text).resourceType).toBe('OperationOutcome');
    // Expired: 404 at once, and the sweep deletes it with its files.
    await db.query(`UPDATE bulk_job SET expires = $2 WHERE id = $1`, [id, new Date(now.getTime() - 1000).toISOString()]);
    expect((await fetchAs('system', status)).status).toBe(404);
    expect(await jobs.expire(new Date())).toBeGreaterThanOrEqual(1);
    expect((await db.query('SELECT 1 FROM bulk_chunk WHERE job = $1', [id])).rows).toEqual([]);
  });
});
