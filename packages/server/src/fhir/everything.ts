import { randomUUID } from 'node:crypto';
import { errors } from '@confide/fhir';
import { compartmentTypes, patientEverything, withheldByConsent } from '@confide/store';
import { isPart2Json, redisclosureIssue, withheldIssue } from '../consent/disclosure-notes.ts';
import type { FhirContext, FhirRequest, FhirResponse } from './types.ts';

const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/;
const ALLOWED = new Set(['_since', '_type', '_count', '_cursor']);

/**
 * `GET Patient/[id]/$everything` (R4 patient-operation-everything.html) with `_since`, `_type` and
 * `_count` (pages with a `next` link). The Bundle is streamed: each row's JSON text is written to the
 * socket as it arrives from the database, never parsed.
 */
export async function everything(ctx: FhirContext, req: FhirRequest, id: string): Promise<FhirResponse> {
  if (ctx.inTransaction) throw errors.badRequest('$everything cannot run inside a Bundle');
  if (req.method !== 'GET' && req.method !== 'POST') throw errors.methodNotAllowed('$everything takes GET or POST');
  const q = req.query;
  for (const key of q.keys()) {
    if (!ALLOWED.has(key)) throw errors.badRequest(`Unsupported $everything parameter: ${key}`, key);
  }
  const sinceRaw = q.get('_since');
  if (sinceRaw !== null && (!INSTANT.test(sinceRaw) || Number.isNaN(Date.parse(sinceRaw)))) {
    throw errors.badRequest(`_since must be a FHIR instant: ${sinceRaw}`, '_since');
  }
  const types = q.get('_type')?.split(',').map((t) => t.trim()).filter(Boolean);
  const countRaw = q.get('_count');
  if (countRaw !== null && !/^[1-9][0-9]{0,4}$/.test(countRaw)) throw errors.badRequest('_count must be a positive integer', '_count');
  const count = countRaw === null ? undefined : Number(countRaw);
  const offsetRaw = q.get('_cursor');
  if (offsetRaw !== null && !/^[0-9]{1,9}$/.test(offsetRaw)) throw errors.badRequest('Invalid paging cursor', '_cursor');
  const offset = offsetRaw === null ? 0 : Number(offsetRaw);

  // $everything is a search of every compartment type (policy README): the Patient must be readable, and
  // each table is restricted to what the caller may search.
  ctx.repo.access?.require('read', 'Patient');
  const rows = patientEverything(ctx.repo.database, id, {
    since: sinceRaw ? new Date(sinceRaw).toISOString() : undefined,
    types,
    restrict: ctx.repo.restrictHook('search'),
  })[Symbol.asyncIterator]();
  // Pull the first row before answering, so that a missing patient is a clean 404 rather than a broken stream.
  let first = await rows.next();
  const access = ctx.repo.access;
  const withheld = access && !first.done ? await withheldByConsent(ctx.repo.queryable, access, id, types ?? compartmentTypes()) : false;
  for (let skipped = 0; skipped < offset && !first.done; skipped++) first = await rows.next();
  const self = `${ctx.baseUrl}/Patient/${id}/$everything`;
  const selfUrl = q.toString() ? `${self}?${q.toString()}` : self;
  const base = ctx.baseUrl;

  async function* body(): AsyncIterable<string> {
    let n = 0;
    let more = false;
    let current = first;
    let sep = '';
    let part2 = false;
    yield `{"resourceType":"Bundle","id":"${randomUUID()}","meta":{"lastUpdated":"${new Date().toISOString()}"},"type":"searchset","entry":[`;
    while (!current.done) {
      if (count !== undefined && n >= count) {
        more = true;
        break;
      }
      const row = current.value;
      yield `${sep}{"fullUrl":${JSON.stringify(`${base}/${row.resource_type}/${row.id}`)},"resource":${row.content},"search":{"mode":"match"}}`;
      part2 ||= isPart2Json(row.content);
      sep = ',';
      n++;
      current = await rows.next();
    }
    if (more) await rows.return?.();
    const issues = [...(part2 ? [redisclosureIssue()] : []), ...(withheld ? [withheldIssue()] : [])];
    if (issues.length) yield `${sep}{"resource":${JSON.stringify({ resourceType: 'OperationOutcome', issue: issues })},"search":{"mode":"outcome"}}`;
    const link = [{ relation: 'self', url: selfUrl }];
    if (more) {
      const nq = new URLSearchParams(q);
      nq.set('_cursor', String(offset + n));
      link.push({ relation: 'next', url: `${self}?${nq.toString()}` });
    }
    const total = !more && offset === 0 ? `,"total":${n}` : '';
    yield `]${total},"link":${JSON.stringify(link)}}`;
  }
  // The stream is not known in advance: the audit names the patient whose whole record was asked for.
  return { status: 200, body: body(), audit: { resources: [`Patient/${id}`], patients: [id] } };
}
