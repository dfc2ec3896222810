import type {
  CompositeValue,
  DateValue,
  Filter,
  FilterValue,
  NumberValue,
  ParamFilter,
  Prefix,
  QuantityValue,
  ReferenceValue,
  SearchParamDef,
  TokenValue,
} from '@confide/fhir';
import { errors, normalizeString, searchParameter } from '@confide/fhir';
import { ident } from '../db/db.ts';
import { escapeLike, type SqlParams, type SqlRef } from './sql-params.ts';
import { prefixed } from './columns.ts';
import { isSearchable, tableLayout } from './table-layout.ts';

/** What compiling a filter needs besides the filter itself. */
export interface FilterContext {
  params: SqlParams;
  /** The server's FHIR base URL: absolute references to it are matched as relative ones. */
  baseUrl?: string;
  /**
   * Extra SQL condition that limits which rows of `type` (aliased `alias`) the caller may see. Applied to
   * every table a filter reaches (chains, `_has`), so that a predicate can never reveal a hidden row.
   */
  restrict?: (type: string, alias: string, params: SqlParams) => string | undefined;
  /** Counter for unique subquery aliases. */
  aliasCounter: { n: number };
}

/** Compiles one AND-ed filter (whose values are OR-ed) on table alias `alias` of type `type` into SQL. */
export function filterSql(filter: Filter, type: string, alias: string, ctx: FilterContext): string {
  switch (filter.kind) {
    case 'param':
      return paramSql(filter, alias, ctx);
    case 'chain': {
      checkSearchable(filter.param);
      const own = isUntokenized(filter.param);
      const prefix = own ? '' : filter.param.columnName + '=';
      const column = own ? `${alias}.${ident(filter.param.columnName)}` : `${alias}.search_tokens`;
      const ors = filter.targets.map((t) => {
        const sub = nextAlias(ctx, 'c');
        const where = [`NOT ${sub}.deleted`, filterSql(t.filter, t.type, sub, ctx), ctx.restrict?.(t.type, sub, ctx.params)].filter(Boolean);
        return `${column} && ARRAY(SELECT ${ctx.params.add(prefix + t.type + '/')} || ${sub}.id FROM ${ident(t.type)} ${sub} WHERE ${where.join(' AND ')})`;
      });
      return ors.length === 1 ? ors[0] : `(${ors.join(' OR ')})`;
    }
    case 'has': {
      checkSearchable(filter.param);
      const sub = nextAlias(ctx, 'h');
      const x = nextAlias(ctx, 'x');
      const prefix = type + '/';
      const col = `${sub}.${ident(filter.param.columnName)}`;
      const where = [
        `NOT ${sub}.deleted`,
        `${x} LIKE ${ctx.params.add(escapeLike(prefix) + '%')}`,
        filterSql(filter.filter, filter.sourceType, sub, ctx),
        ctx.restrict?.(filter.sourceType, sub, ctx.params),
      ].filter(Boolean);
      return `${alias}.id IN (SELECT substr(${x}, ${prefix.length + 1}) FROM ${ident(filter.sourceType)} ${sub}, unnest(${col}) ${x} WHERE ${where.join(' AND ')})`;
    }
  }
}

function nextAlias(ctx: FilterContext, letter: string): string {
  ctx.aliasCounter.n++;
  return `${letter}${ctx.aliasCounter.n}`;
}

/**
 * A parameter whose column the type's table does not keep (AuditEvent's narrow table, table-layout.ts) is
 * refused rather than answered wrongly.
 */
function checkSearchable(def: SearchParamDef, expression = def.code): void {
  if (!isSearchable(def)) {
    throw errors.badRequest(`Search parameter '${def.code}' is not supported for ${def.resourceType} (docs/audit.md lists those the audit trail keeps)`, expression);
  }
}

