import type { StoredResource } from '@confide/store';
import { etag } from '@confide/store';
import type { FhirResponse } from './types.ts';

export function httpDate(instant: string): string {
  return new Date(instant).toUTCString();
}

/** Headers that describe one version (R4 http.html#versioning). */
export function versionHeaders(r: StoredResource, baseUrl: string, withLocation: boolean): Record<string, string> {
  const h: Record<string, string> = { ETag: etag(r), 'Last-Modified': httpDate(r.lastUpdated) };
  if (withLocation) h.Location = `${baseUrl}/${r.resourceType}/${r.id}/_history/${r.versionId}`;
  return h;
}

/** Prefer: return=minimal | representation | OperationOutcome (R4 http.html#ops). */
export function preferredReturn(prefer: string | undefined): 'minimal' | 'representation' | 'OperationOutcome' {
  const m = /return=(minimal|representation|OperationOutcome)/i.exec(prefer ?? '');
  if (!m) return 'representation';
  const v = m[1].toLowerCase();
  return v === 'minimal' ? 'minimal' : v === 'operationoutcome' ? 'OperationOutcome' : 'representation';
}

export function resourceResponse(
  status: number,
  r: StoredResource,
  baseUrl: string,
  options: { location?: boolean; prefer?: string; message?: string } = {},
): FhirResponse {
  const headers = versionHeaders(r, baseUrl, options.location ?? false);
  const ret = preferredReturn(options.prefer);
  if (ret === 'minimal' || r.json === null) return { status, headers };
  if (ret === 'OperationOutcome') {
    return {
      status,
      headers,
      body: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'information', code: 'informational', details: { text: options.message ?? 'OK' } }],
      },
    };
  }
  return { status, headers, body: r.json };
}
