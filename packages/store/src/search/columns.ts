import type { IndexValue, SearchParamDef } from '@confide/fhir';
import { decimalRange, normalizeString } from '@confide/fhir';

/**
 * How each search parameter is kept in its resource type's table. One row per resource; multiple values in
 * arrays, so a write is one row whatever the number of values, and GIN indexes answer `@>`/`&&`.
 *
 * token      <col> text[]: `system|code` (system may be empty), `*|code` (any system), `system|*` (any code),
 *            `ot:typeSystem|typeCode|value` (identifier `:of-type`); <col>__text: normalized display texts.
 * reference  <col> text[]: `Type/id`, absolute or canonical URLs (and `url|version`), `ident:system|value`.
 * string     <col> text[] normalized (lower case, no accents), <col>__exact text[] as written.
 * uri        <col> text[].
 * date       <col> tstzmultirange of the values' half-open ranges; <col>__lo/<col>__hi: the envelope, for
 *            btree prefilters and sorting.
 * number     <col> nummultirange; <col>__lo/<col>__hi envelope. A plain decimal is the point `[v,v]`, a Range or
 *            a comparator the range it states (see numericBounds).
 * quantity   <col> jsonb [{lo,hi,s,c}] (bounds as numbers or null for open; lo = hi is a point);
 *            <col>__lo/<col>__hi envelope.
 * composite  <col> jsonb: one array per matching element, each holding its components' encoded values.
 * A resource without values has NULL (which is what `:missing=true` finds).
 *
 * The per-parameter arrays carry no index of their own. Every token, reference and uri entry is also
 * written, prefixed with its column name (`code=http://loinc.org|8867-4`, `subject=Patient/1`), into the
 * table's one `search_tokens` column, which has the table's one GIN index: a write maintains one GIN index
 * instead of dozens, and AND-ed equality filters become one index lookup. See `tokenColumnEntries`.
 */
export interface ColumnSpec {
  name: string;
  sqlType: string;
  index?: 'gin' | 'btree' | 'gist';
}

export function columnsFor(def: SearchParamDef): ColumnSpec[] {
  const c = def.columnName;
  switch (def.type) {
    case 'token':
      return [
        { name: c, sqlType: 'text[]' },
        { name: `${c}__text`, sqlType: 'text' },
      ];
    case 'reference':
      return [{ name: c, sqlType: 'text[]' }];
    case 'uri':
      return [{ name: c, sqlType: 'text[]' }];
    case 'string':
      return [
        { name: c, sqlType: 'text[]' },
        { name: `${c}__exact`, sqlType: 'text[]' },
      ];
    case 'date':
      return [
        { name: c, sqlType: 'tstzmultirange' },
        { name: `${c}__lo`, sqlType: 'timestamptz', index: 'btree' },
        { name: `${c}__hi`, sqlType: 'timestamptz' },
      ];
    case 'number':
      return [
        { name: c, sqlType: 'nummultirange' },
        { name: `${c}__lo`, sqlType: 'numeric' },
        { name: `${c}__hi`, sqlType: 'numeric' },
      ];
    case 'quantity':
      return [
        { name: c, sqlType: 'jsonb' },
        { name: `${c}__lo`, sqlType: 'numeric' },
        { name: `${c}__hi`, sqlType: 'numeric' },
      ];
    case 'composite':
      return [{ name: c, sqlType: 'jsonb' }];
    default:
      return [];
  }
}

/** The column values of one parameter, aligned with `columnsFor(def)`. */
export function columnValues(def: SearchParamDef, values: IndexValue[] | undefined): unknown[] {
  const width = columnsFor(def).length;
  if (!values || values.length === 0) return new Array(width).fill(null);
  switch (def.type) {
    case 'token': {
      const entries = new Set<string>();
      const texts: string[] = [];
      for (const v of values) if (v.kind === 'token') encodeToken(v, entries, texts);
      return [entries.size ? [...entries] : null, texts.length ? texts.join(' | ') : null];
    }
    case 'reference':
    case 'uri': {
      const entries = new Set<string>();
      for (const v of values) encodeReference(v, entries);
      return [entries.size ? [...entries] : null];
    }
    case 'string': {
      const raw = values.filter((v) => v.kind === 'string').map((v) => (v as { value: string }).value);
      if (!raw.length) return [null, null];
      return [[...new Set(raw.map(normalizeString))], [...new Set(raw)]];
    }
    case 'date': {
      const ranges = values.filter((v) => v.kind === 'date') as { start: string; end: string }[];
      if (!ranges.length) return [null, null, null];
      let lo = ranges[0].start;
      let hi = ranges[0].end;
      for (const r of ranges) {
        if (cmpInstant(r.start, lo) < 0) lo = r.start;
        if (cmpInstant(r.end, hi) > 0) hi = r.end;
      }
      return ['{' + ranges.map((r) => `[${r.start},${r.end})`).join(',') + '}', lo, hi];
    }
    case 'number': {
      const nums = (values.filter((v) => v.kind === 'number') as NumericValue[]).map(numericBounds);
      if (!nums.length) return [null, null, null];
      return ['{' + nums.map((n) => numRange(n.low, n.high)).join(',') + '}', numText(min(nums.map((n) => n.low))), numText(max(nums.map((n) => n.high)))];
    }
    case 'quantity': {
      const qs = values.filter((v) => v.kind === 'quantity') as Extract<IndexValue, { kind: 'quantity' }>[];
      if (!qs.length) return [null, null, null];
      const bounds = qs.map(numericBounds);
      const json = qs.map((q, i) => ({ lo: finite(bounds[i].low), hi: finite(bounds[i].high), s: q.system ?? null, c: q.code ?? q.unit ?? null }));
      return [JSON.stringify(json), numText(min(bounds.map((b) => b.low))), numText(max(bounds.map((b) => b.high)))];
    }
    case 'composite': {
      const tuples = values.filter((v) => v.kind === 'composite') as Extract<IndexValue, { kind: 'composite' }>[];
      if (!tuples.length) return [null];
      return [JSON.stringify(tuples.map((t) => t.components.map(encodeComponent)))];
    }
    default:
      return [];
  }
}