/** Equality on this parameter tests its own column: its entries are not in search_tokens (table-layout.ts). */
function isUntokenized(def: SearchParamDef): boolean {
  return tableLayout(def.resourceType).untokenized.has(def.columnName);
}

function paramSql(f: ParamFilter, alias: string, ctx: FilterContext): string {
  const def = f.param;
  checkSearchable(def);
  const missing = f.values.find((v) => v.kind === 'missing');
  if (missing && missing.kind === 'missing') {
    const col = def.special === 'column' ? null : `${alias}.${ident(def.columnName)}`;
    if (!col) return missing.missing ? 'false' : 'true';
    return missing.missing ? `${col} IS NULL` : `${col} IS NOT NULL`;
  }
  if (def.code === '_id') {
    const ids = f.values.map((v) => (v.kind === 'token' ? v.code : v.kind === 'string' ? v.value : undefined)).filter((x): x is string => !!x);
    const cond = `${alias}.id = ANY(${ctx.params.textArray(ids)})`;
    return f.modifier === 'not' ? `NOT (${cond})` : cond;
  }
  if (def.code === '_lastUpdated') {
    return ors(f.values.map((v) => (v.kind === 'date' ? pointDateSql(`${alias}.last_updated`, v, ctx) : 'false')));
  }
  const own = isUntokenized(def);
  const col: Col = Object.assign((suffix = '') => `${alias}.${ident(def.columnName + suffix)}`, {
    // Equality on token, reference and uri entries goes through the table's GIN-indexed search_tokens.
    tokens: (entries: string[]) =>
      own
        ? `${alias}.${ident(def.columnName)} && ${ctx.params.textArray(entries)}`
        : `${alias}.search_tokens && ${ctx.params.textArray(prefixed(def.columnName, entries))}`,
  });
  switch (def.type) {
    case 'token':
      return tokenSql(col, f.modifier, f.values as TokenValue[], ctx);
    case 'reference':
      return referenceSql(col, def, f.modifier, f.values as ReferenceValue[], ctx);
    case 'string':
      return stringSql(col, f.modifier, f.values.map((v) => (v as { value: string }).value), ctx);
    case 'uri':
      return uriSql(col, f.modifier, f.values.map((v) => (v as { value: string }).value), ctx);
    case 'date':
      return ors(f.values.map((v) => rangeSql(col, v as DateValue, ctx)));
    case 'number':
      return ors(f.values.map((v) => numberSql(col, v as NumberValue, ctx)));
    case 'quantity':
      return ors(f.values.map((v) => quantitySql(col, v as QuantityValue, ctx)));
    case 'composite':
      return ors(f.values.map((v) => compositeSql(col, def, v as CompositeValue, ctx)));
    default:
      throw errors.notSupported(`Search parameter ${def.code} is not supported`);
  }
}

/**
 * A column of the parameter: `col()` is the main one, `col('__lo')` a companion, `col.tokens(entries)` the
 * indexed `search_tokens` test for equality on entries (see columns.ts).
 */
type Col = ((suffix?: string) => string) & { tokens: (entries: string[]) => string };

function ors(parts: string[]): string {
  if (parts.length === 0) return 'false';
  return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
}

/** Encodings as written by columns.ts. */
export function tokenEntries(values: TokenValue[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (v.typeCode !== undefined) out.push(`ot:${v.typeSystem ?? ''}|${v.typeCode}|${v.code ?? ''}`);
    else if (v.system === undefined) out.push(`*|${v.code ?? ''}`);
    else if (v.system === null) out.push(`|${v.code ?? ''}`);
    else if (v.code === undefined || v.code === '') out.push(`${v.system}|*`);
    else out.push(`${v.system}|${v.code}`);
  }
  return out;
}

