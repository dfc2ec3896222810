import { errors, isValidId } from '@confide/fhir';
import { ident, type Queryable } from './db/db.ts';
import type { RestrictHook } from './access/access.ts';
import { SqlParams } from './search/sql-params.ts';
import { fromRow, type ResourceRow, type StoredResource } from './stored-resource.ts';

export interface HistoryQuery {
  resourceType?: string;
  id?: string;
  /** Only versions at or after this instant (`_since`). */
  since?: string;
  /** Only versions at or before this instant (`_at`-like upper bound, used by paging snapshots). */
  before?: string;
  count: number;
  /** Opaque keyset cursor from a previous page. */
  cursor?: string;
  /**
   * The caller's restriction on the current rows of `resourceType` (required with it): only versions of
   * resources whose current row the caller may see are listed.
   */
  restrict?: RestrictHook;
}

export interface HistoryPage {
  entries: StoredResource[];
  /** Cursor for the next page, when there is one. */
  next?: string;
  total?: number;
  /** Each entry's cursor: a page continued from it starts after that entry. */
  positions?: Map<StoredResource, string>;
}

interface Cursor {
  t: string;
  r: string;
  i: string;
  v: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.t, c.r, c.i, c.v])).toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  try {
    const [t, r, i, v] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [string, string, string, number];
    if (typeof t !== 'string' || typeof r !== 'string' || typeof i !== 'string' || typeof v !== 'number') throw new Error();
    if (Number.isNaN(Date.parse(t))) throw new Error();
    return { t, r, i, v };
  } catch {
    throw errors.badRequest('Invalid paging cursor', '_cursor');
  }
}

/**
 * History, newest first (R4 http.html#history). Pages are keyset-paged on (last_updated, type, id,
 * version), so a page link keeps returning the same versions however many writes happen meanwhile.
 */
export async function readHistory(q: Queryable, query: HistoryQuery): Promise<HistoryPage> {
  const where: string[] = [];
  const sqlParams = new SqlParams();
  const params = sqlParams.values;
  const p = (v: unknown) => sqlParams.add(v);
  if (query.resourceType) where.push(`resource_type = ${p(query.resourceType)}`);
  if (query.restrict) {
    if (!query.resourceType) throw errors.forbidden('History across resource types is available only to unrestricted clients');
    const r = query.restrict(query.resourceType, 't', sqlParams);
    if (r) where.push(`EXISTS (SELECT 1 FROM ${ident(query.resourceType)} t WHERE t.id = resource_history.id AND ${r})`);
  }
  if (query.id !== undefined) {
    if (!isValidId(query.id)) return { entries: [], total: 0 };
    where.push(`id = ${p(query.id)}`);
  }
  if (query.since) where.push(`last_updated >= ${p(query.since)}`);
  if (query.before) where.push(`last_updated <= ${p(query.before)}`);
  let total: number | undefined;
  if (query.id !== undefined) {
    const c = await q.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM resource_history WHERE ${where.join(' AND ')}`,
      params,
    );
    total = Number(c.rows[0]?.n ?? 0);
  }
  if (query.count === 0) return { entries: [], total };
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    where.push(`(last_updated, resource_type, id, version_id) < (${p(c.t)}, ${p(c.r)}, ${p(c.i)}, ${p(c.v)})`);
  }
  const sql =
    `SELECT resource_type, id, version_id, last_updated, deleted, content FROM resource_history` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY last_updated DESC, resource_type DESC, id DESC, version_id DESC LIMIT ${p(query.count + 1)}`;
  const r = await q.query<ResourceRow>(sql, params);
  const rows = r.rows.slice(0, query.count);
  const entries = rows.map((row) => fromRow(row.resource_type ?? '', row));
  // Each entry's own position, from the row's exact timestamp (StoredResource.lastUpdated is rounded to ms).
  const positions = new Map(entries.map((e, i) => [e, encodeCursor({ t: rows[i].last_updated, r: rows[i].resource_type ?? '', i: rows[i].id, v: Number(rows[i].version_id) })]));
  const next = r.rows.length > query.count && entries.length ? positions.get(entries[entries.length - 1]) : undefined;
  return { entries, next, total, positions };
}

/** Keeps the history entries a caller may see (a subset of the same objects, in order). */
export type VersionFilter = (entries: StoredResource[]) => Promise<StoredResource[]>;

/** Versions scanned per query while a filtered page is filled, and at most this many times that for a total. */
const SCAN_BATCH = 200;
const MAX_TOTAL_SCANS = 10;

/**
 * History as `readHistory`, with the versions the caller may not see left out (`keep`) before the page is cut:
 * a page holds `count` entries whenever that many visible ones remain, its `next` link exists only if another
 * visible version does, and every cursor is the position of a version the caller was shown, so a hidden
 * version's id never travels in a link. An instance history's `total` counts only the visible versions (left
 * out when there are too many versions to count them here).
 */
export async function readVisibleHistory(q: Queryable, query: HistoryQuery, keep?: VersionFilter): Promise<HistoryPage> {
  if (!keep) return readHistory(q, query);
  const total = query.id !== undefined ? await countVisible(q, query, keep) : undefined;
  if (query.count === 0) return { entries: [], total };
  const shown: StoredResource[] = [];
  const positions = new Map<StoredResource, string>();
  let cursor = query.cursor;
  for (;;) {
    const page = await readHistory(q, { ...query, count: Math.max(SCAN_BATCH, query.count + 1), cursor });
    for (const e of await keep(page.entries)) {
      shown.push(e);
      positions.set(e, page.positions?.get(e) ?? '');
    }
    if (shown.length > query.count || !page.next) break;
    cursor = page.next;
  }
  const entries = shown.slice(0, query.count);
  const next = shown.length > query.count ? positions.get(entries[entries.length - 1]) : undefined;
  return { entries, next, total };
}

async function countVisible(q: Queryable, query: HistoryQuery, keep: VersionFilter): Promise<number | undefined> {
  let n = 0;
  let cursor: string | undefined;
  for (let scan = 0; scan < MAX_TOTAL_SCANS; scan++) {
    const page = await readHistory(q, { ...query, count: SCAN_BATCH, cursor: cursor ?? undefined });
    n += (await keep(page.entries)).length;
    if (!page.next) return n;
    cursor = page.next;
  }
  return undefined;
}
