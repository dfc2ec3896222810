import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { BundleEntry, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { OperationOutcomeError, applyReferenceMap, errors, findReferences, isResourceType, isValidId } from '@confide/fhir';
import type { PendingWrite } from '@confide/store';
import { BundleText } from './bundle-text.ts';
import { preferredReturn } from './response.ts';
import type { AuditFacts, FhirContext, FhirRequest, FhirResponse } from './types.ts';

export type Dispatch = (ctx: FhirContext, req: FhirRequest) => Promise<FhirResponse>;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']);
// R4 http.html#trules: DELETE, then POST, then PUT/PATCH, then GET/HEAD.
const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

interface Entry {
  index: number;
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  fullUrl?: string;
  resource?: Record<string, unknown>;
  ifMatch?: string;
  ifNoneExist?: string;
  ifNoneMatch?: string;
}

/** POST [base] with a batch or transaction Bundle (R4 http.html#transaction). */
export async function processBundle(ctx: FhirContext, req: FhirRequest, dispatch: Dispatch): Promise<FhirResponse> {
  const bundle = req.body as { resourceType?: unknown; type?: unknown; entry?: unknown } | undefined;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') {
    throw errors.badRequest('POST to the base URL takes a Bundle of type batch or transaction', 'resourceType');
  }
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw errors.badRequest(`Bundle.type must be batch or transaction, not ${JSON.stringify(bundle.type)}`, 'Bundle.type');
  }
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw errors.badRequest('Bundle.entry must be an array', 'Bundle.entry');
  const rawEntries = (bundle.entry ?? []) as unknown[];
  const prefer = preferredReturn(req.headers.prefer);
  if (bundle.type === 'batch') {
    const responses: FhirResponse[] = [];
    for (let i = 0; i < rawEntries.length; i++) {
      try {
        // Batch entries are independent (R4 http.html#brules): no fullUrl resolution between them.
        const e = parseEntry(rawEntries[i], i);
        responses.push(await dispatch(ctx, toRequest(e, req)));
      } catch (err) {
        responses.push(errorResponse(err, i));
      }
    }
    return { status: 200, body: responseBundle('batch-response', responses, prefer) };
  }
  const entries = rawEntries.map((e, i) => parseEntry(e, i));
  checkFullUrls(entries);
  const responses = await ctx.repo.transaction(async (repo) => {
    const tctx: FhirContext = { ...ctx, repo, inTransaction: true };
    return runTransaction(tctx, entries, req, dispatch);
  });
  // One audit record for the whole transaction (its entries commit or fail together).
  const audit: AuditFacts = { resources: [], versions: [] };
  for (const r of responses) {
    audit.resources.push(...(r.audit?.resources ?? []));
    audit.versions?.push(...(r.audit?.versions ?? []));
    if (r.audit?.patients) audit.patients = [...(audit.patients ?? []), ...r.audit.patients];
  }
  return { status: 200, body: responseBundle('transaction-response', responses, prefer), audit };
}

