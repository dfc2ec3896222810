// npm run bench -- [--backend pglite|postgres|both] [--copies N] [--duration S] [--profile]
// Ingest and read-by-id benchmarks of Confide on PGlite and PostgreSQL, plus the raw PostgreSQL floor.
// The server, and every load generator, run in their own child processes. See bench/README.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfig, type Backend, type BenchConfig } from './lib/config.ts';
import { nowUs, profileIn, summarizeProfile, type Window } from './lib/cpu-profile.ts';
import { runLoad, type LoadJob, type LoadResults } from './lib/load-process.ts';
import { machineInfo } from './lib/machine.ts';
import { cpuSnapshot, cpuUse, waitForQuiet, type CpuSnapshot } from './lib/proc-cpu.ts';
import { formatResults, type BackendResult, type BenchResults, type FloorResult, type Phase } from './lib/report.ts';
import { createScratchDb, type ScratchDb } from './lib/scratch-db.ts';
import { REPO_ROOT, startServer, type ServerProcess } from './lib/server-process.ts';
import { writeScaledBundles, type ScaledSet } from './lib/synthea-scale.ts';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

let quietWait = 0;
/** Server processes on PostgreSQL (`--workers`); PGlite is always one. */
let workers = 1;

/**
 * Runs one load job and records CPU use (and the profile window) over its measured window. Waits first
 * for the machine to be idle, since other work on the same two cores would skew the figures.
 */
async function measure<K extends LoadJob['kind']>(
  job: Extract<LoadJob, { kind: K }>,
  serverPid: number,
  database: string | undefined,
): Promise<{ result: LoadResults[K]; cpu: ReturnType<typeof cpuUse>; window: Window }> {
  const busy = await waitForQuiet(quietWait);
  if (busy >= 15) log(`  the machine is still ${busy}% busy with other work; measuring anyway`);
  let a: CpuSnapshot | null = null;
  let b: CpuSnapshot | null = null;
  const window: Window = { fromUs: 0, toUs: 0 };
  const result = await runLoad(job, (event, workerPid) => {
    if (event === 'start') {
      window.fromUs = nowUs();
      a = cpuSnapshot(serverPid, workerPid, database);
    } else {
      b = cpuSnapshot(serverPid, workerPid, database);
      window.toUs = nowUs();
    }
  });
  return { result, cpu: cpuUse(a, b), window };
}

/** Where one Confide server keeps its data: a PGlite folder or a scratch PostgreSQL database. */
interface Store {
  dataDir?: string;
  scratch?: ScratchDb;
}

async function newStore(backend: Backend, cfg: BenchConfig, tmp: string, label: string): Promise<Store> {
  if (backend === 'postgres') return { scratch: await createScratchDb(cfg.postgresUrl, label) };
  return { dataDir: fs.mkdtempSync(path.join(tmp, `pglite-${label}-`)) };
}

async function dropStore(s: Store): Promise<void> {
  if (s.scratch) await s.scratch.drop();
  if (s.dataDir) fs.rmSync(s.dataDir, { recursive: true, force: true });
}

