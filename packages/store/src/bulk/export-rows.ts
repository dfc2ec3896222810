import { errors, isResourceType, type Filter } from '@confide/fhir';
import { ident, type Queryable } from '../db/db.ts';
import type { RestrictHook } from '../access/access.ts';
import { PART2_SECURITY_TOKEN } from '../access/segmentation-sql.ts';
import { filterSql, type FilterContext } from '../search/filter-sql.ts';
import { SqlParams, statementName } from '../search/sql-params.ts';

export interface ExportRowsOptions {
  /** The caller's row restriction (Access.restrict('search'): the access table and data segmentation). */
  restrict?: RestrictHook;
  /** Only rows changed after this instant (`_since`: "meta.lastUpdated is later than", Bulk Data STU2). */
  since?: string;
  /**
   * Patient-level and Group-level export: only rows in a patient compartment (R4 compartmentdefinition-patient);
   * with `patients`, only in those patients' compartments.
   */
  compartment?: { patients?: string[] };
  /** `_typeFilter`: the row must match every filter of at least one of these (each one search query). */
  filters?: Filter[][];
  /** Rows per statement (default 1000). */
  pageSize?: number;
  baseUrl?: string;
}

export interface ExportRow {
  id: string;
  /** The stored JSON text, exactly as a read serves it. */
  content: string;
  /** The row carries the 42CFRPart2 label (from its `labels` column, not by parsing the content). */
  part2: boolean;
  /** `Patient/id`s whose compartment holds the row. */
  compartments: string[];
}

/**
 * The current, not deleted rows of one type that a bulk export returns (Bulk Data STU2 export.html), page by
 * page in id order (keyset paging: a page costs the same wherever it is, and rows written meanwhile never shift
 * the pages still to come). Every page is one statement under the caller's restriction, exactly as a search: the
 * same `restrict` hook reaches the table and every table a `_typeFilter` chain or `_has` reaches.
 */
export async function* exportRows(q: Queryable, type: string, options: ExportRowsOptions = {}): AsyncIterable<ExportRow[]> {
  if (!isResourceType(type)) throw errors.badRequest(`Unknown resource type: ${type}`, '_type');
  const params = new SqlParams();
  const where = ['NOT t.deleted'];
  const restriction = options.restrict?.(type, 't', params);
  if (restriction === 'false') return;
  if (restriction) where.push(restriction);
  if (options.since !== undefined) where.push(`t.last_updated > ${params.add(options.since)}`);
  if (options.compartment) {
    const patients = options.compartment.patients;
    where.push(patients ? `t.compartments && ${params.textArray(patients.map((p) => `Patient/${p}`))}` : `cardinality(t.compartments) > 0`);
  }
  if (options.filters?.length) {
    const ctx: FilterContext = { params, baseUrl: options.baseUrl, restrict: options.restrict, aliasCounter: { n: 0 } };
    const alternatives = options.filters.map((fs) => (fs.length ? `(${fs.map((f) => filterSql(f, type, 't', ctx)).join(' AND ')})` : 'true'));
    where.push(`(${alternatives.join(' OR ')})`);
  }
  const part2 = params.textArray([PART2_SECURITY_TOKEN]);
  const afterAt = params.values.length;
  const after = params.add('');
  const limit = options.pageSize ?? 1000;
  const sql =
    `SELECT t.id, t.content, coalesce(t.labels, '{}') && ${part2} AS part2, coalesce(t.compartments, '{}') AS compartments FROM ${ident(type)} t` +
    ` WHERE ${where.join(' AND ')} AND t.id > ${after}::text ORDER BY t.id LIMIT ${limit}`;
  const name = statementName(sql);
  for (;;) {
    const page = await q.query<{ id: string; content: string; part2: boolean | null; compartments: string[] }>(sql, params.values, name);
    if (page.rows.length === 0) return;
    yield page.rows.map((r) => ({ id: r.id, content: r.content, part2: r.part2 === true, compartments: r.compartments }));
    if (page.rows.length < limit) return;
    params.values[afterAt] = page.rows[page.rows.length - 1].id;
  }
}
