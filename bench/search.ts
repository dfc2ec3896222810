// npm run bench:search -- [--copies N | --full] [--duration S] [--clients 1,8,16] [--keep]
// FHIR search benchmark on PostgreSQL: a scratch database filled with scaled Synthea copies, then typical
// searches (name, subject+code, subject+date, code across patients, chained, _include, $everything) from
// 1, 8 and 16 clients, each in a separate load-generator process. See bench/README.md for the machinery.
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runLoad } from './lib/load-process.ts';
import { machineInfo } from './lib/machine.ts';
import { cpuSnapshot, cpuUse, waitForQuiet, type CpuSnapshot, type CpuUse } from './lib/proc-cpu.ts';
import { createScratchDb, type ScratchDb } from './lib/scratch-db.ts';
import type { SearchJob, SearchResult, SearchWorkerMessage } from './lib/search-worker.ts';
import { REPO_ROOT, startServer, type ServerProcess } from './lib/server-process.ts';
import { writeScaledBundles } from './lib/synthea-scale.ts';

const log = (msg: string) => process.stderr.write(`[bench:search] ${msg}\n`);
const FULL_COPIES = 134; // 134 × 7,443 ≈ 997k resources, ~3,200 patients

const USAGE = `Usage: npm run bench:search -- [options]
  --copies N          copies of the 24 Synthea bundles, ~7.4k resources each (default 4; env BENCH_COPIES)
  --full              ${FULL_COPIES} copies, ~1,000,000 resources
  --duration S        measured seconds per query and client count (default 10)
  --warmup S          unmeasured seconds before each (default 2)
  --clients 1,8,16    client counts
  --sample N          patients to draw query parameters from (default 400)
  --quiet-wait S      before each measurement, wait up to S s for an idle machine (default 10)
  --no-vacuum         skip VACUUM (ANALYZE) after the ingest
  --only k1,k2        run only these queries: name, obs-code, obs-date, cond-code, chained, include, everything
  --workers N         server processes (confide start --workers; default 1)
  --no-audit          searches on a server without the audit trail (what it costs); the ingest is unchanged
  --keep              do not drop the scratch database (its URL is printed)
  --reuse NAME        measure a database kept by an earlier --keep run (no ingest; it is kept again)
  PostgreSQL: BENCH_DATABASE_URL or DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
`;

// Goals of the FHIR search issue and what was measured on the same kind of 2-core machine.
const TARGETS: Record<string, { perSec: Record<number, number>; p99Ms?: number }> = {
  'obs-code': { perSec: { 1: 1800, 8: 3500 }, p99Ms: 15 },
  everything: { perSec: { 1: 80, 8: 150 } },
};
const PEERS: Record<string, { medplum: Record<number, number>; pgFloor: Record<number, number> }> = {
  'obs-code': { medplum: { 1: 358, 8: 874 }, pgFloor: { 1: 5500, 8: 12500 } },
  everything: { medplum: { 1: 15, 8: 21.5 }, pgFloor: { 1: 295, 8: 577 } },
};

interface Config {
  copies: number;
  duration: number;
  warmup: number;
  clients: number[];
  sample: number;
  quietWait: number;
  vacuum: boolean;
  keep: boolean;
  reuse?: string;
  only: string[];
  workers: number;
  audit: boolean;
  postgresUrl: string;
  syntheaDir: string;
}