async function withServer<T>(store: Store, profileDir: string | undefined, fn: (s: ServerProcess) => Promise<T>): Promise<{ value: T; profile?: string }> {
  const args = store.scratch && workers > 1 ? ['--workers', String(workers)] : [];
  const server = await startServer({ dataDir: store.dataDir, databaseUrl: store.scratch?.url, profileDir, args });
  let value: T;
  try {
    value = await fn(server);
  } catch (e) {
    process.stderr.write(`--- server log ---\n${server.log()}\n`);
    throw e;
  } finally {
    await server.stop();
  }
  if (/internal error/.test(server.log())) log(`the server reported internal errors:\n${server.log().slice(-3000)}`);
  return { value, profile: profileDir ? profileIn(profileDir) : undefined };
}

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function benchBackend(backend: Backend, cfg: BenchConfig, set: ScaledSet, tmp: string, profileRoot?: string): Promise<BackendResult> {
  const out: BackendResult = { backend, ingest: [], read: [], readSetSize: 0 };
  const cleanup: Store[] = [];
  try {
    // Ingest: each client count into a fresh, empty database; the last one is kept for the reads.
    let store: Store | undefined;
    let readPaths: string[] = [];
    for (const clients of cfg.ingestClients[backend]) {
      if (store) await dropStore(store);
      store = await newStore(backend, cfg, tmp, `c${clients}`);
      cleanup.push(store);
      const db = store.scratch?.name;
      const profileDir = profileRoot && path.join(profileRoot, `${backend}-ingest-c${clients}`);
      log(`${backend}: ingest ${set.bundles} bundles (${set.resources} resources) with ${clients} client(s)`);
      const { value, profile } = await withServer(store, profileDir, (s) => measure({ kind: 'ingest', base: s.base, files: set.files, clients, headers: s.headers }, s.pid, db));
      const { readPaths: paths, ...ingest } = value.result;
      readPaths = paths;
      const phase: Phase<typeof ingest> = { ...ingest, cpu: value.cpu };
      if (profile) phase.profile = summarizeProfile(profile, value.window);
      out.ingest.push(phase);
      log(`  ${ingest.resourcesPerSec} resources/s, ${ingest.failedBundles} failed bundles${ingest.firstError ? `: ${ingest.firstError}` : ''}`);
    }
    if (!store) return out;
    // Read by id: a fresh server process on the database the last ingest filled.
    out.readSetSize = readPaths.length;
    const paths = shuffle(readPaths);
    const profileDir = profileRoot && path.join(profileRoot, `${backend}-read`);
    const db = store.scratch?.name;
    const { value: reads, profile } = await withServer(store, profileDir, async (s) => {
      const runs = [];
      for (const clients of cfg.readClients) {
        log(`${backend}: read by id, ${clients} client(s), ${cfg.warmup} s warm-up + ${cfg.duration} s`);
        runs.push(await measure({ kind: 'read', base: s.base, paths, clients, warmup: cfg.warmup, duration: cfg.duration, headers: s.headers }, s.pid, db));
        const r = runs[runs.length - 1].result;
        log(`  ${r.perSec} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.errors} errors${r.firstError ? `: ${r.firstError}` : ''}`);
      }
      return runs;
    });
    for (const r of reads) {
      const phase: Phase<typeof r.result> = { ...r.result, cpu: r.cpu };
      if (profile) phase.profile = summarizeProfile(profile, r.window);
      out.read.push(phase);
    }
    return out;
  } finally {
    for (const s of cleanup) await dropStore(s).catch((e: unknown) => log(`cleanup failed: ${String(e)}`));
  }
}

async function benchFloor(cfg: BenchConfig, set: ScaledSet): Promise<FloorResult> {
  const scratch = await createScratchDb(cfg.postgresUrl, 'raw');
  try {
    log(`raw PostgreSQL: INSERT ${set.resources} rows in ${set.bundles} batches, ${cfg.floorInsertClients} connections`);
    const ins = await measure({ kind: 'raw-insert', connectionString: scratch.url, files: set.files, clients: cfg.floorInsertClients }, 0, scratch.name);
    const { readIds, ...insert } = ins.result;
    log(`  ${insert.rowsPerSec} rows/s`);
    const select: FloorResult['select'] = [];
    const ids = shuffle(readIds);
    for (const clients of cfg.floorSelectClients) {
      log(`raw PostgreSQL: PK SELECT, ${clients} connection(s)`);
      const s = await measure({ kind: 'raw-select', connectionString: scratch.url, ids, clients, warmup: cfg.warmup, duration: cfg.duration }, 0, scratch.name);
      select.push({ ...s.result, cpu: s.cpu });
      log(`  ${s.result.perSec} queries/s, p50 ${s.result.latency.p50} ms, p99 ${s.result.latency.p99} ms`);
    }
    return { insert: { ...insert, cpu: ins.cpu }, select };
  } finally {
    await scratch.drop();
  }
}

async function main(): Promise<number> {
  const cfg = readConfig(process.argv.slice(2), process.env);
  if (!cfg) return 0;
  quietWait = cfg.quietWait;
  workers = cfg.workers;
  const started = performance.now();
  const timestamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = path.join(REPO_ROOT, 'bench', 'results');
  const usesPostgres = cfg.backends.includes('postgres');
  const machine = await machineInfo(usesPostgres ? cfg.postgresUrl : undefined);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-bench-'));
  const profileRoot = cfg.profile ? path.join(resultsDir, `${timestamp}-profiles`) : undefined;
  try {
    log(`writing ${cfg.copies} copies of the Synthea bundles to ${tmp}`);
    const set = writeScaledBundles(cfg.syntheaDir, path.join(tmp, 'bundles'), cfg.copies);
    const backends: BackendResult[] = [];
    for (const b of cfg.backends) backends.push(await benchBackend(b, cfg, set, tmp, profileRoot));
    const floor = usesPostgres ? await benchFloor(cfg, set) : undefined;
    const { postgresUrl: _url, ...config } = cfg;
    const results: BenchResults = {
      timestamp: new Date().toISOString(),
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      config,
      machine,
      data: { copies: cfg.copies, bundles: set.bundles, resources: set.resources },
      backends,
      floor,
      wallSeconds: Math.round((performance.now() - started) / 1000),
    };
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${timestamp}.json`);
    fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(formatResults(results) + '\n');
    log(`results written to ${path.relative(REPO_ROOT, file)}` + (profileRoot ? `; profiles in ${path.relative(REPO_ROOT, profileRoot)}` : ''));
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