function tokenSql(col: Col, modifier: string | undefined, values: TokenValue[], ctx: FilterContext): string {
  if (modifier === 'text') {
    return ors(values.map((v) => `${col('__text')} LIKE ${ctx.params.add('%' + escapeLike(normalizeString(v.text ?? v.code ?? '')) + '%')}`));
  }
  const cond = col.tokens(tokenEntries(values));
  // :not matches resources that have no such code at all, including those without the element (search.html#token).
  return modifier === 'not' ? `NOT COALESCE(${cond}, false)` : cond;
}

const RELATIVE_REF = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

function referenceSql(col: Col, def: SearchParamDef, modifier: string | undefined, values: ReferenceValue[], ctx: FilterContext): string {
  const entries: string[] = [];
  const likes: string[] = [];
  for (const v of values) {
    if (modifier === 'identifier' || v.identifier) {
      const idf = v.identifier ?? {};
      if (idf.system === undefined) likes.push('ident:%|' + escapeLike(idf.value ?? ''));
      else entries.push(`ident:${idf.system}|${idf.value ?? ''}`);
      continue;
    }
    let ref = v.reference;
    if (ref && ctx.baseUrl && ref.startsWith(ctx.baseUrl + '/')) ref = ref.slice(ctx.baseUrl.length + 1);
    const typeModifier = modifier && modifier !== 'identifier' ? modifier : undefined;
    if (ref && (ref.includes('/') || ref.includes(':'))) {
      entries.push(v.version ? `${ref}|${v.version}` : ref);
    } else {
      const id = v.id ?? ref;
      if (!id) continue;
      const types = v.type ? [v.type] : typeModifier ? [typeModifier] : def.targets?.length ? def.targets : [];
      if (types.length === 0) likes.push('%/' + escapeLike(id));
      for (const t of types) entries.push(`${t}/${id}`);
    }
  }
  // "A relative reference resolving to the same value as a specified absolute URL, or vice versa, qualifies as
  // a match" (search.html#reference): `Patient/123` also finds a stored `[base]/Patient/123` of this server.
  if (ctx.baseUrl) {
    for (const e of [...entries]) if (RELATIVE_REF.test(e)) entries.push(`${ctx.baseUrl}/${e}`);
  }
  const parts: string[] = [];
  if (entries.length) parts.push(col.tokens(entries));
  if (likes.length) parts.push(`EXISTS (SELECT 1 FROM unnest(${col()}) r WHERE r LIKE ANY(${ctx.params.textArray(likes)}))`);
  return ors(parts);
}

function stringSql(col: Col, modifier: string | undefined, values: string[], ctx: FilterContext): string {
  if (modifier === 'exact') return `${col('__exact')} && ${ctx.params.textArray(values)}`;
  const patterns = values.map((v) => {
    const n = escapeLike(normalizeString(v));
    return modifier === 'contains' ? `%${n}%` : `${n}%`;
  });
  return `EXISTS (SELECT 1 FROM unnest(${col()}) s WHERE s LIKE ANY(${ctx.params.textArray(patterns)}))`;
}

function uriSql(col: Col, modifier: string | undefined, values: string[], ctx: FilterContext): string {
  if (modifier === 'below') {
    return `EXISTS (SELECT 1 FROM unnest(${col()}) u WHERE u LIKE ANY(${ctx.params.textArray(values.map((v) => escapeLike(v) + '%'))}))`;
  }
  if (modifier === 'above') {
    return `EXISTS (SELECT 1 FROM unnest(${col()}) u, unnest(${ctx.params.textArray(values)}) q WHERE q LIKE replace(replace(replace(u, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')`;
  }
  return col.tokens(values);
}

/**
 * The prefix semantics of search.html#prefix for dates (numbers: numericCondition), for a stored range
 * r = [rs, re) and the search value's range p = [ps, pe): eq r ⊆ p; ne not eq; gt re > pe; lt rs < ps;
 * ge gt or eq; le lt or eq; sa rs ≥ pe; eb re ≤ ps; ap r overlaps p widened by 10% of its distance from now
 * (at least its own width).
 */
