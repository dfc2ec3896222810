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
