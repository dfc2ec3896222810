import type { Db, QueryResult, Queryable } from './db.ts';

/**
 * Runs a named statement with PostgreSQL's generic plan (plan_cache_mode = force_generic_plan for this statement
 * alone). Left to choose, PostgreSQL keeps re-planning statements that span many tables and carry the access and
 * consent conditions — the `$everything` union, the withheld-by-consent check — because their custom plans look
 * cheaper than the generic one, though planning them costs more than anything the custom plan saves (measured:
 * docs/benchmarks.md). On a database the setting is SET LOCAL in a transaction of its own; inside the caller's
 * transaction it is set for the statement and put back afterwards.
 */
export async function queryGeneric<R>(q: Db | Queryable, sql: string, params: unknown[], name: string | undefined): Promise<QueryResult<R>> {
  if ('transaction' in q) {
    return q.transaction(async (tx) => {
      await tx.query('SET LOCAL plan_cache_mode = force_generic_plan');
      return tx.query<R>(sql, params, name);
    });
  }
  await q.query('SET LOCAL plan_cache_mode = force_generic_plan');
  try {
    return await q.query<R>(sql, params, name);
  } finally {
    await q.query('SET LOCAL plan_cache_mode = auto');
  }
}
