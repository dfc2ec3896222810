import { errors } from '@confide/fhir';
import type { SqlParams } from './sql-params.ts';

/**
 * Keyset paging: a page link carries the sort key of the row it continues from, so pages stay correct while
 * others write (an insert or update never shifts the rows of a page the client has not fetched yet), and
 * deep pages cost the same as the first.
 */
export interface SortKey {
  /** SQL expression, NULL-free (nulls mapped to a sentinel that sorts last). */
  expr: string;
  kind: 'timestamptz' | 'numeric' | 'text';
  descending: boolean;
}

export interface Cursor {
  /** The key values of the row to continue from. */
  values: (string | null)[];
  /** 'n': rows after it (next page); 'p': rows before it (previous page). */
  direction: 'n' | 'p';
}

const SENTINEL = {
  timestamptz: { high: "'infinity'::timestamptz", low: "'-infinity'::timestamptz" },
  numeric: { high: "'Infinity'::numeric", low: "'-Infinity'::numeric" },
  text: { high: 'chr(1114111)', low: "''" },
};

/** Wraps a sort expression so that NULLs sort last in either direction, and text compares byte-wise. */
export function sortKey(expr: string, kind: SortKey['kind'], descending: boolean): SortKey {
  const s = SENTINEL[kind];
  const collate = kind === 'text' ? ' COLLATE "C"' : '';
  return { expr: `(COALESCE(${expr}, ${descending ? s.low : s.high})${collate})`, kind, descending };
}

export function orderBy(keys: SortKey[], reverse: boolean): string {
  return keys.map((k) => `${k.expr} ${k.descending !== reverse ? 'DESC' : 'ASC'}`).join(', ');
}

/** The condition "comes after `values` in this order" (or before, when `reverse`). */
export function keysetCondition(keys: SortKey[], values: (string | null)[], reverse: boolean, params: SqlParams): string {
  const cast = (k: SortKey, v: string | null) => `${params.add(v)}::${k.kind}${k.kind === 'text' ? ' COLLATE "C"' : ''}`;
  const ors: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const ands: string[] = [];
    for (let j = 0; j < i; j++) ands.push(`${keys[j].expr} = ${cast(keys[j], values[j])}`);
    const op = keys[i].descending !== reverse ? '<' : '>';
    ands.push(`${keys[i].expr} ${op} ${cast(keys[i], values[i])}`);
    ors.push('(' + ands.join(' AND ') + ')');
  }
  return '(' + ors.join(' OR ') + ')';
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.direction, ...c.values])).toString('base64url');
}

/**
 * What a key value of each kind looks like as PostgreSQL prints it (timestamptz in ISO DateStyle, possibly
 * `infinity`; numeric, possibly `Infinity`). A cursor is client input: a value that would not cast to its
 * key's type is a bad cursor (400), not an SQL error (500).
 */
const KEY_VALUE: Record<SortKey['kind'], (v: string) => boolean> = {
  timestamptz: (v) => v === 'infinity' || v === '-infinity' || isTimestamp(v),
  numeric: (v) => /^(-?Infinity|NaN|[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)$/.test(v),
  // PostgreSQL text cannot hold U+0000.
  text: (v) => !v.includes('\u0000'),
};

const TIMESTAMP = /^(\d{4,6})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:([+-])(\d{2})(?::?\d{2}(?::?\d{2})?)?|Z)?( BC)?$/;

/** A timestamptz as PostgreSQL prints it (`2024-03-05 10:00:00.123+00`), with a valid date and time. */
function isTimestamp(v: string): boolean {
  const m = TIMESTAMP.exec(v);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const days = new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate();
  return year <= 294275 && month >= 1 && month <= 12 && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59 && Number(m[8] ?? 0) <= 15;
}

/** Decodes a cursor for sort keys of these kinds; a 400 naming `_cursor` when it does not fit them. */
export function decodeCursor(s: string, kinds: SortKey['kind'][]): Cursor {
  try {
    const arr = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[];
    const [direction, ...values] = arr;
    if ((direction !== 'n' && direction !== 'p') || values.length !== kinds.length) throw new Error();
    if (!values.every((v, i) => v === null || (typeof v === 'string' && KEY_VALUE[kinds[i]](v)))) throw new Error();
    return { direction, values: values as (string | null)[] };
  } catch {
    throw errors.badRequest('Invalid or expired paging cursor (_cursor); start the search again', '_cursor');
  }
}
