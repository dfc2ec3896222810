import { errors, isResourceType } from '@confide/fhir';

/** What a path below the FHIR base names (R4 http.html#general, the URL patterns). */
export type Route =
  | { kind: 'base' }
  | { kind: 'metadata' }
  | { kind: 'system-history' }
  | { kind: 'system-search' }
  | { kind: 'type'; type: string }
  | { kind: 'type-search'; type: string }
  | { kind: 'type-history'; type: string }
  | { kind: 'instance'; type: string; id: string }
  | { kind: 'instance-history'; type: string; id: string }
  | { kind: 'version'; type: string; id: string; vid: string }
  | { kind: 'type-operation'; type: string; operation: string }
  | { kind: 'instance-operation'; type: string; id: string; operation: string }
  | { kind: 'system-operation'; operation: string }
  | { kind: 'compartment-search'; compartmentType: string; id: string; type: string }
  /** A bulk export job's status URL (Bulk Data STU2 export.html#bulk-data-status-request). */
  | { kind: 'bulk-status'; id: string }
  /** One file of a bulk export job's manifest (export.html#file-request). */
  | { kind: 'bulk-file'; id: string; file: string };

/** Path segments of the bulk export status and file URLs (below the FHIR base; they name no resource type). */
export const BULK_STATUS_SEGMENT = '$export-poll-status';
export const BULK_FILE_SEGMENT = '$export-file';

export function parseRoute(path: string): Route {
  const parts = path.split('/').filter((p) => p.length > 0).map(decode);
  if (parts.length === 0) return { kind: 'base' };
  const [a, b, c, d] = parts;
  if (parts.length === 1) {
    if (a === 'metadata') return { kind: 'metadata' };
    if (a === '_history') return { kind: 'system-history' };
    if (a === '_search') return { kind: 'system-search' };
    if (a.startsWith('$')) return { kind: 'system-operation', operation: a.slice(1) };
  }
  if (a === BULK_STATUS_SEGMENT && parts.length === 2) return { kind: 'bulk-status', id: b };
  if (a === BULK_FILE_SEGMENT && parts.length === 3) return { kind: 'bulk-file', id: b, file: c };
  const type = checkType(a);
  if (parts.length === 1) return { kind: 'type', type };
  if (parts.length === 2) {
    if (b === '_history') return { kind: 'type-history', type };
    if (b === '_search') return { kind: 'type-search', type };
    if (b.startsWith('$')) return { kind: 'type-operation', type, operation: b.slice(1) };
    return { kind: 'instance', type, id: b };
  }
  if (parts.length === 3) {
    if (c === '_history') return { kind: 'instance-history', type, id: b };
    if (c.startsWith('$')) return { kind: 'instance-operation', type, id: b, operation: c.slice(1) };
    return { kind: 'compartment-search', compartmentType: type, id: b, type: checkType(c) };
  }
  if (parts.length === 4 && c === '_history') return { kind: 'version', type, id: b, vid: d };
  throw errors.notFound(`No such FHIR endpoint: ${path}`);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw errors.badRequest(`Malformed URL segment: ${s}`);
  }
}

function checkType(t: string): string {
  if (!isResourceType(t)) throw errors.notFound(`Unknown resource type: ${t}`);
  return t;
}