function rangeCondition(prefix: Prefix, rs: string, re: string, ps: SqlRef, pe: SqlRef): string {
  const eq = () => `(${rs} >= ${ps} AND ${re} <= ${pe})`;
  switch (prefix) {
    case 'eq':
      return eq();
    case 'ne':
      return `NOT ${eq()}`;
    case 'gt':
      return `${re} > ${pe}`;
    case 'lt':
      return `${rs} < ${ps}`;
    case 'ge':
      return `(${re} > ${pe} OR ${eq()})`;
    case 'le':
      return `(${rs} < ${ps} OR ${eq()})`;
    case 'sa':
      return `${rs} >= ${pe}`;
    case 'eb':
      return `${re} <= ${ps}`;
    case 'ap':
      return `(${rs} < ${pe} AND ${re} > ${ps})`;
  }
}

/** A necessary condition on the envelope [lo, hi) that lets an index narrow the rows first. */
function envelopeCondition(prefix: Prefix, lo: string, hi: string, ps: SqlRef, pe: SqlRef): string | undefined {
  switch (prefix) {
    case 'eq':
    case 'ap':
      return `${lo} < ${pe} AND ${hi} > ${ps}`;
    case 'gt':
    case 'sa':
      return `${hi} > ${pe}`;
    case 'lt':
    case 'eb':
      return `${lo} < ${ps}`;
    case 'ge':
      return `${hi} > ${ps}`;
    case 'le':
      return `${lo} < ${pe}`;
    default:
      return undefined;
  }
}

function approximate(kind: 'tstz' | 'num', start: string | number, end: string | number): [string | number, string | number] {
  if (kind === 'num') {
    const s = Number(start);
    const e = Number(end);
    const mid = (s + e) / 2;
    const w = Math.max(Math.abs(mid) * 0.1, e - s);
    return [mid - w, mid + w];
  }
  const s = Date.parse(String(start));
  const e = Date.parse(String(end));
  const now = Date.now();
  const w = Math.max(Math.abs(now - (s + e) / 2) * 0.1, e - s);
  return [new Date(s - w).toISOString(), new Date(e + w).toISOString()];
}

/** A date parameter: each stored range of the tstzmultirange against the search value's range. */
function rangeSql(col: Col, v: DateValue, ctx: FilterContext): string {
  let start: string = v.start;
  let end: string = v.end;
  if (v.prefix === 'ap') [start, end] = approximate('tstz', start, end) as [string, string];
  const ps = ctx.params.lazy(start, '::timestamptz');
  const pe = ctx.params.lazy(end, '::timestamptz');
  const exact = `EXISTS (SELECT 1 FROM unnest(${col()}) r WHERE ${rangeCondition(v.prefix, "COALESCE(lower(r), '-infinity'::timestamptz)", "COALESCE(upper(r), 'infinity'::timestamptz)", ps, pe)})`;
  const envelope = envelopeCondition(v.prefix, col('__lo'), col('__hi'), ps, pe);
  return envelope ? `(${envelope} AND ${exact})` : `(${col()} IS NOT NULL AND ${exact})`;
}

