import pg from 'pg';
import type { Db, QueryResult, Queryable } from './db.ts';
import { parseTextArray } from './text-array.ts';

// Keep timestamps and big integers as the text PostgreSQL sends: the store formats FHIR instants itself.
pg.types.setTypeParser(1184, (v) => v); // timestamptz
pg.types.setTypeParser(1114, (v) => v); // timestamp
pg.types.setTypeParser(20, (v) => v); // int8
// text[] (labels, organizations, compartments on every read): PostgreSQL's plain output split without the general
// parser; quoted or multi-dimensional output still goes through it (text-array.ts).
const TEXT_ARRAY = 1009 as Parameters<typeof pg.types.getTypeParser>[0]; // _text: not in pg-types' TypeId enum
const generalTextArray = pg.types.getTypeParser(TEXT_ARRAY);
pg.types.setTypeParser(TEXT_ARRAY, (v: string) => parseTextArray(v, generalTextArray));

export interface PostgresOptions {
  connectionString: string;
  max?: number;
}

/** PostgreSQL through a `pg` connection pool. Concurrent commits on separate connections share WAL flushes. */
export class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  /**
   * Connections that always use generic plans for named statements (queryGenericPlan). A connection of its own
   * rather than `SET LOCAL plan_cache_mode` around the statement: that takes a transaction and three more round
   * trips, which cost more than the planning they save. pg.Pool opens connections only when asked, so a server
   * that never runs such a statement never opens one.
   */
  private readonly genericPool: pg.Pool;

  constructor(options: PostgresOptions) {
    this.pool = PostgresDb.pool(options, '');
    this.genericPool = PostgresDb.pool(options, ' -c plan_cache_mode=force_generic_plan');
  }

  private static pool(options: PostgresOptions, extraOptions: string): pg.Pool {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      // No parallel query: on the small machines Confide targets, starting workers for a short OLTP query
      // costs more than it saves (measured: $everything 33 ms with two workers, 4 ms without).
      // No JIT: the $everything union with the access and consent conditions is costed above jit_above_cost,
      // and compiling its ~2,400 expressions took 5.3 s of a query that runs in 16 ms (docs/benchmarks.md).
      // Confide's statements are short; none gains from JIT.
      options: '-c TimeZone=UTC -c DateStyle=ISO -c max_parallel_workers_per_gather=0 -c jit=off' + extraOptions,
    });
    // An idle client that errors (server restart) must not crash the process.
    pool.on('error', () => undefined);
    return pool;
  }

  async query<R>(sql: string, params: unknown[] = [], name?: string): Promise<QueryResult<R>> {
    const r = name ? await this.pool.query({ name, text: sql, values: params }) : await this.pool.query(sql, params as unknown[]);
    return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
  }

  async queryGenericPlan<R>(sql: string, params: unknown[], name: string): Promise<QueryResult<R>> {
    const r = await this.genericPool.query({ name, text: sql, values: params });
    return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: Queryable = {
      async query<R>(sql: string, params: unknown[] = [], name?: string) {
        const r = name ? await client.query({ name, text: sql, values: params }) : await client.query(sql, params as unknown[]);
        return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
      },
      async exec(sql: string) {
        await client.query(sql);
      },
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async *stream<R>(sql: string, params: unknown[], batchSize = 500): AsyncIterable<R> {
    // A server-side cursor inside a read-only transaction: rows arrive batch by batch.
    const client = await this.pool.connect();
    let ok = false;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE confide_cursor NO SCROLL CURSOR FOR ${sql}`, params as unknown[]);
      for (;;) {
        const r = await client.query(`FETCH ${batchSize} FROM confide_cursor`);
        for (const row of r.rows) yield row as R;
        if (r.rows.length < batchSize) break;
      }
      await client.query('COMMIT');
      ok = true;
    } finally {
      if (!ok) await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.genericPool.end()]);
  }
}
