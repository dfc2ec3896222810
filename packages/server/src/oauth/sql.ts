/** SQL helpers shared by the OAuth tables. Times go in as ISO text and come back as epoch milliseconds. */

/** `(extract(epoch FROM col) * 1000)::float8 AS col`: a timestamptz read the same way from both drivers. */
export function ms(column: string, alias = column.replace(/^.*\./, '')): string {
  return `(extract(epoch FROM ${column}) * 1000)::float8 AS ${alias}`;
}

export function iso(d: Date | number): string {
  return (typeof d === 'number' ? new Date(d) : d).toISOString();
}

/** A number or null from a float8 column (both drivers may hand back strings for some numeric types). */
export function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** jsonb arrives parsed from both drivers; tolerate text anyway. */
export function json<T>(v: unknown): T | null {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
