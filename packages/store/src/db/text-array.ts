/**
 * PostgreSQL's text form of a one-dimensional text[] (PostgreSQL 15 docs, 8.15.6 "Array Input and Output
 * Syntax"), both ways, for the hot path of a read by id.
 *
 * - `textArrayLiteral` writes the literal once, where a statement and its parameters are cached per caller: the
 *   driver would otherwise escape every element of every array parameter again on each execution.
 * - `parseTextArray` reads PostgreSQL's output without a general parser when it can: PostgreSQL double-quotes an
 *   element that is empty, is NULL spelled as text, or holds `{ } , " \` or white space, and writes a null element
 *   as a bare NULL; so output with no quote, no backslash and no inner brace is its elements split on commas.
 *   Anything else (quoted elements, several dimensions, explicit bounds such as `[0:1]={a,b}`) goes to `general`.
 */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null ? 'NULL' : '"' + v.replace(/[\\"]/g, '\\$&') + '"';
  }
  return out + '}';
}

export function parseTextArray<T>(text: string, general: (text: string) => T): (string | null)[] | T {
  if (text.length < 2 || text.charCodeAt(0) !== 0x7b /* { */ || text.charCodeAt(text.length - 1) !== 0x7d /* } */) return general(text);
  if (text.length === 2) return [];
  const inner = text.slice(1, -1);
  if (inner.includes('"') || inner.includes('\\') || inner.includes('{') || inner.includes('}')) return general(text);
  const parts: (string | null)[] = inner.split(',');
  for (let i = 0; i < parts.length; i++) if (parts[i] === 'NULL') parts[i] = null;
  return parts;
}

/** Array parameters as literals (see `textArrayLiteral`); other values as they are. */
export function encodeArrayParams(values: readonly unknown[]): unknown[] {
  return values.map((v) => (Array.isArray(v) && v.every((x) => typeof x === 'string' || x === null) ? textArrayLiteral(v as (string | null)[]) : v));
}