async function runTransaction(ctx: FhirContext, entries: Entry[], req: FhirRequest, dispatch: Dispatch): Promise<FhirResponse[]> {
  const repo = ctx.repo;
  const idMap = new Map<string, string>();
  const existing = new Map<number, FhirResponse>();
  const assigned = new Map<number, string>();
  // 1. Decide the id of every created or conditionally written resource, so references can be rewritten.
  for (const e of entries) {
    try {
      if (e.method === 'POST') {
        const type = e.path;
        let id: string | undefined;
        if (e.ifNoneExist !== undefined) {
          const matches = await repo.findMatches(type, new URLSearchParams(e.ifNoneExist), 2);
          if (matches.length > 1) throw errors.multipleMatches(`If-None-Exist matched more than one ${type}`);
          if (matches.length === 1) {
            id = matches[0].id;
            existing.set(e.index, {
              status: 200,
              headers: { Location: `${ctx.baseUrl}/${type}/${id}/_history/${matches[0].versionId}`, ETag: `W/"${matches[0].versionId}"` },
              body: matches[0].json ?? undefined,
            });
          }
        }
        id ??= randomUUID();
        assigned.set(e.index, id);
        if (e.fullUrl) idMap.set(e.fullUrl, `${type}/${id}`);
      } else if (e.method === 'PUT' && e.fullUrl) {
        const [type, id] = e.path.split('/');
        if (id !== undefined) {
          idMap.set(e.fullUrl, `${type}/${id}`);
        } else {
          const matches = await repo.findMatches(type, e.query, 2);
          if (matches.length > 1) throw errors.multipleMatches(`The condition matched more than one ${type}`);
          const target = matches[0]?.id ?? (typeof e.resource?.id === 'string' ? e.resource.id : randomUUID());
          idMap.set(e.fullUrl, `${type}/${target}`);
          e.path = `${type}/${target}`;
          e.query = new URLSearchParams();
          if (e.resource) e.resource = { ...e.resource, id: target };
        }
      }
    } catch (err) {
      throw atEntry(err, e.index);
    }
  }
  // 2. Rewrite urn:uuid and conditional references (R4 http.html#trules), in place: the entries' resources
  // were parsed from this request and belong to it.
  for (const e of entries) {
    if (!e.resource) continue;
    try {
      const found = findReferences(e.resource);
      for (const { reference: ref } of found.refs) {
        if (idMap.has(ref)) continue;
        if (/^[A-Z][A-Za-z]+\?/.test(ref)) {
          const q = ref.indexOf('?');
          const type = ref.slice(0, q);
          if (!isResourceType(type)) throw errors.badRequest(`Unknown resource type in conditional reference ${ref}`);
          const matches = await repo.findMatches(type, new URLSearchParams(ref.slice(q + 1)), 2);
          if (matches.length !== 1) {
            throw errors.preconditionFailed(`Conditional reference ${ref} matched ${matches.length} resources; it must match exactly one`);
          }
          idMap.set(ref, `${type}/${matches[0].id}`);
        } else if (ref.startsWith('urn:uuid:')) {
          throw errors.badRequest(`Reference ${ref} does not match the fullUrl of any entry in this transaction`);
        }
      }
      applyReferenceMap(found, idMap);
    } catch (err) {
      throw atEntry(err, e.index);
    }
  }
  // 3. Run the entries in the order the specification gives; creates are written together.
  const responses = new Array<FhirResponse>(entries.length);
  const order = [...entries].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index);
  const creates: { entry: Entry; write: PendingWrite }[] = [];
  let createsFlushed = false;
  const flushCreates = async () => {
    if (createsFlushed) return;
    createsFlushed = true;
    await repo.commit(creates.map((c) => c.write));
    for (const { entry, write } of creates) {
      responses[entry.index] = {
        status: 201,
        headers: {
          Location: `${ctx.baseUrl}/${write.resourceType}/${write.id}/_history/${write.versionId}`,
          ETag: `W/"${write.versionId}"`,
          'Last-Modified': write.lastUpdated,
        },
        body: write.json ?? undefined,
        audit: { resources: [`${write.resourceType}/${write.id}`], versions: [write.json] },
      };
    }
  };
  // Plain PUTs (conditional ones were resolved to Type/id above) are written together too.
  const puts = order.filter((e) => e.method === 'PUT');
  let putsDone = false;
  const runPuts = async () => {
    if (putsDone) return;
    putsDone = true;
    if (puts.length === 0) return;
    let results;
    try {
      results = await repo.updateMany(
        puts.map((e) => {
          const [type, id] = e.path.split('/');
          return { resourceType: type, id, resource: e.resource, ifMatch: e.ifMatch };
        }),
      );
    } catch (err) {
      // Find which entry failed by running them one by one: slower, but only on the error path.
      throw await blame(err, puts, ctx, req, dispatch);
    }
    results.forEach((result, i) => {
      const r = result.resource;
      responses[puts[i].index] = {
        status: result.outcome === 'created' ? 201 : 200,
        headers: { Location: `${ctx.baseUrl}/${r.resourceType}/${r.id}/_history/${r.versionId}`, ETag: `W/"${r.versionId}"`, 'Last-Modified': r.lastUpdated },
        body: r.json ?? undefined,
        audit: { resources: [`${r.resourceType}/${r.id}`], versions: [r.json] },
      };
    });
  };
  for (const e of order) {
    try {
      if (e.method !== 'POST' && e.method !== 'DELETE') await flushCreates();
      if (e.method === 'PUT') {
        await runPuts();
        continue;
      }
      if (e.method === 'POST') {
        const found = existing.get(e.index);
        if (found) {
          responses[e.index] = found;
          continue;
        }
        const resource = e.resource as unknown as Resource;
        if (resource.resourceType !== e.path) {
          throw errors.badRequest(`resourceType ${resource.resourceType} does not match request.url ${e.url}`, 'resourceType');
        }
        creates.push({ entry: e, write: repo.prepare(resource, assigned.get(e.index) as string, 1) });
      } else {
        responses[e.index] = await dispatch(ctx, toRequest(e, req));
      }
    } catch (err) {
      throw atEntry(err, e.index);
    }
  }
  await flushCreates();
  return responses;
}