function readConfig(argv: string[], env: NodeJS.ProcessEnv): Config | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      copies: { type: 'string', default: env.BENCH_COPIES ?? '4' },
      full: { type: 'boolean', default: false },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      clients: { type: 'string', default: '1,8,16' },
      sample: { type: 'string', default: '400' },
      'quiet-wait': { type: 'string', default: '10' },
      'no-vacuum': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      reuse: { type: 'string' },
      only: { type: 'string', default: '' },
      workers: { type: 'string', default: env.BENCH_WORKERS ?? '1' },
      'no-audit': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return undefined;
  }
  const int = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${v}\n\n${USAGE}`);
    return n;
  };
  return {
    copies: values.full ? FULL_COPIES : int('copies', values.copies),
    duration: Number(values.duration) > 0 ? Number(values.duration) : 10,
    warmup: Number(values.warmup) >= 0 ? Number(values.warmup) : 2,
    clients: values.clients.split(',').map((c) => int('clients', c.trim())),
    sample: int('sample', values.sample),
    quietWait: Number(values['quiet-wait']) || 0,
    vacuum: !values['no-vacuum'],
    keep: values.keep || values.reuse !== undefined,
    reuse: values.reuse,
    only: values.only ? values.only.split(',').map((k) => k.trim()) : [],
    workers: int('workers', values.workers),
    audit: !values['no-audit'],
    postgresUrl: env.BENCH_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    syntheaDir: env.BENCH_SYNTHEA_DIR ?? '/work/shared/data/synthea-r4',
  };
}

/** Waits while another benchmark (bench/run.ts) is running: it would compete for the same two cores. */
async function waitForOtherBench(): Promise<void> {
  let announced = false;
  for (;;) {
    let running = '';
    try {
      running = execFileSync('pgrep', ['-f', 'bench/run.ts'], { encoding: 'utf8' }).trim();
    } catch {
      running = ''; // pgrep exits 1 when nothing matches
    }
    if (!running) return;
    if (!announced) log(`another benchmark is running (pids ${running.replace(/\s+/g, ' ')}); waiting for it to finish`);
    announced = true;
    await new Promise((r) => setTimeout(r, 5000));
  }
}

const WORKER = fileURLToPath(new URL('./lib/search-worker.ts', import.meta.url));

/** Runs one search job in a forked load-generator process, recording CPU use over its measured window. */
async function measureSearch(job: SearchJob, server: ServerProcess, database: string, quietWait: number): Promise<SearchResult & { cpu: CpuUse | null }> {
  await waitForOtherBench();
  const busy = await waitForQuiet(quietWait);
  if (busy >= 15) log(`  the machine is still ${busy}% busy with other work; measuring anyway`);
  let a: CpuSnapshot | null = null;
  let b: CpuSnapshot | null = null;
  const result = await new Promise<SearchResult>((resolve, reject) => {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: SearchWorkerMessage | undefined;
    child.on('message', (m: SearchWorkerMessage) => {
      if ('mark' in m) {
        if (m.mark === 'start') a = cpuSnapshot(server.pid, child.pid ?? 0, database);
        else b = cpuSnapshot(server.pid, child.pid ?? 0, database);
      } else reply = m;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!reply || 'mark' in reply) reject(new Error(`search worker exited with code ${code} and no result`));
      else if (!reply.ok) reject(new Error(`search worker: ${reply.error}`));
      else resolve(reply.result);
    });
    child.send(job);
  });
  return { ...result, cpu: cpuUse(a, b) };
}

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

interface Coding {
  system?: string;
  code?: string;
}
interface SearchBundle {
  total?: number;
  entry?: { resource?: Record<string, unknown> }[];
  link?: { relation?: string; url?: string }[];
}

/** Authorization of the running server (set when it starts). */
let apiHeaders: Record<string, string> = {};
/** `confide start --workers N` (`--workers`); the CPU columns count the server's whole process tree. */
let workerArgs: string[] = [];

async function getJson<T>(base: string, p: string): Promise<T> {
  const r = await fetch(`${base}/${p}`, { headers: { Accept: 'application/fhir+json', ...apiHeaders } });
  if (!r.ok) throw new Error(`GET ${p}: HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
  return (await r.json()) as T;
}

/** Runs fn over items, `n` at a time. */
async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]);
    }),
  );
  return out;
}

const token = (c: Coding | undefined) => (c?.code ? (c.system ? `${c.system}|${c.code}` : c.code) : undefined);

interface PatientParams {
  id: string;
  family: string;
  /** system|code of Observations this patient has. */
  codes: string[];
  /** A date such that about a fifth of the patient's Observations are on or after it. */
  recentDate?: string;
}

/** Reads query parameters for a sample of patients, and the most frequent Condition codes, through the API. */
async function pickParams(base: string, patientIds: string[], sample: number) {
  const ids = shuffle(patientIds).slice(0, sample);
  const patients = await pool(ids, 4, async (id): Promise<PatientParams | undefined> => {
    const p = await getJson<{ name?: { family?: string }[] }>(base, `Patient/${id}`);
    const family = p.name?.find((n) => n.family)?.family;
    if (!family) return undefined;
    const obs = await getJson<SearchBundle>(base, `Observation?subject=Patient/${id}&_count=200`);
    const codes = new Set<string>();
    const dates: string[] = [];
    for (const e of obs.entry ?? []) {
      const r = e.resource as { code?: { coding?: Coding[] }; effectiveDateTime?: string } | undefined;
      const t = token(r?.code?.coding?.[0]);
      if (t) codes.add(t);
      if (r?.effectiveDateTime) dates.push(r.effectiveDateTime.slice(0, 10));
    }
    dates.sort();
    return { id, family, codes: [...codes], recentDate: dates.length ? dates[Math.floor(dates.length * 0.8)] : undefined };
  });
  const picked = patients.filter((p): p is PatientParams => !!p && p.codes.length > 0);
  // Frequent Condition codes, counted over a page of Conditions.
  const cond = await getJson<SearchBundle>(base, `Condition?_count=1000`);
  const freq = new Map<string, number>();
  for (const e of cond.entry ?? []) {
    const t = token((e.resource as { code?: { coding?: Coding[] } } | undefined)?.code?.coding?.[0]);
    if (t) freq.set(t, (freq.get(t) ?? 0) + 1);
  }
  const conditionCodes = [...freq.entries()].sort((x, y) => y[1] - x[1]).slice(0, 10);
  return { patients: picked, conditionCodes };
}