/** A composite component's values, encoded as the SQL for composites expects (see search/sql-composite). */
function encodeComponent(values: IndexValue[]): unknown {
  const first = values[0];
  if (!first) return null;
  switch (first.kind) {
    case 'token': {
      const entries = new Set<string>();
      for (const v of values) if (v.kind === 'token') encodeToken(v, entries, []);
      return [...entries];
    }
    case 'reference':
    case 'uri': {
      const entries = new Set<string>();
      for (const v of values) encodeReference(v, entries);
      return [...entries];
    }
    case 'string':
      return values.map((v) => normalizeString((v as { value: string }).value));
    case 'date':
      return values.map((v) => ({ lo: (v as { start: string }).start, hi: (v as { end: string }).end }));
    case 'number':
      return values.map((v) => {
        const b = numericBounds(v as NumericValue);
        return { lo: finite(b.low), hi: finite(b.high) };
      });
    case 'quantity':
      return values.map((v) => {
        const q = v as Extract<IndexValue, { kind: 'quantity' }>;
        const b = numericBounds(q);
        return { lo: finite(b.low), hi: finite(b.high), s: q.system ?? null, c: q.code ?? q.unit ?? null };
      });
    default:
      return null;
  }
}

export function encodeToken(v: { system?: string; code?: string; display?: string; typeSystem?: string; typeCode?: string }, entries: Set<string>, texts: string[]): void {
  if (v.code !== undefined) {
    entries.add(`${v.system ?? ''}|${v.code}`);
    entries.add(`*|${v.code}`);
    if (v.typeCode !== undefined) entries.add(`ot:${v.typeSystem ?? ''}|${v.typeCode}|${v.code}`);
  }
  if (v.system !== undefined) entries.add(`${v.system}|*`);
  if (v.display) texts.push(normalizeString(v.display));
}

function encodeReference(v: IndexValue, entries: Set<string>): void {
  if (v.kind === 'uri') {
    entries.add(v.value);
    return;
  }
  if (v.kind !== 'reference') return;
  if (v.reference) {
    entries.add(v.reference);
    if (v.version) entries.add(`${v.reference}|${v.version}`);
  }
  if (v.identifier && (v.identifier.system !== undefined || v.identifier.value !== undefined)) {
    entries.add(`ident:${v.identifier.system ?? ''}|${v.identifier.value ?? ''}`);
  }
}

function cmpInstant(a: string, b: string): number {
  const va = a === '-infinity' ? -Infinity : a === 'infinity' ? Infinity : Date.parse(a);
  const vb = b === '-infinity' ? -Infinity : b === 'infinity' ? Infinity : Date.parse(b);
  return va - vb;
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function numText(n: number): string | null {
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return Number.isNaN(n) ? null : String(n);
}

interface NumericValue {
  value: number;
  low: number;
  high: number;
}

/**
 * What a number or quantity value is matched as (search.html#number): a plain decimal is the point it states —
 * `[parameter]=100` searches "for values in the range [99.5 ... 100.5)", so a stored 99.5 matches and a stored
 * 100 is found by `100.0` too — while a Range or a Quantity with a comparator stays the range extraction gave it
 * (search.html#prefix: "If the target value is a Range ... the target is explicitly a range"). Extraction gives
 * every value its implicit range; a plain decimal is recognised by that range being exactly the one of its own
 * digits. A point is returned as low = high = value.
 */
function numericBounds(v: NumericValue): { low: number; high: number } {
  const own = decimalRange(String(v.value));
  if (own && own.low === v.low && own.high === v.high) return { low: v.value, high: v.value };
  return { low: v.low, high: v.high };
}

/** A numrange literal: `[v,v]` for a point, `[lo,hi)` otherwise, an infinite bound left open. */
function numRange(lo: number, hi: number): string {
  if (lo === hi) return `[${lo},${hi}]`;
  return `${Number.isFinite(lo) ? '[' + lo : '('},${Number.isFinite(hi) ? hi : ''})`;
}

function min(xs: number[]): number {
  return xs.reduce((a, b) => (b < a ? b : a), Infinity);
}

function max(xs: number[]): number {
  return xs.reduce((a, b) => (b > a ? b : a), -Infinity);
}

/** The `search_tokens` column: `<column>=<entry>` for every token, reference and uri entry of a row. */
export const SEARCH_TOKENS_COLUMN: ColumnSpec = { name: 'search_tokens', sqlType: 'text[]', index: 'gin' };

/** Whether a parameter type's entries go into `search_tokens`. */
export function isTokenLike(type: string): boolean {
  return type === 'token' || type === 'reference' || type === 'uri';
}

/** The prefixed form of entries as they stand in `search_tokens`. */
export function prefixed(columnName: string, entries: readonly string[]): string[] {
  return entries.map((e) => `${columnName}=${e}`);
}
