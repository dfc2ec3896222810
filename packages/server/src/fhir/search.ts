import { randomUUID } from 'node:crypto';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { errors, parseSearchRequest, subsetResource, type SearchRequest } from '@confide/fhir';
import { executeSearch, withheldByConsent, withheldProbe, type StoredResource } from '@confide/store';
import { isPart2Json, PART2_BUNDLE_SECURITY, redisclosureIssue, searchedPatient, withheldIssue } from '../consent/disclosure-notes.ts';
import { BundleText } from './bundle-text.ts';
import { auditFacts } from './response.ts';
import type { FhirContext, FhirRequest, FhirResponse } from './types.ts';

export const MAX_COUNT = 1000;
export const DEFAULT_COUNT = 20;

/** `GET [type]?...`, `POST [type]/_search`, and compartment search `GET Patient/123/[type]?...` (R4 search.html). */
export async function search(ctx: FhirContext, req: FhirRequest, type: string | undefined, compartment?: string): Promise<FhirResponse> {
  if (!type) throw errors.notSupported('System-level search is not supported yet; search one resource type');
  const query = new URLSearchParams(req.query);
  const cursor = query.get('_cursor') ?? undefined;
  query.delete('_cursor');
  const lenient = /handling=lenient/i.test(req.headers.prefer ?? '');
  const { request, warnings, used } = parseSearchRequest(type, query, { lenient, maxCount: MAX_COUNT, defaultCount: DEFAULT_COUNT });
  ctx.repo.access?.require('search', type);
  // Whether consent withheld some of the patient's records: its cheap pre-check (can anything be withheld from
  // this patient at all?) rides on the search statement as its probe, and only when it says yes, or the page is
  // empty, does the full question take statements of its own.
  const access = ctx.repo.access;
  const patient = access ? searchedPatient(type, query, compartment) : undefined;
  const probe = access && patient !== undefined ? withheldProbe(access, patient) : undefined;
  const result = await executeSearch(ctx.repo.queryable, request, { baseUrl: ctx.baseUrl, cursor, compartment, restrict: ctx.repo.restrictHook('search'), probe });
  const base = compartment ? `${ctx.baseUrl}/${compartment}/${type}` : `${ctx.baseUrl}/${type}`;
  // Links carry the parameters actually used (lenient mode drops bad ones, clamps _count): "the client can
  // determine what parameters the server used by examining the self link" (search.html#errors).
  const usedQuery = new URLSearchParams(used);
  const link = [{ relation: 'self', url: withQuery(base, usedQuery, cursor) }];
  if (result.next) link.push({ relation: 'next', url: withQuery(base, usedQuery, result.next) });
  if (result.previous) link.push({ relation: 'previous', url: withQuery(base, usedQuery, result.previous) });
  const part2 = [...result.matches, ...result.included].some((r) => isPart2Json(r.json));
  const withheld = access && probe && patient !== undefined ? await withheldByConsent(ctx.repo.queryable, access, patient, [type], result.probe) : false;
  const meta: Record<string, unknown> = { lastUpdated: new Date().toISOString() };
  if (part2) meta.security = PART2_BUNDLE_SECURITY;
  const head: Record<string, unknown> = { resourceType: 'Bundle', id: randomUUID(), meta, type: 'searchset' };
  if (result.total !== undefined) head.total = result.total;
  head.link = link;
  const bundle = new BundleText(head);
  for (const r of result.matches) bundle.add(entry(ctx, r, 'match', request));
  for (const r of result.included) bundle.add(entry(ctx, r, 'include', request));
  const notes: OperationOutcomeIssue[] = [...warnings];
  if (part2) notes.push(redisclosureIssue());
  if (withheld) notes.push(withheldIssue());
  if (result.includesTruncated) {
    notes.push({ severity: 'warning', code: 'too-costly', details: { text: 'Included resources were cut at the server limit' } });
  }
  if (notes.length) {
    bundle.add({ resourceJson: JSON.stringify({ resourceType: 'OperationOutcome', issue: notes }), search: { mode: 'outcome' } });
  }
  return { status: 200, body: bundle.toString(), audit: auditFacts([...result.matches, ...result.included]) };
}

function entry(ctx: FhirContext, r: StoredResource, mode: 'match' | 'include', request: SearchRequest) {
  let json = r.json;
  if (json && (request.elements?.length || (request.summary && request.summary !== 'false'))) {
    json = JSON.stringify(subsetResource(JSON.parse(json) as Record<string, unknown>, { summary: request.summary, elements: request.elements }));
  }
  return { fullUrl: `${ctx.baseUrl}/${r.resourceType}/${r.id}`, resourceJson: json, search: { mode } };
}

function withQuery(base: string, query: URLSearchParams, cursor?: string): string {
  const q = new URLSearchParams(query);
  if (cursor) q.set('_cursor', cursor);
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}
