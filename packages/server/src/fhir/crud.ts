import { errors } from '@confide/fhir';
import type { WriteResult } from '@confide/store';
import { resourceResponse, versionHeaders } from './response.ts';
import type { FhirContext, FhirRequest, FhirResponse } from './types.ts';

export async function read(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  const r = await ctx.repo.read(type, id);
  const inm = req.headers['if-none-match'];
  if (inm && inm.replace(/^W\//, '') === `"${r.versionId}"`) {
    return { status: 304, headers: versionHeaders(r, ctx.baseUrl, false) };
  }
  return resourceResponse(200, r, ctx.baseUrl);
}

export async function vread(ctx: FhirContext, _req: FhirRequest, type: string, id: string, vid: string): Promise<FhirResponse> {
  return resourceResponse(200, await ctx.repo.vread(type, id, vid), ctx.baseUrl);
}

export async function create(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  const body = requireBody(req, type);
  const result = await ctx.repo.create(body, { ifNoneExist: req.headers['if-none-exist'] });
  if (result.outcome === 'existing') {
    return resourceResponse(200, result.resource, ctx.baseUrl, { prefer: req.headers.prefer, message: 'Matched an existing resource' });
  }
  return resourceResponse(201, result.resource, ctx.baseUrl, { location: true, prefer: req.headers.prefer, message: 'Created' });
}

export async function update(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  const body = requireBody(req, type);
  const result = await ctx.repo.update(type, id, body, { ifMatch: req.headers['if-match'] });
  return writeResponse(ctx, req, result);
}

export async function conditionalUpdate(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  const body = requireBody(req, type);
  const result = await ctx.repo.conditionalUpdate(type, req.query, body);
  return writeResponse(ctx, req, result);
}

export async function remove(ctx: FhirContext, _req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  const result = await ctx.repo.delete(type, id);
  const headers: Record<string, string> = {};
  if (result.outcome === 'deleted' && result.resource.versionId > 0) headers.ETag = `W/"${result.resource.versionId}"`;
  return {
    status: 200,
    headers,
    audit: { resources: [`${type}/${id}`], versions: [result.previous?.json ?? null] },
    body: {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'information',
          code: 'informational',
          details: { text: result.outcome === 'not-found' ? `${type}/${id} did not exist` : `Deleted ${type}/${id}` },
        },
      ],
    },
  };
}

export async function conditionalDelete(ctx: FhirContext, req: FhirRequest, type: string): Promise<FhirResponse> {
  if ([...req.query.keys()].length === 0) throw errors.badRequest('Conditional delete needs search parameters');
  const results = await ctx.repo.conditionalDelete(type, req.query);
  return {
    status: 200,
    audit: { resources: results.map((r) => `${type}/${r.resource.id}`), versions: results.map((r) => r.previous?.json ?? null) },
    body: {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', details: { text: `Deleted ${results.length} ${type} resource(s)` } }],
    },
  };
}

function writeResponse(ctx: FhirContext, req: FhirRequest, result: WriteResult): FhirResponse {
  const created = result.outcome === 'created';
  return resourceResponse(created ? 201 : 200, result.resource, ctx.baseUrl, {
    location: true,
    prefer: req.headers.prefer,
    message: created ? 'Created' : 'Updated',
  });
}

export function requireBody(req: FhirRequest, type: string): Record<string, unknown> {
  const body = req.body;
  if (body === undefined) throw errors.badRequest('This interaction needs a resource in the body');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest('The body must be a FHIR resource (a JSON object)');
  }
  const rt = (body as { resourceType?: unknown }).resourceType;
  if (rt !== type) {
    throw errors.badRequest(`resourceType ${JSON.stringify(rt)} does not match the URL (${type})`, 'resourceType');
  }
  return body as Record<string, unknown>;
}
