import { randomUUID } from 'node:crypto';
import { errors, resourceTypes } from '@confide/fhir';
import { readVisibleHistory, type HistoryQuery } from '@confide/store';
import { BundleText } from './bundle-text.ts';
import { httpDate } from './response.ts';
import type { FhirContext, FhirRequest, FhirResponse } from './types.ts';

export const DEFAULT_HISTORY_COUNT = 50;
export const MAX_HISTORY_COUNT = 1000;

/** history (instance, type, system), R4 http.html#history: newest first, paged with `next` links. */
export async function history(ctx: FhirContext, req: FhirRequest, type?: string, id?: string): Promise<FhirResponse> {
  const q = req.query;
  for (const key of q.keys()) {
    if (!['_count', '_since', '_cursor', '_format', '_pretty', '_before'].includes(key)) {
      throw errors.badRequest(`Unsupported history parameter: ${key}`, key);
    }
  }
  const count = parseCount(q.get('_count'));
  const since = parseInstant(q.get('_since'), '_since');
  // The first page fixes the snapshot: later pages never show versions written after it.
  const before = parseInstant(q.get('_before'), '_before') ?? new Date().toISOString();
  const access = ctx.repo.access;
  if (id !== undefined && type) {
    const current = await ctx.repo.readVisible(type, id, 'history');
    if (!current) throw errors.notFound(`${type}/${id} not found`);
  } else if (access) {
    // Type history is a search over versions (SMART `s`); system history needs every type unrestricted.
    if (type) access.require('history-type', type);
    else if (!resourceTypes().every((t) => access.tableUnrestricted('history-type', t))) {
      throw errors.forbidden('History across resource types is available only to clients that may see every resource');
    }
  }
  const query: HistoryQuery = { resourceType: type, id, since, before, count, cursor: q.get('_cursor') ?? undefined };
  if (access && type && !access.unrestricted(id ? 'history' : 'history-type', type)) query.restrict = access.restrict(id ? 'history' : 'history-type');
  // Old versions are checked one by one: a version must not show what the caller may not see now. System history
  // (callers the access table does not restrict) is still segmented: its versions are checked the same way. The
  // page is filled from further versions when some are left out, so it still holds _count entries.
  const filtered = access && (!type || !access.unrestricted(id ? 'history' : 'history-type', type));
  const page = await readVisibleHistory(ctx.repo.queryable, query, filtered ? (entries) => access.visibleVersions(ctx.repo.queryable, entries) : undefined);
  const self = `${ctx.baseUrl}/${[type, id, '_history'].filter(Boolean).join('/')}`;
  const link = [{ relation: 'self', url: `${self}?${q.toString()}` }];
  if (page.next) {
    const nq = new URLSearchParams({ _count: String(count), _before: before, _cursor: page.next });
    if (since) nq.set('_since', since);
    link.push({ relation: 'next', url: `${self}?${nq.toString()}` });
  }
  const head: Record<string, unknown> = { resourceType: 'Bundle', id: randomUUID(), meta: { lastUpdated: new Date().toISOString() }, type: 'history' };
  if (page.total !== undefined) head.total = page.total;
  head.link = link;
  const bundle = new BundleText(head);
  for (const e of page.entries) {
    const url = `${e.resourceType}/${e.id}`;
    bundle.add({
      fullUrl: `${ctx.baseUrl}/${url}`,
      resourceJson: e.json,
      request: e.deleted ? { method: 'DELETE', url } : e.versionId === 1 ? { method: 'POST', url: e.resourceType } : { method: 'PUT', url },
      response: {
        status: e.deleted ? '204' : e.versionId === 1 ? '201' : '200',
        etag: `W/"${e.versionId}"`,
        lastModified: e.lastUpdated,
      },
    });
  }
  return {
    status: 200,
    headers: { 'Last-Modified': httpDate(new Date().toISOString()) },
    body: bundle.toString(),
    audit: { resources: page.entries.map((e) => `${e.resourceType}/${e.id}/_history/${e.versionId}`), versions: page.entries.map((e) => e.json) },
  };
}

function parseCount(v: string | null): number {
  if (v === null) return DEFAULT_HISTORY_COUNT;
  if (!/^[0-9]+$/.test(v)) throw errors.badRequest(`_count must be a non-negative integer: ${v}`, '_count');
  const n = Number(v);
  if (n > MAX_HISTORY_COUNT) throw errors.badRequest(`_count may be at most ${MAX_HISTORY_COUNT}`, '_count');
  return n;
}

// FHIR instant: full date and time with seconds and a time zone (R4 datatypes.html#instant).
const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/;

function parseInstant(v: string | null, name: string): string | undefined {
  if (v === null) return undefined;
  if (!INSTANT.test(v) || Number.isNaN(Date.parse(v))) {
    throw errors.badRequest(`${name} must be a FHIR instant such as 2024-01-31T12:00:00Z: ${v}`, name);
  }
  return new Date(v).toISOString();
}
