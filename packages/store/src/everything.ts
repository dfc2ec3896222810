import { errors, isResourceType, isValidId, patientCompartmentParams, resourceTypes, searchParameters } from '@confide/fhir';
import { ident, type Db } from './db/db.ts';
import { queryGeneric } from './db/generic-plan.ts';
import type { RestrictHook } from './access/access.ts';
import { SqlParams, statementName } from './search/sql-params.ts';

export interface EverythingOptions {
  /** Only resources changed at or after this instant (`_since`). */
  since?: string;
  /** Only these types (`_type`). */
  types?: string[];
  /** The caller's row restriction per table (access policy): hidden rows are neither returned nor followed. */
  restrict?: RestrictHook;
  /** Rows fetched per statement (default 500). */
  pageSize?: number;
}

export interface EverythingRow {
  resource_type: string;
  id: string;
  content: string;
}

/**
 * Types that can hold resources of a patient's compartment (R4 compartmentdefinition-patient), without
 * AuditEvent: the audit trail is a record of who accessed the record, not part of it, and is read by
 * auditors through AuditEvent search (docs/audit.md).
 */
export function compartmentTypes(): string[] {
  return resourceTypes().filter((t) => t !== 'AuditEvent' && (t === 'Patient' || patientCompartmentParams(t).length > 0));
}

/** Compartment types in output order: the Patient first, then by type name. */
let ordered: string[] | undefined;
function compartmentOrder(): string[] {
  ordered ??= compartmentTypes().sort((a, b) => (a === 'Patient' ? -1 : b === 'Patient' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return ordered;
}

/** The reference columns of a type, as one SQL text expression (NULL-safe). */
const refExprs = new Map<string, string>();
function referenceExpr(type: string): string {
  let e = refExprs.get(type);
  if (e === undefined) {
    const cols = [...searchParameters(type).values()].filter((d) => d.type === 'reference' && !d.special).map((d) => d.columnName);
    // One space-separated text rather than a text[]: splitting it is far cheaper than parsing an array
    // literal in the driver, and a reference (`Type/id` or a URL) holds no space.
    e = cols.length ? `array_to_string(${cols.map((c) => `coalesce(t.${ident(c)}, '{}')`).join(' || ')}, ' ')` : `''`;
    refExprs.set(type, e);
  }
  return e;
}

const REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

interface CompartmentRow {
  k: number;
  id: string;
  content: string | null;
  refs: string;
}

/**
 * `Patient/[id]/$everything` (R4 patient-operation-everything): the patient, every resource in the
 * patient's compartment, and the resources those reference that are not in any patient's compartment
 * (practitioners, organizations, locations, medications...). Rows are streamed straight from the database,
 * JSON text untouched, so memory stays flat whatever the size of the record.
 *
 * The compartment is read by one statement over every compartment table (a UNION ALL), paged by keyset
 * (table ordinal, id), and each row brings its outgoing references along, so the referenced resources need no
 * second pass over the compartment. Every statement has a fixed text per caller shape and is named, so
 * PostgreSQL can plan the 60-odd-table union once per connection instead of on every call (planning it was
 * most of the database's time per `$everything`; docs/benchmarks.md).
 */
export async function* patientEverything(db: Db, patientId: string, options: EverythingOptions = {}): AsyncIterable<EverythingRow> {
  if (!isValidId(patientId)) throw errors.notFound(`Patient/${patientId} not found`);
  for (const t of options.types ?? []) if (!isResourceType(t)) throw errors.badRequest(`Unknown resource type in _type: ${t}`, '_type');
  const check = new SqlParams();
  const patientWhere = [`t.id = ${check.add(patientId)}`, options.restrict?.('Patient', 't', check)].filter(Boolean);
  const existsSql = `SELECT t.deleted FROM "Patient" t WHERE ${patientWhere.join(' AND ')}`;
  const exists = await db.query<{ deleted: boolean }>(existsSql, check.values, statementName(existsSql));
  if (!exists.rows[0]) throw errors.notFound(`Patient/${patientId} not found`);
  if (exists.rows[0].deleted) throw errors.gone(`Patient/${patientId} was deleted`);
  const wanted = (t: string) => !options.types || options.types.includes(t);

  // One branch per compartment table the caller may see. A table whose rows are not wanted (by _type) or
  // not changed since _since still yields its rows' references, without their content: what is outside
  // the compartment is included when any visible row of the record points to it.
  const params = new SqlParams();
  const patient = params.textArray([`Patient/${patientId}`]);
  const since = options.since === undefined ? undefined : params.add(options.since);
  // The keyset of the page to continue after: (table ordinal, id), rebound for each page.
  const afterKAt = params.values.length;
  const afterK = params.add(-1);
  const afterIdAt = params.values.length;
  const afterId = params.add('');
  const order = compartmentOrder();
  const branches: string[] = [];
  order.forEach((t, k) => {
    const r = options.restrict?.(t, 't', params);
    if (r === 'false') return;
    const content = !wanted(t) ? 'NULL::text' : since ? `CASE WHEN t.last_updated >= ${since} THEN t.content END` : 't.content';
    const where = [`t.compartments @> ${patient}`, 'NOT t.deleted', `(${k}, t.id) > (${afterK}::int, ${afterId}::text)`];
    if (r) where.push(r);
    branches.push(`SELECT ${k} AS k, t.id, ${content} AS content, ${referenceExpr(t)} AS refs FROM ${ident(t)} t WHERE ${where.join(' AND ')}`);
  });
  const pageSize = options.pageSize ?? 500;
  const outside = new Set(resourceTypes().filter((t) => !order.includes(t) && wanted(t)));
  const refs = new Map<string, Set<string>>();
  if (branches.length > 0) {
    const sql = `SELECT k, id, content, refs FROM (${branches.join(' UNION ALL ')}) AS e ORDER BY k, id LIMIT ${pageSize}`;
    const name = statementName(sql);
    for (;;) {
      const page = await queryGeneric<CompartmentRow>(db, sql, params.values, name);
      for (const row of page.rows) {
        for (const ref of row.refs ? row.refs.split(' ') : []) {
          const m = REFERENCE.exec(ref);
          if (!m || !outside.has(m[1])) continue;
          let ids = refs.get(m[1]);
          if (!ids) refs.set(m[1], (ids = new Set()));
          ids.add(m[2]);
        }
        if (row.content !== null) yield { resource_type: order[row.k], id: row.id, content: row.content };
      }
      if (page.rows.length < pageSize) break;
      const last = page.rows[page.rows.length - 1];
      params.values[afterKAt] = last.k;
      params.values[afterIdAt] = last.id;
    }
  }

  // Referenced resources outside every patient compartment, by type.
  for (const [type, ids] of [...refs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const p = new SqlParams();
    const where = [`t.id = ANY(${p.textArray([...ids].sort())})`, 'NOT t.deleted'];
    if (options.since) where.push(`t.last_updated >= ${p.add(options.since)}`);
    const r = options.restrict?.(type, 't', p);
    if (r === 'false') continue;
    if (r) where.push(r);
    const sql = `SELECT t.id, t.content FROM ${ident(type)} t WHERE ${where.join(' AND ')} ORDER BY t.id`;
    const rows = await db.query<{ id: string; content: string }>(sql, p.values, statementName(sql));
    for (const row of rows.rows) yield { resource_type: type, id: row.id, content: row.content };
  }
}
