import type { Resource } from '@medplum/fhirtypes';
import { ident, type Queryable } from './db/db.ts';
import { cascadeOrganizations, resolveOrganizations, type OrganizationRow } from './organizations.ts';
import { syncConsentRules } from './consent/consent-rules.ts';
import { notePart2Compartments } from './consent/part2-compartments.ts';

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
  /** What the caller asked for, for the access check (`create`, `update` incl. update-as-create, `patch`). */
  interaction?: 'create' | 'update' | 'patch';
}

/**
 * Checks writes against the caller's access policy just before they are stored, with the compartments and
 * organizations the store computed for each new version (`after`). Throws to refuse.
 */
export type WriteGuard = (tx: Queryable, writes: PendingWrite[], after: (w: PendingWrite) => { compartments: readonly string[]; organizations: readonly string[] }) => Promise<void>;

/**
 * Fills the search columns of a resource type's table. The store calls it for every write so that search
 * sees exactly what was stored, in the same transaction.
 */
export interface SearchIndexer {
  /** Extra columns of this type's table, in a fixed order. */
  columns(resourceType: string): readonly string[];
  /** The values of those columns for one resource (null for a deleted one). */
  values(resourceType: string, resource: Resource | undefined): unknown[];
  /**
   * The patient compartments and the references (`Type/id`) found in a row's column values, when the
   * indexer keeps them: the store derives the row's organizations from them (organizations.ts).
   */
  links?(resourceType: string, values: readonly unknown[]): RowLinks;
}

export interface RowLinks {
  /** `Patient/<id>` of each compartment holding the row. */
  compartments: readonly string[];
  /** Every plain relative reference (`Type/id`) the row's search columns hold. */
  references: readonly string[];
  /** The row's `labels` column (access/row-labels.ts), when the indexer keeps it. */
  labels?: readonly string[] | null;
}

/**
 * Labels the new versions of a batch (consent/labeler.ts) once their links are known, before anything is stored;
 * returns the writes it changed (their resource and JSON text), which are then indexed again. Throws to refuse.
 */
export type WriteLabeler = (tx: Queryable, rows: { write: PendingWrite; links: RowLinks | undefined }[]) => Promise<Set<PendingWrite>>;

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
export async function flushWrites(tx: Queryable, writes: PendingWrite[], indexer: SearchIndexer, guard?: WriteGuard, labeler?: WriteLabeler): Promise<void> {
  if (writes.length === 0) return;
  // Labels change the JSON text, so they come before anything is written (and before the access check, which
  // sees the labelled version).
  const prepared = await prepareRows(tx, writes, indexer, labeler);
  // The access check comes first, so that a refused write leaves no trace; it needs the new versions'
  // organizations, which are computed below and handed over through `facts`.
  const facts = new Map<string, { compartments: readonly string[]; organizations: readonly string[] }>();
  if (guard) {
    for (const t of prepared.tables) {
      t.rows.forEach((w, i) => {
        const links = indexer.links?.(t.type, t.values[i]);
        facts.set(`${t.type}/${w.id}`, { compartments: links?.compartments ?? [], organizations: prepared.orgs?.rows.get(`${t.type}/${w.id}`) ?? [] });
      });
    }
    await guard(tx, writes, (w) => facts.get(`${w.resourceType}/${w.id}`) ?? { compartments: [], organizations: [] });
  }
  for (const part of chunk(writes, Math.floor(MAX_PARAMS / 6))) {
    const params: unknown[] = [];
    for (const w of part) params.push(w.resourceType, w.id, w.versionId, w.lastUpdated, w.deleted, w.json);
    await tx.query(
      `INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, content) VALUES ${valuesClause(part.length, 6)}`,
      params,
    );
  }
  const { tables, orgs } = prepared;
  for (const { type, rows, values } of tables) {
    const extra = indexer.columns(type);
    const columns = ['id', 'version_id', 'last_updated', 'deleted', 'content', ...extra, ...(orgs ? ['organizations'] : [])];
    const width = columns.length;
    const updates = columns
      .slice(1)
      .map((c) => `${ident(c)} = excluded.${ident(c)}`)
      .join(', ');
    const indexed = rows.map((w, i) => ({ w, v: values[i] }));
    for (const part of chunk(indexed, Math.max(1, Math.floor(MAX_PARAMS / width)))) {
      const params: unknown[] = [];
      for (const { w, v } of part) {
        params.push(w.id, w.versionId, w.lastUpdated, w.deleted, w.json);
        if (extra.length) params.push(...v);
        if (orgs) params.push(orgs.rows.get(`${type}/${w.id}`) ?? null);
      }
      await tx.query(
        `INSERT INTO ${ident(type)} (${columns.map(ident).join(', ')}) VALUES ${valuesClause(part.length, width)}
         ON CONFLICT (id) DO UPDATE SET ${updates}`,
        params,
      );
    }
  }
  if (orgs && orgs.changedPatients.length) await cascadeOrganizations(tx, orgs.changedPatients);
  await syncConsentRules(tx, writes);
  if (indexer.links) await notePart2Compartments(tx, prepared.tables.flatMap((t) => t.values.map((v) => indexer.links!(t.type, v))));
}

/** Search column values and organizations of every row of a batch, grouped by type. */
async function prepareRows(tx: Queryable, writes: PendingWrite[], indexer: SearchIndexer, labeler?: WriteLabeler) {
  const byType = new Map<string, PendingWrite[]>();
  for (const w of writes) {
    let list = byType.get(w.resourceType);
    if (!list) byType.set(w.resourceType, (list = []));
    list.push(w);
  }
  // Search column values first, for every row of every type: the organizations of one row may follow from
  // another row of the same batch (an Observation from its Patient).
  const tables: Array<{ type: string; rows: PendingWrite[]; values: unknown[][] }> = [];
  const orgRows: OrganizationRow[] = [];
  for (const [type, list] of byType) {
    // The same resource may appear twice in one batch only if a caller wrote it twice; keep the last.
    const last = new Map<string, PendingWrite>();
    for (const w of list) last.set(w.id, w);
    const rows = [...last.values()];
    const values = rows.map((w) => indexer.values(type, w.deleted ? undefined : w.resource));
    tables.push({ type, rows, values });
    if (indexer.links) {
      rows.forEach((w, i) => {
        if (!w.deleted) orgRows.push({ resourceType: type, id: w.id, resource: w.resource, links: indexer.links!(type, values[i]) });
      });
    }
  }
  if (labeler) {
    const rows = tables.flatMap((t) => t.rows.map((write, i) => ({ write, links: indexer.links?.(t.type, t.values[i]) })));
    const changed = await labeler(tx, rows);
    for (const t of tables) {
      t.rows.forEach((w, i) => {
        if (changed.has(w)) t.values[i] = indexer.values(t.type, w.resource);
      });
    }
  }
  const orgs = indexer.links ? await resolveOrganizations(tx, orgRows) : undefined;
  return { tables, orgs };
}
