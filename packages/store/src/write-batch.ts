import type { Resource } from '@medplum/fhirtypes';
import { ident, type Queryable } from './db/db.ts';

/** One new version, ready to be written: its JSON text is final (meta included). */
export interface PendingWrite {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  json: string | null;
  /** The parsed resource, for search indexing (absent for deletions). */
  resource?: Resource;
}

/**
 * Fills the search columns of a resource type's table. The store calls it for every write so that search
 * sees exactly what was stored, in the same transaction.
 */
export interface SearchIndexer {
  /** Extra columns of this type's table, in a fixed order. */
  columns(resourceType: string): readonly string[];
  /** The values of those columns for one resource (null for a deleted one). */
  values(resourceType: string, resource: Resource | undefined): unknown[];
}

export const noIndexer: SearchIndexer = { columns: () => [], values: () => [] };

// PostgreSQL accepts at most 65,535 bind parameters per statement; stay well under it.
const MAX_PARAMS = 30_000;

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function valuesClause(rows: number, width: number): string {
  const parts: string[] = [];
  let n = 1;
  for (let r = 0; r < rows; r++) {
    const cols: string[] = [];
    for (let c = 0; c < width; c++) cols.push('$' + n++);
    parts.push('(' + cols.join(',') + ')');
  }
  return parts.join(',');
}

/**
 * Writes a set of new versions with one multi-row INSERT into the history and one upsert per resource type
 * into the current-version tables. The caller holds the transaction and has already checked versions.
 */
export async function flushWrites(tx: Queryable, writes: PendingWrite[], indexer: SearchIndexer): Promise<void> {
  if (writes.length === 0) return;
  for (const part of chunk(writes, Math.floor(MAX_PARAMS / 6))) {
    const params: unknown[] = [];
    for (const w of part) params.push(w.resourceType, w.id, w.versionId, w.lastUpdated, w.deleted, w.json);
    await tx.query(
      `INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, content) VALUES ${valuesClause(part.length, 6)}`,
      params,
    );
  }
  const byType = new Map<string, PendingWrite[]>();
  for (const w of writes) {
    let list = byType.get(w.resourceType);
    if (!list) byType.set(w.resourceType, (list = []));
    list.push(w);
  }
  for (const [type, list] of byType) {
    // The same resource may appear twice in one batch only if a caller wrote it twice; keep the last.
    const last = new Map<string, PendingWrite>();
    for (const w of list) last.set(w.id, w);
    const rows = [...last.values()];
    const extra = indexer.columns(type);
    const columns = ['id', 'version_id', 'last_updated', 'deleted', 'content', ...extra];
    const width = columns.length;
    const updates = columns
      .slice(1)
      .map((c) => `${ident(c)} = excluded.${ident(c)}`)
      .join(', ');
    for (const part of chunk(rows, Math.max(1, Math.floor(MAX_PARAMS / width)))) {
      const params: unknown[] = [];
      for (const w of part) {
        params.push(w.id, w.versionId, w.lastUpdated, w.deleted, w.json);
        if (extra.length) params.push(...indexer.values(type, w.deleted ? undefined : w.resource));
      }
      await tx.query(
        `INSERT INTO ${ident(type)} (${columns.map(ident).join(', ')}) VALUES ${valuesClause(part.length, width)}
         ON CONFLICT (id) DO UPDATE SET ${updates}`,
        params,
      );
    }
  }
}
