import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { errors } from '@confide/fhir';
import { resourceResponse } from './response.ts';
import type { FhirContext, FhirRequest, FhirResponse } from './types.ts';

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** PATCH with a JSON Patch document (RFC 6902; R4 http.html#patch). The result is validated like an update. */
export async function patch(ctx: FhirContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  const ops = req.body;
  if (!Array.isArray(ops)) throw errors.badRequest('A JSON Patch body must be an array of operations');
  ops.forEach((op, i) => {
    if (!op || typeof op !== 'object' || !OPS.has((op as { op?: string }).op ?? '') || typeof (op as { path?: unknown }).path !== 'string') {
      throw errors.badRequest(`Patch operation ${i} is not a valid JSON Patch operation`, `[${i}]`);
    }
  });
  return ctx.repo.transaction(async (repo) => {
    const current = await repo.read(type, id);
    const ifMatch = req.headers['if-match'];
    const doc = JSON.parse(current.json as string) as Record<string, unknown>;
    let patched: Record<string, unknown>;
    try {
      patched = fastJsonPatch.applyPatch(doc, ops as Operation[], true, false).newDocument as Record<string, unknown>;
    } catch (e) {
      const name = (e as { name?: string }).name;
      const index = (e as { index?: number }).index;
      if (name === 'TEST_OPERATION_FAILED') {
        throw errors.unprocessable([
          { severity: 'error', code: 'processing', details: { text: `Patch test operation ${index ?? ''} failed` } },
        ]);
      }
      throw errors.badRequest(`Patch could not be applied: ${(e as Error).message.split('\n')[0]}`, index !== undefined ? `[${index}]` : undefined);
    }
    if (patched.resourceType !== type || patched.id !== id) {
      throw errors.badRequest('A patch may not change resourceType or id');
    }
    const result = await repo.update(type, id, patched, { ifMatch: ifMatch ?? `W/"${current.versionId}"`, interaction: 'patch' });
    return resourceResponse(200, result.resource, ctx.baseUrl, { location: true, prefer: req.headers.prefer, message: 'Patched' });
  });
}
