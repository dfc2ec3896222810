/**
 * The one database interface the store uses. Both backends (PGlite in-process, PostgreSQL over `pg`) speak
 * the same SQL, so everything above this file is written once.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /**
   * Runs one statement. `name` marks a hot statement whose text never changes: PostgreSQL then parses and
   * plans it once per connection (a named prepared statement) instead of on every call.
   */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<QueryResult<R>>;
  /** Runs a multi-statement SQL script (no parameters). */
  exec(sql: string): Promise<void>;
  /**
   * Runs one named statement with PostgreSQL's generic plan, planned once per connection and never re-planned
   * for its parameter values (`plan_cache_mode = force_generic_plan`). Only for statements whose every plan is
   * bounded by a condition the generic plan always uses (generic-plan.ts says which). Absent where there is no
   * cheap way to do it (PGlite, an open transaction): `queryGeneric` then chooses.
   */
  queryGenericPlan?<R = Record<string, unknown>>(sql: string, params: unknown[], name: string): Promise<QueryResult<R>>;
}

export type DbKind = 'pglite' | 'postgres';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Streams the rows of a query without holding them all in memory. */
  stream<R = Record<string, unknown>>(sql: string, params: unknown[], batchSize?: number): AsyncIterable<R>;
  close(): Promise<void>;
}

/** Quotes an SQL identifier. Only names from the FHIR definitions or the schema reach this. */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