function numOrText(v: string | number): string {
  if (typeof v === 'string') return v;
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

/**
 * `_lastUpdated`: the stored instant t is a point in time (search.html#date: an instant is "an interval with an
 * effective width of 0"), compared with the search value's range [ps, pe): eq ps ≤ t < pe; gt and sa t ≥ pe;
 * lt and eb t < ps; ge t ≥ ps; le t < pe. (Treating it as the closed range [t, t] in rangeCondition got the
 * edges wrong: `gt` missed t = pe, `eb` matched t = ps.)
 */
function pointDateSql(col: string, v: DateValue, ctx: FilterContext): string {
  let start = v.start;
  let end = v.end;
  if (v.prefix === 'ap') [start, end] = approximate('tstz', start, end) as [string, string];
  const ps = ctx.params.lazy(start, '::timestamptz');
  const pe = ctx.params.lazy(end, '::timestamptz');
  switch (v.prefix) {
    case 'eq':
    case 'ap':
      return `(${col} >= ${ps} AND ${col} < ${pe})`;
    case 'ne':
      return `NOT (${col} >= ${ps} AND ${col} < ${pe})`;
    case 'gt':
    case 'sa':
      return `${col} >= ${pe}`;
    case 'ge':
      return `${col} >= ${ps}`;
    case 'lt':
    case 'eb':
      return `${col} < ${ps}`;
    case 'le':
      return `${col} < ${pe}`;
  }
}

/**
 * Number and quantity matching (search.html#number, #quantity, #prefix). A stored plain decimal is the point
 * it states, so `[parameter]=100` finds "values in the range [99.5 ... 100.5)" (a stored 99.5 included, a
 * stored 100 found by `100.0` as well); a Range, or a Quantity with a comparator, is stored as the range it
 * states ("if the target value is a Range ... the target is explicitly a range"), see columns.ts. The search
 * value's implicit range counts for eq, ne and ap only: "when a comparison prefix in the set gt, lt, ge, le,
 * sa & eb is provided, the implicit precision of the number is ignored" (search.html#number), so `gt100` is
 * "greater than exactly 100". `r` is a numrange expression; points are closed ranges `[v,v]`.
 */
function numericCondition(r: string, v: NumberValue | QuantityValue, ctx: FilterContext): string {
  const n = (x: number) => `${ctx.params.add(numOrText(x))}::numeric`;
  switch (v.prefix) {
    case 'eq':
      return `${r} <@ numrange(${n(v.low)}, ${n(v.high)}, '[)')`;
    case 'ne':
      return `NOT (${r} <@ numrange(${n(v.low)}, ${n(v.high)}, '[)'))`;
    case 'gt':
      return `${r} && numrange(${n(v.value)}, NULL, '()')`;
    case 'ge':
      return `${r} && numrange(${n(v.value)}, NULL, '[)')`;
    case 'lt':
      return `${r} && numrange(NULL, ${n(v.value)}, '()')`;
    case 'le':
      return `${r} && numrange(NULL, ${n(v.value)}, '(]')`;
    case 'sa':
      return `${r} <@ numrange(${n(v.value)}, NULL, '()')`;
    case 'eb':
      return `${r} <@ numrange(NULL, ${n(v.value)}, '()')`;
    case 'ap': {
      const [lo, hi] = approximate('num', v.low, v.high) as [number, number];
      return `${r} && numrange(${n(lo)}, ${n(hi)}, '[)')`;
    }
  }
}

/** A necessary condition on a number column's envelope [__lo, __hi] (points have lo = hi), for the btree. */
function numberEnvelope(lo: string, hi: string, v: NumberValue, ctx: FilterContext): string {
  const n = (x: number) => `${ctx.params.add(numOrText(x))}::numeric`;
  switch (v.prefix) {
    case 'eq':
      return `${lo} < ${n(v.high)} AND ${hi} >= ${n(v.low)}`;
    case 'ap': {
      const [a, b] = approximate('num', v.low, v.high) as [number, number];
      return `${lo} < ${n(b)} AND ${hi} >= ${n(a)}`;
    }
    case 'gt':
    case 'ge':
    case 'sa':
      return `${hi} >= ${n(v.value)}`;
    case 'lt':
    case 'le':
    case 'eb':
      return `${lo} <= ${n(v.value)}`;
    case 'ne':
      return `${hi} IS NOT NULL`;
  }
}

function numberSql(col: Col, v: NumberValue, ctx: FilterContext): string {
  return `(${numberEnvelope(col('__lo'), col('__hi'), v, ctx)} AND EXISTS (SELECT 1 FROM unnest(${col()}) r WHERE ${numericCondition('r', v, ctx)}))`;
}

/** Quantity records {lo, hi, s, c} (columns.ts): lo = hi is a point, otherwise [lo, hi) with NULL for an open end. */
function quantityRecordSql(source: string, v: QuantityValue, ctx: FilterContext): string {
  const conds = [numericCondition(`numrange(q.lo, q.hi, CASE WHEN q.lo = q.hi THEN '[]' ELSE '[)' END)`, v, ctx)];
  if (v.system !== undefined) conds.push(`q.s = ${ctx.params.add(v.system)}`);
  if (v.code !== undefined) conds.push(`q.c = ${ctx.params.add(v.code)}`);
  return `EXISTS (SELECT 1 FROM jsonb_to_recordset(${source}) AS q(lo numeric, hi numeric, s text, c text) WHERE ${conds.join(' AND ')})`;
}

function quantitySql(col: Col, v: QuantityValue, ctx: FilterContext): string {
  return `(${col()} IS NOT NULL AND ${quantityRecordSql(col(), v, ctx)})`;
}

function compositeSql(col: Col, def: SearchParamDef, v: CompositeValue, ctx: FilterContext): string {
  const comps = def.components ?? [];
  const conds = v.components.map((cv, i) => componentSql(`tup->${i}`, comps[i]?.type, cv, ctx));
  return `EXISTS (SELECT 1 FROM jsonb_array_elements(${col()}) tup WHERE ${conds.join(' AND ')})`;
}

function componentSql(source: string, type: string | undefined, v: FilterValue, ctx: FilterContext): string {
  switch (v.kind) {
    case 'token':
      return `jsonb_exists_any(${source}, ${ctx.params.textArray(tokenEntries([v]))})`;
    case 'reference':
      return `jsonb_exists_any(${source}, ${ctx.params.textArray([v.reference ?? `${v.type}/${v.id}`])})`;
    case 'uri':
      return `jsonb_exists_any(${source}, ${ctx.params.textArray([v.value])})`;
    case 'string':
      return `EXISTS (SELECT 1 FROM jsonb_array_elements_text(${source}) s WHERE s LIKE ${ctx.params.add(escapeLike(normalizeString(v.value)) + '%')})`;
    case 'quantity':
      return quantityRecordSql(source, v, ctx);
    case 'number':
      return quantityRecordSql(source, { ...v, kind: 'quantity' }, ctx);
    case 'date': {
      const ps = ctx.params.lazy(v.start, '::timestamptz');
      const pe = ctx.params.lazy(v.end, '::timestamptz');
      return `EXISTS (SELECT 1 FROM jsonb_to_recordset(${source}) AS d(lo timestamptz, hi timestamptz) WHERE ${rangeCondition(v.prefix, 'd.lo', 'd.hi', ps, pe)})`;
    }
    default:
      throw errors.badRequest(`Unsupported value in composite parameter (${type ?? 'unknown'})`);
  }
}

/** The column expression `_sort` orders by for a parameter. */
export function sortExpression(resourceType: string, code: string, alias: string): { expr: string; kind: 'timestamptz' | 'numeric' | 'text' } {
  if (code === '_id') return { expr: `${alias}.id`, kind: 'text' };
  if (code === '_lastUpdated') return { expr: `${alias}.last_updated`, kind: 'timestamptz' };
  const def = searchParameter(resourceType, code);
  if (!def) throw errors.badRequest(`Unknown _sort parameter: ${code}`, '_sort');
  checkSearchable(def, '_sort');
  const col = (suffix = '') => `${alias}.${ident(def.columnName + suffix)}`;
  switch (def.type) {
    case 'date':
      return { expr: col('__lo'), kind: 'timestamptz' };
    case 'number':
    case 'quantity':
      return { expr: col('__lo'), kind: 'numeric' };
    case 'token':
    case 'reference':
    case 'uri':
    case 'string':
      return { expr: `(${col()})[1]`, kind: 'text' };
    default:
      throw errors.badRequest(`Cannot sort by ${code}`, '_sort');
  }
}