interface QueryDef {
  key: string;
  label: string;
  paths: string[];
}

function buildQueries(patients: PatientParams[], conditionCodes: [string, number][]): QueryDef[] {
  const enc = encodeURIComponent;
  const prefixes = [...new Set(patients.map((p) => p.family.replace(/\d+$/, '').slice(0, 4)))];
  const q: QueryDef[] = [
    { key: 'name', label: 'Patient?name=<prefix>', paths: prefixes.map((x) => `Patient?name=${enc(x)}`) },
    {
      key: 'obs-code',
      label: 'Observation?subject=&code=&_sort=-date&_count=20',
      paths: patients.flatMap((p) => p.codes.slice(0, 5).map((c) => `Observation?subject=Patient/${p.id}&code=${enc(c)}&_sort=-date&_count=20`)),
    },
    {
      key: 'obs-date',
      label: 'Observation?subject=&date=ge<date>',
      paths: patients.filter((p) => p.recentDate).map((p) => `Observation?subject=Patient/${p.id}&date=ge${p.recentDate}`),
    },
    { key: 'cond-code', label: 'Condition?code=<frequent>&_count=20', paths: conditionCodes.map(([c]) => `Condition?code=${enc(c)}&_count=20`) },
    { key: 'chained', label: 'Observation?subject:Patient.name=<family>&_count=20', paths: patients.map((p) => `Observation?subject:Patient.name=${enc(p.family)}&_count=20`) },
    { key: 'include', label: 'Observation?subject=&_include=Observation:subject&_count=20', paths: patients.map((p) => `Observation?subject=Patient/${p.id}&_include=Observation:subject&_count=20`) },
    { key: 'everything', label: 'Patient/<id>/$everything', paths: patients.map((p) => `Patient/${p.id}/$everything`) },
  ];
  for (const x of q) x.paths = shuffle(x.paths);
  return q;
}

interface QueryResult {
  key: string;
  label: string;
  distinctParams: number;
  runs: (SearchResult & { cpu: CpuUse | null })[];
}

function pad(s: string | number, n: number, left = false): string {
  const t = String(s);
  return left ? t.padEnd(n) : t.padStart(n);
}

function vsTarget(key: string, clients: number, perSec: number, p99: number): string {
  const t = TARGETS[key];
  if (!t) return '';
  const parts: string[] = [];
  const goal = t.perSec[clients];
  if (goal) parts.push(`${Math.round((perSec / goal) * 100)}% of ${goal}/s`);
  if (t.p99Ms && clients === 1) parts.push(`p99 ${p99 < t.p99Ms ? '<' : '≥'} ${t.p99Ms} ms`);
  const peer = PEERS[key];
  if (peer?.medplum[clients]) parts.push(`Medplum ${peer.medplum[clients]}, pg floor ${peer.pgFloor[clients]}`);
  return parts.join('; ');
}

function formatTable(queries: QueryResult[]): string {
  const lines = [
    `${pad('query', 58, true)} ${pad('cl', 3)} ${pad('req/s', 7)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ${pad('entries', 8)} ${pad('err', 4)} ${pad('srv', 5)} ${pad('pg', 5)} ${pad('gen', 5)} ${pad('other', 5)}  vs target / peers`,
  ];
  for (const q of queries) {
    for (const r of q.runs) {
      const c = r.cpu;
      const f = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
      lines.push(
        `${pad(q.label, 58, true)} ${pad(r.clients, 3)} ${pad(r.perSec, 7)} ${pad(r.latency.p50.toFixed(2), 8)} ${pad(r.latency.p99.toFixed(2), 8)} ${pad(r.meanEntries, 8)} ${pad(r.errors, 4)} ${pad(f(c?.serverCores), 5)} ${pad(f(c?.postgresCores), 5)} ${pad(f(c?.loadGeneratorCores), 5)} ${pad(f(c?.otherCores), 5)}  ${vsTarget(q.key, r.clients, r.perSec, r.latency.p99)}`,
      );
    }
  }
  return lines.join('\n');
}

