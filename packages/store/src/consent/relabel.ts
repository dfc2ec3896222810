import type { Resource } from '@medplum/fhirtypes';
import { segmentedType } from '@confide/policy';
import { ident, type Queryable } from '../db/db.ts';
import type { PendingWrite, SearchIndexer } from '../write-batch.ts';
import { labelWrites, type LabelOptions } from './labeler.ts';

/** What one page of `relabelPage` did. */
export interface RelabelPage {
  /** Current versions looked at. */
  scanned: number;
  /** Those whose labels (meta.security, or the server-managed Part 2 program tag) the rules now change. */
  changed: number;
  /** The last id of the page (keyset for the next page); undefined when the type has no more rows. */
  lastId: string | undefined;
}

/** What the relabelling needs of the repository: its transaction, how it prepares and commits versions. */
export interface RelabelTarget {
  queryable: Queryable;
  searchIndexer: SearchIndexer;
  prepare(resource: Resource, id: string, versionId: number, interaction?: PendingWrite['interaction']): PendingWrite;
  commit(writes: PendingWrite[]): Promise<void>;
}

/**
 * Types in the order their labels flow (consent/labeler.ts): an EpisodeOfCare or Encounter of a Part 2 program
 * is relabelled before the records that inherit its program tag. Other segmented types follow alphabetically.
 */
export function relabelOrder(types: readonly string[]): string[] {
  const rank = (t: string) => (t === 'EpisodeOfCare' ? 0 : t === 'Encounter' ? 1 : CARRIERS.has(t) ? 2 : 3);
  return [...new Set(types)].filter((t) => segmentedType(t)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
const CARRIERS = new Set(['CarePlan', 'ServiceRequest', 'MedicationRequest', 'DiagnosticReport', 'Composition', 'DocumentReference']);

/**
 * One page (keyset by id, ids after `afterId`) of a type's current versions run through the write path's
 * labeler (`labelWrites`, as the server's own work: the labeler's rules alone decide, and they never lower a
 * label, docs/consent.md). Only the versions whose labels change are written, as new versions through
 * `target.commit` — history, search columns, the `labels` column and organizations exactly as for any write.
 * `dryRun` counts them and writes nothing. The caller holds the transaction (one per page).
 */
export async function relabelPage(target: RelabelTarget, labels: LabelOptions, type: string, afterId: string, limit: number, dryRun: boolean): Promise<RelabelPage> {
  const tx = target.queryable;
  const r = await tx.query<{ id: string; version_id: number | string; content: string }>(
    `SELECT id, version_id, content FROM ${ident(type)} WHERE id > $1 AND NOT deleted ORDER BY id LIMIT $2 FOR UPDATE`,
    [afterId, limit],
    `relabel:${type}`,
  );
  if (r.rows.length === 0) return { scanned: 0, changed: 0, lastId: undefined };
  const indexer = target.searchIndexer;
  const writes = r.rows.map((row) => target.prepare(JSON.parse(row.content) as Resource, row.id, Number(row.version_id) + 1, 'update'));
  const rows = writes.map((write) => ({ write, links: indexer.links?.(type, indexer.values(type, write.resource)) }));
  // The labeler mutates only the writes whose labels or program tags differ from the stored version's.
  const changed = await labelWrites(tx, rows, undefined, labels);
  const toWrite = writes.filter((w) => changed.has(w));
  if (!dryRun && toWrite.length) await target.commit(toWrite);
  return { scanned: r.rows.length, changed: toWrite.length, lastId: r.rows[r.rows.length - 1].id };
}

/** What a whole relabelling run did to one type. */
export interface RelabelCount {
  type: string;
  scanned: number;
  changed: number;
}

/**
 * Relabels every current version of `types` (in `relabelOrder`), a page at a time, each page its own transaction
 * (`Repository.relabel`). Shared by `confide relabel` and the server's relabelling after a designation.
 */
export async function relabelTypes(
  repo: { relabel(type: string, afterId: string, limit: number, dryRun: boolean): Promise<RelabelPage> },
  types: readonly string[],
  options: { dryRun?: boolean; pageSize?: number; stop?: () => boolean } = {},
): Promise<RelabelCount[]> {
  const out: RelabelCount[] = [];
  for (const type of relabelOrder(types)) {
    const count = { type, scanned: 0, changed: 0 };
    for (let after = ''; !options.stop?.(); ) {
      const page = await repo.relabel(type, after, options.pageSize ?? 200, options.dryRun ?? false);
      if (page.lastId === undefined) break;
      count.scanned += page.scanned;
      count.changed += page.changed;
      after = page.lastId;
    }
    out.push(count);
  }
  return out;
}
