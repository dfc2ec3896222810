import type { AuditEvent } from '@medplum/fhirtypes';
import { errors, OperationOutcomeError, searchParameters, validateResource } from '@confide/fhir';
import { isSearchable } from '@confide/store';
import { auditFhir, type AuditSink } from '../audit/fhir-audit.ts';
import { processBundle } from './bundle.ts';
import { capabilityStatement, type CapabilityOptions } from './capability.ts';
import * as crud from './crud.ts';
import { disclosures } from './disclosures.ts';
import { everything } from './everything.ts';
import { history } from './history.ts';
import { patch } from './patch.ts';
import { parseRoute, type Route } from './route.ts';
import { search as searchHandler } from './search.ts';
import { breakTheGlass, type BreakGlass } from '../consent/break-glass.ts';
import { auditedPurpose, requestAccess } from '../consent/request-access.ts';
import type { FhirContext, FhirRequest, FhirResponse } from './types.ts';
import type { BulkExport } from '../bulk/bulk-export.ts';

export interface FhirRouterOptions {
  version: string;
  /** Search for a type (GET [type], POST [type]/_search), when available. */
  search?: (ctx: FhirContext, req: FhirRequest, type: string | undefined) => Promise<FhirResponse>;
  searchParams?: CapabilityOptions['searchParams'];
  /** The audit trail: every interaction of an authenticated caller is recorded there. */
  audit?: AuditSink;
  /** Break-the-glass grants (consent/break-glass.ts): `Patient/[id]/$break-the-glass` and emergency access. */
  breakGlass?: BreakGlass;
  /** FHIR Bulk Data export (bulk/bulk-export.ts): `$export` kick-off, status and file URLs. */
  bulk?: BulkExport;
}

/** Dispatches one FHIR interaction (R4 http.html) to its handler. */
export function createFhirRouter(options: FhirRouterOptions) {
  // One CapabilityStatement per base URL the server is reached at (its implementation.url differs).
  const capability = new Map<string, string>();
  const dispatch = async (given: FhirContext, req: FhirRequest): Promise<FhirResponse> => {
    // Every handler works through a repository that acts for the caller (policy enforced in the store), with the
    // purpose of use and break-the-glass grants of this request; the server's own work (import, seed) is not
    // restricted. Bundle entries come back here with the repository already bound.
    let ctx = given;
    if (given.access && !given.repo.access && given.access.via !== 'internal') {
      const access = await requestAccess(given.access, req.headers, options.breakGlass);
      // Spelled out rather than `{ ...given, access, repo }`, a slow runtime call on Node 20 (see headersOf in http/server.ts).
      ctx = { repo: given.repo.as(access.actor), baseUrl: given.baseUrl, access };
      if (given.inTransaction) ctx.inTransaction = true;
    }
    const sink = options.audit;
    // Entries of a transaction are recorded with the transaction; a batch's entries each on their own.
    const isBatch = (req.body as { type?: unknown } | undefined)?.type === 'batch' && req.method === 'POST' && req.path === '';
    if (!sink || ctx.inTransaction || !ctx.access || isBatch) return route(ctx, req);
    let r: Route | undefined;
    try {
      r = parseRoute(req.path);
      const res = await route(ctx, req);
      const purpose = auditedPurpose(ctx.access, res.audit?.patients ?? []);
      auditFhir(sink, purpose === ctx.access.purposeOfUse ? ctx : { ...ctx, access: { ...ctx.access, purposeOfUse: purpose } }, req, r, res.status, res.audit);
      return res;
    } catch (e) {
      const status = e instanceof OperationOutcomeError ? e.status : 500;
      // Only the issue code: an error's text can quote request data (a searched name, a rejected value).
      const text = e instanceof OperationOutcomeError ? (e.outcome.issue?.[0]?.code ?? 'error') : 'exception';
      auditFhir(sink, ctx, req, r ?? { kind: 'base' }, status, undefined, text);
      throw e;
    }
  };
  const route = async (ctx: FhirContext, req: FhirRequest): Promise<FhirResponse> => {
    const route = parseRoute(req.path);
    const m = req.method === 'HEAD' ? 'GET' : req.method;
    const search = (type: string | undefined) => (options.search ?? searchHandler)(ctx, req, type);
    switch (route.kind) {
      case 'metadata':
        if (m !== 'GET') break;
        if (!capability.has(ctx.baseUrl)) {
          capability.set(
            ctx.baseUrl,
            JSON.stringify(
              capabilityStatement({ baseUrl: ctx.baseUrl, version: options.version, searchParams: options.searchParams ?? defaultSearchParams, bulkExport: !!options.bulk }),
            ),
          );
        }
        return { status: 200, body: capability.get(ctx.baseUrl) };
      case 'base':
        if (m === 'POST') {
          if (ctx.inTransaction) throw errors.badRequest('A Bundle entry cannot itself be a batch or transaction');
          return processBundle(ctx, req, dispatch);
        }
        if (m === 'GET') return search(undefined);
        break;
      case 'system-search':
        if (m === 'POST') return search(undefined);
        break;
      case 'system-history':
        if (m === 'GET') return history(ctx, req);
        break;
      case 'type':
        if (m === 'GET') return search(route.type);
        if (m === 'POST' && route.type === 'AuditEvent') return appendAuditEvent(ctx, req, options.audit);
        if (m === 'POST') return crud.create(ctx, req, route.type);
        if (m === 'PUT') return crud.conditionalUpdate(ctx, req, route.type);
        if (m === 'DELETE') return crud.conditionalDelete(ctx, req, route.type);
        break;
      case 'type-search':
        if (m === 'POST') return search(route.type);
        break;
      case 'type-history':
        if (m === 'GET') return history(ctx, req, route.type);
        break;
      case 'instance':
        if (m === 'GET') return crud.read(ctx, req, route.type, route.id);
        if (m === 'PUT') return crud.update(ctx, req, route.type, route.id);
        if (m === 'PATCH') return patch(ctx, req, route.type, route.id);
        if (m === 'DELETE') return crud.remove(ctx, req, route.type, route.id);
        break;
      case 'instance-history':
        if (m === 'GET') return history(ctx, req, route.type, route.id);
        break;
      case 'version':
        if (m === 'GET') return crud.vread(ctx, req, route.type, route.id, route.vid);
        break;
      case 'system-operation':
        if (route.operation === 'export') return requireBulk(options.bulk).kickOff(ctx, req, 'system');
        throw errors.notSupported(`Operation $${route.operation} is not supported`);
      case 'type-operation':
        if (route.type === 'Patient' && route.operation === 'export') return requireBulk(options.bulk).kickOff(ctx, req, 'patient');
        throw errors.notSupported(`Operation $${route.operation} is not supported on ${route.type}`);
      case 'bulk-status':
        return requireBulk(options.bulk).status(ctx, req, route.id);
      case 'bulk-file':
        return requireBulk(options.bulk).file(ctx, req, route.id, route.file);
      case 'instance-operation':
        if (route.type === 'Group' && route.operation === 'export') return requireBulk(options.bulk).kickOff(ctx, req, 'group', route.id);
        if (route.type === 'Patient' && route.operation === 'everything') return everything(ctx, req, route.id);
        if (route.type === 'Patient' && route.operation === 'disclosures') return disclosures(ctx, req, route.id);
        if (route.type === 'Patient' && route.operation === 'break-the-glass') return breakTheGlass(ctx, req, route.id, options.breakGlass, options.audit);
        throw errors.notSupported(`Operation $${route.operation} is not supported on ${route.type}`);
      case 'compartment-search':
        if (m !== 'GET') break;
        if (route.compartmentType !== 'Patient') throw errors.notSupported(`Only the Patient compartment is supported`);
        return searchHandler(ctx, req, route.type, `Patient/${route.id}`);
    }
    throw errors.methodNotAllowed(`${req.method} is not allowed on ${req.path || 'the base URL'}`);
  };
  return dispatch;
}

