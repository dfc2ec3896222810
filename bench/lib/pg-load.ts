import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { LatencySample, type LatencySummary } from './stats.ts';
import { timedLoop, type Mark, type ThroughputResult } from './http-load.ts';

const TABLE = 'bench_raw';

export interface RawInsertResult {
  clients: number;
  batches: number;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  batchLatency: LatencySummary;
  /** Ids of the Patient and Observation rows, for the select benchmark (same rows the HTTP reads use). */
  readIds: string[];
}

async function connect(connectionString: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString });
  await c.connect();
  return c;
}

/**
 * The floor for ingest: each bundle's resource JSON texts as one multi-row INSERT into (id, content),
 * autocommitted, `clients` connections at a time. No history table, no versioning, no indexing.
 */
export async function rawInsert(connectionString: string, files: string[], clients: number, mark: Mark = () => undefined): Promise<RawInsertResult> {
  const batches: string[][] = [];
  const readIds: string[] = [];
  for (const f of files) {
    const bundle = JSON.parse(fs.readFileSync(f, 'utf8')) as { entry?: { resource?: { resourceType?: string } }[] };
    const params: string[] = [];
    for (const e of bundle.entry ?? []) {
      const id = randomUUID();
      if (e.resource?.resourceType === 'Patient' || e.resource?.resourceType === 'Observation') readIds.push(id);
      params.push(id, JSON.stringify(e.resource));
    }
    batches.push(params);
  }
  const conns = await Promise.all(Array.from({ length: clients }, () => connect(connectionString)));
  await conns[0].query(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (id text PRIMARY KEY, content text NOT NULL)`);
  const latency = new LatencySample();
  let next = 0;
  let rows = 0;
  mark('start');
  const start = performance.now();
  await Promise.all(
    conns.map(async (c) => {
      for (let i = next++; i < batches.length; i = next++) {
        const params = batches[i];
        const values: string[] = [];
        for (let p = 1; p <= params.length; p += 2) values.push(`($${p},$${p + 1})`);
        const t0 = performance.now();
        await c.query(`INSERT INTO ${TABLE} (id, content) VALUES ${values.join(',')}`, params);
        latency.add(performance.now() - t0);
        rows += params.length / 2;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  mark('stop');
  await conns[0].query(`ANALYZE ${TABLE}`);
  await Promise.all(conns.map((c) => c.end()));
  return {
    clients,
    batches: batches.length,
    rows,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSec: Math.round(rows / seconds),
    batchLatency: latency.summary(),
    readIds,
  };
}

/** The floor for read by id: a parameterized primary-key SELECT of the content, one per round trip. */
export async function rawSelect(
  connectionString: string,
  ids: string[],
  clients: number,
  warmupS: number,
  durationS: number,
  mark?: Mark,
): Promise<ThroughputResult> {
  if (ids.length === 0) throw new Error('No ids to select');
  const conns = await Promise.all(Array.from({ length: clients }, () => connect(connectionString)));
  const sql = `SELECT content FROM ${TABLE} WHERE id = $1`;
  const result = await timedLoop(clients, warmupS, durationS, async (c, i) => {
    const r = await conns[c].query(sql, [ids[i % ids.length]]);
    return r.rowCount === 1 ? undefined : `expected 1 row, got ${r.rowCount}`;
  }, mark);
  await Promise.all(conns.map((c) => c.end()));
  return result;
}
