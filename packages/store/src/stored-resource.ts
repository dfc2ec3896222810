/** One version of a resource as the store keeps it. `json` is the resource's JSON text, served as is. */
export interface StoredResource {
  resourceType: string;
  id: string;
  versionId: number;
  /** FHIR instant, e.g. 2026-11-22T02:30:00.123Z */
  lastUpdated: string;
  deleted: boolean;
  /** The JSON text of this version; null for a deletion. */
  json: string | null;
  /** `Patient/<id>` of the compartments holding it, when read from a current-version table (for the audit trail). */
  compartments?: string[];
}

export function etag(r: Pick<StoredResource, 'versionId'>): string {
  return `W/"${r.versionId}"`;
}

/** Row shape the store selects; timestamps arrive as text from both backends. */
export interface ResourceRow {
  id: string;
  version_id: number;
  last_updated: string;
  deleted: boolean;
  content: string | null;
  resource_type?: string;
  compartments?: string[] | null;
}

/** PostgreSQL prints timestamptz as `2026-11-22 02:30:00.123+00`; FHIR wants `2026-11-22T02:30:00.123Z`. */
export function toInstant(pgTimestamp: string): string {
  // Millisecond precision, the form of every stored lastUpdated: rearranged as it is (the general path below
  // parses a Date and prints it again, a few µs of each read).
  if (pgTimestamp.length === 26 && pgTimestamp.charCodeAt(10) === 0x20 && pgTimestamp.charCodeAt(19) === 0x2e && pgTimestamp.endsWith('+00')) {
    return pgTimestamp.slice(0, 10) + 'T' + pgTimestamp.slice(11, 23) + 'Z';
  }
  return new Date(pgTimestamp.includes('T') ? pgTimestamp : pgTimestamp.replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString();
}

export function fromRow(resourceType: string, row: ResourceRow): StoredResource {
  return {
    resourceType: row.resource_type ?? resourceType,
    id: row.id,
    versionId: Number(row.version_id),
    lastUpdated: toInstant(row.last_updated),
    deleted: row.deleted,
    json: row.content,
    ...(row.compartments ? { compartments: row.compartments } : {}),
  };
}