function requireBulk(bulk: BulkExport | undefined): BulkExport {
  if (!bulk) throw errors.notSupported('Bulk data export is not enabled on this server');
  return bulk;
}

/**
 * `POST AuditEvent`: the audit trail is append-only and hash-chained, so an AuditEvent a client sends (a
 * `system/AuditEvent.c` backend reporting its own events) is validated and appended to the chain, never
 * written as an ordinary resource. The server assigns its id.
 */
async function appendAuditEvent(ctx: FhirContext, req: FhirRequest, sink: AuditSink | undefined): Promise<FhirResponse> {
  ctx.repo.access?.require('create', 'AuditEvent');
  if (!sink?.log.append) throw errors.forbidden('This server does not accept AuditEvents from clients');
  const body = crud.requireBody(req, 'AuditEvent');
  const issues = validateResource(body);
  if (issues.length) throw errors.invalid(issues);
  const [stored] = await sink.log.append([body as unknown as AuditEvent], ctx.inTransaction ? ctx.repo.queryable : undefined);
  const versionId = stored.meta?.versionId ?? '1';
  return {
    status: 201,
    headers: { Location: `${ctx.baseUrl}/AuditEvent/${stored.id}/_history/${versionId}`, ETag: `W/"${versionId}"` },
    body: JSON.stringify(stored),
    audit: { resources: [`AuditEvent/${stored.id}`], patients: [] },
  };
}

/** Every R4 search parameter of a type, as the CapabilityStatement lists them. */
function defaultSearchParams(type: string) {
  return [...searchParameters(type).values()]
    .filter((p) => (p.special !== 'query' || p.code === '_has') && isSearchable(p))
    .map((p) => ({ name: p.code, type: p.type, definition: p.url }));
}