/**
 * A batched write failed as a whole; report the first entry that fails on its own, inside a savepoint so the
 * probing leaves nothing behind (the transaction is rolled back anyway).
 */
async function blame(err: unknown, entries: Entry[], ctx: FhirContext, req: FhirRequest, dispatch: Dispatch): Promise<unknown> {
  if (!(err instanceof OperationOutcomeError)) return err;
  for (const e of entries) {
    try {
      await ctx.repo.queryable.query('SAVEPOINT blame');
      await dispatch(ctx, toRequest(e, req));
      await ctx.repo.queryable.query('ROLLBACK TO SAVEPOINT blame');
    } catch (inner) {
      return atEntry(inner, e.index);
    }
  }
  return err;
}

function parseEntry(raw: unknown, index: number): Entry {
  const at = `Bundle.entry[${index}]`;
  if (!raw || typeof raw !== 'object') throw errors.badRequest('Bundle entry must be an object', at);
  const entry = raw as BundleEntry;
  const request = entry.request;
  if (!request || typeof request !== 'object') throw errors.badRequest('Bundle entry has no request', `${at}.request`);
  const method = String(request.method ?? '').toUpperCase();
  if (!METHODS.has(method)) throw errors.badRequest(`Unsupported request.method ${JSON.stringify(request.method)}`, `${at}.request.method`);
  if (typeof request.url !== 'string' || request.url.length === 0) throw errors.badRequest('request.url is required', `${at}.request.url`);
  let url = request.url;
  const base = /^https?:\/\/[^/]+(\/.*)?\/fhir\/R4\//.exec(url);
  if (base) url = url.slice(base[0].length);
  url = url.replace(/^\//, '');
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  const resource = entry.resource as Record<string, unknown> | undefined;
  if ((method === 'POST' || method === 'PUT') && !resource) {
    throw errors.badRequest(`A ${method} entry needs a resource`, `${at}.resource`);
  }
  if (method === 'POST' && !isResourceType(path)) {
    throw errors.badRequest(`POST request.url must be a resource type: ${request.url}`, `${at}.request.url`);
  }
  if (method === 'PUT') {
    const [type, id, extra] = path.split('/');
    if (!isResourceType(type) || extra !== undefined || (id === undefined && q < 0) || (id !== undefined && !isValidId(id))) {
      throw errors.badRequest(`PUT request.url must be Type/id or Type?criteria: ${request.url}`, `${at}.request.url`);
    }
  }
  if (entry.fullUrl !== undefined && typeof entry.fullUrl !== 'string') throw errors.badRequest('fullUrl must be a string', `${at}.fullUrl`);
  return {
    index,
    method,
    url: request.url,
    path,
    query,
    fullUrl: entry.fullUrl,
    resource,
    ifMatch: request.ifMatch,
    ifNoneExist: request.ifNoneExist,
    ifNoneMatch: request.ifNoneMatch,
  };
}

function checkFullUrls(entries: Entry[]): void {
  const seen = new Set<string>();
  for (const e of entries) {
    if (!e.fullUrl) continue;
    if (seen.has(e.fullUrl)) throw errors.badRequest(`fullUrl ${e.fullUrl} appears more than once`, `Bundle.entry[${e.index}].fullUrl`);
    seen.add(e.fullUrl);
  }
}

function toRequest(e: Entry, parent: FhirRequest): FhirRequest {
  let body: unknown = e.resource;
  if (e.method === 'PATCH') body = patchBody(e);
  return {
    method: e.method,
    path: e.path,
    query: e.query,
    headers: {
      'if-match': e.ifMatch,
      'if-none-exist': e.ifNoneExist,
      'if-none-match': e.ifNoneMatch,
      prefer: parent.headers.prefer,
    },
    body,
  };
}

/** In a Bundle, a JSON Patch travels as a Binary whose data is the patch document (R4 http.html#patch). */
function patchBody(e: Entry): unknown {
  const r = e.resource;
  if (r?.resourceType === 'Binary' && typeof r.data === 'string') {
    try {
      return JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
    } catch {
      throw errors.badRequest('The Binary of a PATCH entry does not hold a JSON Patch document', `Bundle.entry[${e.index}].resource.data`);
    }
  }
  throw errors.badRequest('A PATCH entry needs a Binary resource holding a JSON Patch document', `Bundle.entry[${e.index}].resource`);
}

/** Points an entry's error at the entry: `Patient.name` becomes `Bundle.entry[3].resource.name`. */
function atEntry(err: unknown, index: number): unknown {
  if (!(err instanceof OperationOutcomeError)) return err;
  const issues = (err.outcome.issue ?? []).map((i): OperationOutcomeIssue => {
    const prefix = `Bundle.entry[${index}]`;
    const expression = i.expression?.map((x) => (x.startsWith('Bundle.entry[') ? x : x.replace(/^[A-Z][A-Za-z]*/, `${prefix}.resource`)));
    return { ...i, expression: expression ?? [prefix], details: { text: `Entry ${index}: ${i.details?.text ?? i.code}` } };
  });
  return new OperationOutcomeError(err.status, { resourceType: 'OperationOutcome', issue: issues });
}

function errorResponse(err: unknown, index: number): FhirResponse {
  const e = atEntry(err, index);
  if (e instanceof OperationOutcomeError) return { status: e.status, body: e.outcome };
  return { status: 500, body: errors.internal().outcome };
}

function responseBundle(type: string, responses: FhirResponse[], prefer: string): string {
  const bundle = new BundleText({ resourceType: 'Bundle', id: randomUUID(), type });
  for (const r of responses) {
    const response: Record<string, unknown> = { status: `${r.status} ${STATUS_CODES[r.status] ?? ''}`.trim() };
    const h = r.headers ?? {};
    if (h.Location) response.location = h.Location;
    if (h.ETag) response.etag = h.ETag;
    if (h['Last-Modified']) response.lastModified = toInstant(h['Last-Modified']);
    let resourceJson: string | undefined;
    if (typeof r.body === 'string') {
      if (prefer === 'representation') resourceJson = r.body;
    } else if (r.body && (r.body as { resourceType?: string }).resourceType === 'OperationOutcome') {
      if (r.status >= 400 || prefer === 'OperationOutcome') response.outcome = r.body;
    } else if (r.body && prefer === 'representation') {
      resourceJson = JSON.stringify(r.body);
    }
    bundle.add({ resourceJson, response });
  }
  return bundle.toString();
}

function toInstant(v: string): string {
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}