async function dbInfo(url: string, name: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const size = await c.query<{ bytes: string }>('SELECT pg_database_size($1) AS bytes', [name]);
    const tables = await c.query<{ name: string; total: string; table: string; indexes: string; rows: string }>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS total, pg_relation_size(c.oid) AS table,
              pg_indexes_size(c.oid) AS indexes, c.reltuples::bigint AS rows
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 12`,
    );
    return {
      bytes: Number(size.rows[0].bytes),
      largestTables: tables.rows.map((r) => ({ name: r.name, totalBytes: Number(r.total), tableBytes: Number(r.table), indexBytes: Number(r.indexes), rows: Number(r.rows) })),
    };
  } finally {
    await c.end();
  }
}

async function vacuumAnalyze(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  try {
    await c.query('VACUUM (ANALYZE)');
  } finally {
    await c.end();
  }
  return Math.round((performance.now() - t0) / 100) / 10;
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

/** Ingests the bundle files into the scratch database with 2 clients, recording CPU use per process. */
async function ingestInto(scratch: ScratchDb, files: string[], bundles: number, resources: number) {
  log(`ingest ${bundles} bundles (${resources} resources) with 2 clients`);
  const server = await startServer({ databaseUrl: scratch.url, args: workerArgs });
  apiHeaders = server.headers;
  try {
    let a: CpuSnapshot | null = null;
    let b: CpuSnapshot | null = null;
    const r = await runLoad({ kind: 'ingest', base: server.base, files, clients: 2, headers: server.headers }, (event, workerPid) => {
      if (event === 'start') a = cpuSnapshot(server.pid, workerPid, scratch.name);
      else b = cpuSnapshot(server.pid, workerPid, scratch.name);
    });
    log(`  ${r.resourcesPerSec} resources/s over ${r.seconds} s, ${r.failedBundles} failed bundles${r.firstError ? `: ${r.firstError}` : ''}`);
    return { ...r, cpu: cpuUse(a, b) };
  } finally {
    await server.stop();
  }
}

/** A database kept by an earlier run, to be measured again without an ingest. */
function reusedDb(adminUrl: string, name: string): ScratchDb {
  const u = new URL(adminUrl);
  u.pathname = '/' + name;
  return { name, url: u.toString(), drop: async () => undefined };
}

/** The resources and patient ids of a kept database. */
async function countDb(url: string): Promise<{ resources: number; patientIds: string[] }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // The bench only creates, so every stored version is one resource.
    const n = await c.query<{ n: string }>('SELECT count(*) AS n FROM resource_history WHERE NOT deleted');
    const p = await c.query<{ id: string }>('SELECT id FROM "Patient" WHERE NOT deleted');
    return { resources: Number(n.rows[0].n), patientIds: p.rows.map((r) => r.id) };
  } finally {
    await c.end();
  }
}

async function main(): Promise<number> {
  const cfg = readConfig(process.argv.slice(2), process.env);
  if (!cfg) return 0;
  if (cfg.workers > 1) workerArgs = ['--workers', String(cfg.workers)];
  const started = performance.now();
  const timestamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = path.join(REPO_ROOT, 'bench', 'results');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-bench-search-'));
  let scratch: ScratchDb | undefined;
  try {
    await waitForOtherBench();
    const machine = await machineInfo(cfg.postgresUrl);
    let set: { bundles: number; resources: number; files: string[] };
    let ingestSummary: Omit<Awaited<ReturnType<typeof ingestInto>>, 'readPaths'> | undefined;
    let patientIds: string[];
    let vacuumSeconds: number | undefined;
    if (cfg.reuse) {
      if (!/^confide_bench_search_[0-9a-f]+$/.test(cfg.reuse)) throw new Error(`--reuse takes a database name kept by --keep, not ${cfg.reuse}`);
      scratch = reusedDb(cfg.postgresUrl, cfg.reuse);
      const counted = await countDb(scratch.url);
      set = { bundles: 0, resources: counted.resources, files: [] };
      patientIds = counted.patientIds;
      log(`reusing ${scratch.name}: ${counted.resources} resources, ${patientIds.length} patients`);
    } else {
      log(`writing ${cfg.copies} copies of the Synthea bundles to ${tmp}`);
      set = writeScaledBundles(cfg.syntheaDir, path.join(tmp, 'bundles'), cfg.copies);
      scratch = await createScratchDb(cfg.postgresUrl, 'search');
      log(`scratch database ${scratch.name}`);
      const { readPaths, ...summary } = await ingestInto(scratch, set.files, set.bundles, set.resources);
      ingestSummary = summary;
      fs.rmSync(path.join(tmp, 'bundles'), { recursive: true, force: true });
      patientIds = readPaths.filter((p) => p.startsWith('Patient/')).map((p) => p.slice('Patient/'.length));
      vacuumSeconds = cfg.vacuum ? await vacuumAnalyze(scratch.url) : undefined;
      if (vacuumSeconds !== undefined) log(`VACUUM (ANALYZE) took ${vacuumSeconds} s`);
    }
    const database = await dbInfo(scratch.url, scratch.name);
    log(`database size ${mb(database.bytes)}`);

    // 2. Searches, on a fresh server process.
    const server = await startServer({ databaseUrl: scratch.url, profileDir: process.env.BENCH_PROFILE_DIR, args: cfg.audit ? workerArgs : [...workerArgs, '--no-audit'] });
    apiHeaders = server.headers;
    const queries: QueryResult[] = [];
    let params;
    try {
      log(`picking query parameters from ${Math.min(cfg.sample, patientIds.length)} of ${patientIds.length} patients`);
      params = await pickParams(server.base, patientIds, cfg.sample);
      const defs = buildQueries(params.patients, params.conditionCodes);
      for (const d of defs.filter((x) => cfg.only.length === 0 || cfg.only.includes(x.key))) {
        const q: QueryResult = { key: d.key, label: d.label, distinctParams: d.paths.length, runs: [] };
        queries.push(q);
        if (d.paths.length === 0) {
          log(`${d.label}: no parameters found, skipped`);
          continue;
        }
        for (const clients of cfg.clients) {
          log(`${d.label}: ${clients} client(s), ${d.paths.length} distinct, ${cfg.warmup} s warm-up + ${cfg.duration} s`);
          const r = await measureSearch({ base: server.base, paths: d.paths, clients, warmup: cfg.warmup, duration: cfg.duration, headers: server.headers }, server, scratch.name, cfg.quietWait);
          q.runs.push(r);
          log(`  ${r.perSec} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.meanEntries} entries/response, ${r.errors} errors${r.firstError ? `: ${r.firstError}` : ''}`);
        }
      }
    } catch (e) {
      process.stderr.write(`--- server log ---\n${server.log()}\n`);
      throw e;
    } finally {
      await server.stop();
    }
    if (/internal error/i.test(server.log())) log(`the server reported internal errors:\n${server.log().slice(-3000)}`);

    const results = {
      timestamp: new Date().toISOString(),
      command: ['npm run bench:search', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      config: { ...cfg, postgresUrl: undefined },
      machine,
      data: { copies: cfg.copies, bundles: set.bundles, resources: set.resources, patients: patientIds.length },
      ingest: ingestSummary,
      vacuumSeconds,
      database,
      params: {
        patientsSampled: params.patients.length,
        conditionCodes: params.conditionCodes,
      },
      targets: TARGETS,
      peers: PEERS,
      queries,
      wallSeconds: Math.round((performance.now() - started) / 1000),
    };
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `search-${timestamp}.json`);
    fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    const c = ingestSummary?.cpu;
    process.stdout.write(
      [
        `Confide FHIR search on PostgreSQL: ${set.resources} resources (${cfg.copies} copies), ${patientIds.length} patients` +
          (cfg.workers > 1 ? `; ${cfg.workers} server processes` : '') + (cfg.audit ? '' : '; audit trail OFF'),
        `database size ${mb(database.bytes)} (${database.bytes} bytes); largest: ${database.largestTables
          .slice(0, 4)
          .map((t) => `${t.name} ${mb(t.totalBytes)}`)
          .join(', ')}`,
        ingestSummary
          ? `ingest (2 clients): ${ingestSummary.resourcesPerSec} resources/s, ${ingestSummary.bundlesPerSec} bundles/s, bundle p50 ${ingestSummary.bundleLatency.p50} ms p99 ${ingestSummary.bundleLatency.p99} ms, ${ingestSummary.failedBundles} failed` +
            (c ? ` (cores: srv ${c.serverCores}, pg ${c.postgresCores}, gen ${c.loadGeneratorCores}, other ${c.otherCores})` : '')
          : `ingest: none (reused database ${scratch.name})`,
        '',
        formatTable(queries),
        '',
      ].join('\n'),
    );
    log(`results written to ${path.relative(REPO_ROOT, file)}`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (scratch) {
      if (cfg.keep) log(`kept scratch database: ${scratch.url}`);
      else await scratch.drop().catch((e: unknown) => log(`dropping ${scratch?.name} failed: ${String(e)}`));
    }
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench:search: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
