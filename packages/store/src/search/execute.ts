import type { IncludeRule, SearchRequest } from '@confide/fhir';
import { errors, searchParameter, searchParameters } from '@confide/fhir';
import { ident, type Queryable } from '../db/db.ts';
import { fromRow, type ResourceRow, type StoredResource } from '../stored-resource.ts';
import { filterSql, sortExpression, type FilterContext } from './filter-sql.ts';
import { decodeCursor, encodeCursor, keysetCondition, orderBy, sortKey, type SortKey } from './keyset.ts';
import { heldToOnePatient } from './patient-scope.ts';
import { SqlParams, statementName } from './sql-params.ts';
import { isSearchable, tableLayout } from './table-layout.ts';

export interface SearchOptions {
  baseUrl?: string;
  /** Row-level restriction per table (access policy); see FilterContext.restrict. */
  restrict?: FilterContext['restrict'];
  /** Only resources in this patient's compartment (`Patient/123/Observation?...`). */
  compartment?: string;
  /** Opaque cursor from a previous page's link. */
  cursor?: string;
  /** Most rows `_revinclude` may add to one page. */
  maxIncludes?: number;
  /**
   * An uncorrelated boolean SQL expression to evaluate with the page's statement (once per execution), returned
   * as `probe` when the page has a row: a question about the search as a whole, asked without a round trip of its
   * own (the withheld-by-consent pre-check, consent/withheld.ts `withheldProbe`).
   */
  probe?: (params: SqlParams) => string;
}

export interface SearchResult {
  matches: StoredResource[];
  included: StoredResource[];
  total?: number;
  next?: string;
  previous?: string;
  /** Set when `_revinclude`/`_include` were cut at maxIncludes. */
  includesTruncated?: boolean;
  /** The `probe` option's value; undefined when the page is empty (or no probe was asked). */
  probe?: boolean;
}

const REF_PATTERN = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;
const COLUMNS = 't.id, t.version_id, t.last_updated, t.deleted, t.content, t.compartments';

