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
  let next: string | undefined;
  if (r.rows.length > query.count) {
    const last = rows[rows.length - 1];
    next = encodeCursor({ t: last.last_updated, r: last.resource_type ?? '', i: last.id, v: Number(last.version_id) });
  }
  return { entries, next, total };
}
