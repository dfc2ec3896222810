import { createHash } from 'node:crypto';
/** Collects bind parameters while SQL text is assembled: every value reaches PostgreSQL as `$n`, never inline. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return '$' + this.values.length;
  }

  /**
   * A parameter that is bound only if the SQL text actually uses it: PostgreSQL cannot infer the type of a
   * parameter that no expression references, so conditional SQL must not bind what it does not use.
   */
  lazy(value: unknown, cast = ''): SqlRef {
    let ref: string | undefined;
    return {
      toString: () => {
        ref ??= this.add(value) + cast;
        return ref;
      },
    };
  }

  /** A text[] parameter. */
  textArray(values: string[]): string {
    return this.add(values) + '::text[]';
  }
}

/** Escapes LIKE wildcards so that user text matches literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** A placeholder that binds its value when first written into SQL text. */
export interface SqlRef {
  toString(): string;
}

/** SQL text → statement name, for the shapes seen so far (hashing the text on every request cost ~2 µs). */
const named = new Map<string, string>();
const MAX_NAMED = 2000;

/**
 * A statement name for search SQL, so that PostgreSQL prepares each query shape once per connection and can
 * settle on a generic plan instead of planning every request (planning was ~60% of a simple search).
 * Shapes depend on which parameters a client combines, so the number of names is capped.
 */
export function statementName(sql: string): string | undefined {
  const known = named.get(sql);
  if (known) return known;
  if (named.size >= MAX_NAMED) return undefined;
  const name = 's' + createHash('sha1').update(sql).digest('hex').slice(0, 20);
  named.set(sql, name);
  return name;
}
