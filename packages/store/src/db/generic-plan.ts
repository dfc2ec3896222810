import type { Db, QueryResult, Queryable } from './db.ts';

/**
 * Runs a named statement with PostgreSQL's generic plan (plan_cache_mode = force_generic_plan for this statement
 * alone). Left to choose, PostgreSQL keeps re-planning statements that span many tables and carry the access and
 * consent conditions — the `$everything` union, a patient's search — because their custom plans look cheaper than
 * the generic one, though planning them costs more than anything the custom plan saves (measured:
 * docs/benchmarks.md).
 *
 * A generic plan is chosen without the parameter values, so it is only safe for a statement every plan of which
 * is bounded by a condition that is selective whatever its value. Callers use it for statements held to one
 * patient (`compartments @> {Patient/x}` or a `patient`/`subject` token): any plan PostgreSQL picks then reads at
 * most that patient's rows, since no index serves Confide's ORDER BY keys (each is wrapped in COALESCE, keyset.ts),
 * so no plan can walk an index in sort order and filter its way through the whole table.
 *
 * On PostgreSQL outside a transaction the statement runs on a connection that always uses generic plans
 * (PostgresDb.queryGenericPlan). Otherwise the setting is SET LOCAL: in a transaction of its own on a database, or,
 * inside the caller's transaction, for the statement alone and put back afterwards.
 */
export async function queryGeneric<R>(q: Db | Queryable, sql: string, params: unknown[], name: string | undefined): Promise<QueryResult<R>> {
  if (q.queryGenericPlan && name) return q.queryGenericPlan<R>(sql, params, name);
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