/** Runs a parsed search on one resource type: filters, sort and paging all in SQL. */
export async function executeSearch(q: Queryable, req: SearchRequest, options: SearchOptions = {}): Promise<SearchResult> {
  const type = req.resourceType;
  if (!type) throw errors.notSupported('System-level search needs _type');
  const params = new SqlParams();
  const ctx: FilterContext = { params, baseUrl: options.baseUrl, restrict: options.restrict, aliasCounter: { n: 0 } };
  const where = ['NOT t.deleted'];
  if (options.compartment) where.push(`t.compartments @> ${params.textArray([options.compartment])}`);
  const restriction = options.restrict?.(type, 't', params);
  if (restriction) where.push(restriction);
  for (const f of req.filters) where.push(filterSql(f, type, 't', ctx));

  const keys: SortKey[] = req.sort.map((s) => {
    const e = sortExpression(type, s.code, 't');
    return sortKey(e.expr, e.kind, s.descending);
  });
  keys.push(sortKey('t.id', 'text', false));

  let total: number | undefined;
  if (req.total === 'accurate' || req.total === 'estimate' || req.summary === 'count') {
    const c = await q.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${ident(type)} t WHERE ${where.join(' AND ')}`, params.values);
    total = Number(c.rows[0]?.n ?? 0);
  }
  if (req.summary === 'count' || req.count === 0) return { matches: [], included: [], total };

  const cursor = options.cursor ? decodeCursor(options.cursor, keys.map((k) => k.kind)) : undefined;
  const reverse = cursor?.direction === 'p';
  const pageWhere = [...where];
  if (cursor) pageWhere.push(keysetCondition(keys, cursor.values, reverse, params));
  const keyColumns = keys.map((k, i) => `${k.expr} AS k${i}`).join(', ');
  const includeCols = includeColumns(type, req.include);
  const probe = options.probe ? `, ${options.probe(params)} AS probe` : '';
  const sql =
    `SELECT ${COLUMNS}, ${keyColumns}${includeCols.map((c, i) => `, t.${ident(c)} AS i${i}`).join('')}${probe} FROM ${ident(type)} t` +
    ` WHERE ${pageWhere.join(' AND ')} ORDER BY ${orderBy(keys, reverse)} LIMIT ${params.add(req.count + 1)}` +
    (req.offset && !cursor ? ` OFFSET ${params.add(req.offset)}` : '');
  const name = statementName(sql);
  // A patient's search is planned once per connection (patient-scope.ts says why that is safe); planning it
  // afresh cost more than running it (docs/benchmarks.md, "Generic plans").
  const r =
    q.queryGenericPlan && name && heldToOnePatient(req, options.compartment)
      ? await q.queryGenericPlan<ResourceRow & Record<string, unknown>>(sql, params.values, name)
      : await q.query<ResourceRow & Record<string, unknown>>(sql, params.values, name);
  let rows = r.rows.slice(0, req.count);
  const more = r.rows.length > req.count;
  if (reverse) rows = rows.reverse();
  const keyValues = (row: Record<string, unknown>) => keys.map((_, i) => (row[`k${i}`] === null ? null : String(row[`k${i}`])));
  let next: string | undefined;
  let previous: string | undefined;
  if (rows.length > 0) {
    const first = keyValues(rows[0]);
    const last = keyValues(rows[rows.length - 1]);
    if (reverse ? true : more) next = encodeCursor({ direction: 'n', values: last });
    if (reverse ? more : !!cursor || (req.offset ?? 0) > 0) previous = encodeCursor({ direction: 'p', values: first });
  }
  if (total === undefined && !cursor && !req.offset && !more) total = rows.length;

  const matches = rows.map((row) => fromRow(type, row));
  const included = await resolveIncludes(q, req, type, rows, includeCols, matches, options);
  const probed = probe && r.rows.length > 0 ? r.rows[0].probe === true : undefined;
  return { matches, included: included.resources, total, next, previous, includesTruncated: included.truncated, probe: probed };
}

/** The reference columns of `type` that `_include` rules starting at it read. */
function includeColumns(type: string, rules: IncludeRule[]): string[] {
  const cols = new Set<string>();
  for (const rule of rules) {
    if (rule.sourceType !== type) continue;
    for (const def of includeParams(type, rule.param)) cols.add(def.columnName);
  }
  return [...cols];
}

function includeParams(type: string, code: string) {
  if (code === '*') return [...searchParameters(type).values()].filter((d) => d.type === 'reference' && !d.special && isSearchable(d));
  const def = searchParameter(type, code);
  if (!def || def.type !== 'reference') throw errors.badRequest(`${type}:${code} is not a reference parameter`, '_include');
  if (!isSearchable(def)) throw errors.badRequest(`${type}:${code} is not supported for ${type} (docs/audit.md)`, '_include');
  return [def];
}

interface Loaded {
  resources: StoredResource[];
  truncated: boolean;
}

/** `_include` and `_revinclude` (search.html#include), with `:iterate` up to a few levels. */
async function resolveIncludes(
  q: Queryable,
  req: SearchRequest,
  type: string,
  rows: Record<string, unknown>[],
  includeCols: string[],
  matches: StoredResource[],
  options: SearchOptions,
): Promise<Loaded> {
  if (req.include.length === 0 && req.revinclude.length === 0) return { resources: [], truncated: false };
  const max = options.maxIncludes ?? 1000;
  const seen = new Set(matches.map((m) => `${m.resourceType}/${m.id}`));
  const out: StoredResource[] = [];
  let truncated = false;
  // Reference values of each loaded resource, by column, to follow the next level of rules.
  let frontier: { type: string; key: string; refs: Map<string, string[]> }[] = rows.map((row) => {
    const refs = new Map<string, string[]>();
    includeCols.forEach((c, i) => refs.set(c, (row[`i${i}`] as string[] | null) ?? []));
    return { type, key: `${type}/${row.id as string}`, refs };
  });
  for (let level = 0; level < 4 && frontier.length > 0; level++) {
    const nextFrontier: typeof frontier = [];
    const addNew = (nodes: (typeof frontier[number] & { resource: StoredResource })[]) => {
      for (const n of nodes) {
        if (seen.has(n.key)) continue;
        seen.add(n.key);
        out.push(n.resource);
        nextFrontier.push(n);
      }
    };
    const rules = (r: IncludeRule) => level === 0 || r.iterate;
    // Forward includes: collect target references.
    const wanted = new Map<string, Set<string>>();
    for (const rule of req.include.filter(rules)) {
      for (const node of frontier) {
        if (node.type !== rule.sourceType) continue;
        for (const def of includeParams(rule.sourceType, rule.param)) {
          for (const ref of node.refs.get(def.columnName) ?? []) {
            const m = REF_PATTERN.exec(ref);
            if (!m || seen.has(ref)) continue;
            if (rule.targetType && m[1] !== rule.targetType) continue;
            if (!wanted.has(m[1])) wanted.set(m[1], new Set());
            wanted.get(m[1])?.add(m[2]);
          }
        }
      }
    }
    for (const [targetType, ids] of wanted) {
      const loaded = await loadRows(q, targetType, `t.id = ANY($1::text[])`, [[...ids]], req, options, max - out.length);
      truncated ||= loaded.truncated;
      addNew(loaded.nodes);
    }
    // Reverse includes: resources whose parameter points at the frontier.
    for (const rule of req.revinclude.filter(rules)) {
      const targets = frontier.map((n) => n.key);
      if (!targets.length) continue;
      const defs = includeParams(rule.sourceType, rule.param);
      // One indexed test over search_tokens for every parameter the rule names (and one on the own column of
      // a parameter kept out of search_tokens, table-layout.ts).
      const untokenized = tableLayout(rule.sourceType).untokenized;
      const entries = defs.filter((d) => !untokenized.has(d.columnName)).flatMap((d) => targets.map((t) => `${d.columnName}=${t}`));
      const own = defs.filter((d) => untokenized.has(d.columnName)).map((d) => `t.${ident(d.columnName)} && $1::text[]`);
      const condition = own.length ? `(${['t.search_tokens && $2::text[]', ...own].join(' OR ')})` : 't.search_tokens && $1::text[]';
      const values = own.length ? [targets, entries] : [entries];
      const loaded = await loadRows(q, rule.sourceType, condition, values, req, options, max - out.length);
      truncated ||= loaded.truncated;
      addNew(loaded.nodes);
    }
    frontier = nextFrontier;
    if (out.length >= max) break;
  }
  return { resources: out, truncated };
}

async function loadRows(
  q: Queryable,
  type: string,
  condition: string,
  values: unknown[],
  req: SearchRequest,
  options: SearchOptions,
  limit: number,
): Promise<{ nodes: { type: string; key: string; refs: Map<string, string[]>; resource: StoredResource }[]; truncated: boolean }> {
  if (limit <= 0) return { nodes: [], truncated: true };
  const cols = [...new Set(req.include.filter((r) => r.iterate && r.sourceType === type).flatMap((r) => includeParams(type, r.param).map((d) => d.columnName)))];
  const params = new SqlParams();
  values.forEach((v) => params.add(v));
  const where = ['NOT t.deleted', condition];
  const restriction = options.restrict?.(type, 't', params);
  if (restriction) where.push(restriction);
  const r = await q.query<ResourceRow & Record<string, unknown>>(
    `SELECT ${COLUMNS}${cols.map((c, i) => `, t.${ident(c)} AS i${i}`).join('')} FROM ${ident(type)} t WHERE ${where.join(' AND ')} ORDER BY t.id LIMIT ${limit + 1}`,
    params.values,
  );
  const nodes = r.rows.slice(0, limit).map((row) => {
    const refs = new Map<string, string[]>();
    cols.forEach((c, i) => refs.set(c, (row[`i${i}`] as string[] | null) ?? []));
    return { type, key: `${type}/${row.id}`, refs, resource: fromRow(type, row) };
  });
  return { nodes, truncated: r.rows.length > limit };
}
