import type { StoredResource } from '@confide/store';
import { etag } from '@confide/store';
import type { AuditFacts, FhirResponse } from './types.ts';

export function httpDate(instant: string): string {
  // RFC 9110 5.6.7 IMF-fixdate from a stored instant (`2026-11-22T02:30:00.123Z`, the form of every lastUpdated)
  // by rearranging it; other forms through Date.
  if (instant.length === 24 && instant.charCodeAt(10) === 0x54 /* T */ && instant.endsWith('Z')) {
    const ms = Date.parse(instant);
    if (!Number.isNaN(ms)) {
      const day = WEEKDAYS[(Math.floor(ms / 86_400_000) % 7 + 10) % 7]; // 1970-01-01 was a Thursday (index 3)
      const month = MONTHS[Number(instant.slice(5, 7)) - 1];
      return `${day}, ${instant.slice(8, 10)} ${month} ${instant.slice(0, 4)} ${instant.slice(11, 19)} GMT`;
    }
  }
  return new Date(instant).toUTCString();
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

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
  const audit = auditFacts([r]);
  if (ret === 'minimal' || r.json === null) return { status, headers, audit };
  if (ret === 'OperationOutcome') {
    return {
      status,
      headers,
      audit,
      body: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'information', code: 'informational', details: { text: options.message ?? 'OK' } }],
      },
    };
  }
  return { status, headers, body: r.json, audit };
}

/** Audit facts of resources a response returns or wrote: references, and patients from the rows' compartments. */
export function auditFacts(rs: StoredResource[]): AuditFacts {
  const resources = rs.map((r) => `${r.resourceType}/${r.id}`);
  if (rs.every((r) => r.compartments !== undefined || r.json === null)) {
    const patients = new Set<string>();
    for (const r of rs) for (const c of r.compartments ?? []) patients.add(c.slice('Patient/'.length));
    return { resources, patients: [...patients] };
  }
  return { resources, versions: rs.map((r) => r.json) };
}
