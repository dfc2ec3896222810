// npm run bench:access -- [--copies 1] [--duration 6] [--warmup 3] [--read-clients 1,16] [--rounds 3] [--baseline COMMIT|none]
//                           [--previous COMMIT] [--no-system] [--together]
// npm run bench:access -- --report bench/results/access-….json   (prints the table of an earlier run again)
// What access control and the audit trail cost on read by id (issue #4: under 15% throughput loss), on
// PostgreSQL: the same data read by the same load generator from
//   - the baseline: this project at a commit from before authentication (default 598c3a3), in a worktree;
//   - this code with a backend-services token (system/*.cruds: authentication, an unrestricted decision),
//     with the audit trail off (--no-audit) and on;
//   - this code with a clinician's token (user/*.cruds, limited to the clinic's organization in SQL), with the
//     audit trail off and on — the configuration a practice runs;
//   - with --previous, an earlier commit of this code (e.g. before a change to the audit trail's storage) with
//     the clinician's token and the audit trail on, on its own copy of the data, to compare within one run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ThroughputResult } from './lib/http-load.ts';
import { runLoad } from './lib/load-process.ts';
import { machineInfo } from './lib/machine.ts';
import { cpuSnapshot, cpuUse, waitForQuiet, type CpuSnapshot } from './lib/proc-cpu.ts';
import { createScratchDb, type ScratchDb } from './lib/scratch-db.ts';
import { REPO_ROOT, startServer, type ServerOptions, type ServerProcess } from './lib/server-process.ts';
import { writeScaledBundles } from './lib/synthea-scale.ts';

const log = (msg: string) => process.stderr.write(`[bench:access] ${msg}\n`);

const ORG = 'bench-clinic';
const DOCTOR = 'bench-doctor';
const CLINICIAN = 'bench-clinician';

interface Run {
  config: string;
  clients: number;
  perSec: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of the server and PostgreSQL per request, in µs (steadier than req/s on a shared machine). */
  cpuUsPerRequest?: number;
  /** The same split: the server process's share and PostgreSQL's (all its processes). */
  serverUs?: number;
  postgresUs?: number;
  otherCores?: number;
}

/** The clinic every Synthea patient is registered with, and the clinician who works there. */
function clinicBundle(): string {
  const put = (r: Record<string, unknown>) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType as string}/${r.id as string}` } });
  return JSON.stringify({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Organization', id: ORG, name: 'Bench Clinic' }),
      put({ resourceType: 'Practitioner', id: DOCTOR, name: [{ family: 'Bench' }] }),
      put({ resourceType: 'PractitionerRole', id: `${DOCTOR}-role`, practitioner: { reference: `Practitioner/${DOCTOR}` }, organization: { reference: `Organization/${ORG}` } }),
    ],
  });
}

/** Synthea patients carry no managingOrganization; the bench registers each with the clinic. */
function registerWithClinic(files: string[]): void {
  for (const f of files) {
    const b = JSON.parse(fs.readFileSync(f, 'utf8')) as { entry?: { resource?: Record<string, unknown> }[] };
    for (const e of b.entry ?? []) if (e.resource?.resourceType === 'Patient') e.resource.managingOrganization = { reference: `Organization/${ORG}` };
    fs.writeFileSync(f, JSON.stringify(b));
  }
}

function baselineCheckout(commit: string): string {
  const dir = path.join(REPO_ROOT, 'bench', '.baseline', commit);
  if (!fs.existsSync(path.join(dir, 'node_modules'))) {
    log(`preparing the baseline ${commit} in ${path.relative(REPO_ROOT, dir)} (git worktree + npm ci)`);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    if (!fs.existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, commit], { cwd: REPO_ROOT, stdio: 'inherit' });
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  }
  return dir;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      copies: { type: 'string', default: '1' },
      duration: { type: 'string', default: '6' },
      warmup: { type: 'string', default: '3' },
      'read-clients': { type: 'string', default: '1,16' },
      baseline: { type: 'string', default: '598c3a3' },
      rounds: { type: 'string', default: '3' },
      previous: { type: 'string' },
      'no-system': { type: 'boolean', default: false },
      report: { type: 'string' },
      together: { type: 'boolean', default: false },
    },
  });
  if (values.report) {
    process.stdout.write(report((JSON.parse(fs.readFileSync(values.report, 'utf8')) as { runs: Run[] }).runs) + '\n');
    return 0;
  }
  const setCopies = Number(values.copies);
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const clientCounts = values['read-clients'].split(',').map(Number);
  const rounds = Number(values.rounds);
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-bench-access-'));
  const runs: Run[] = [];
  const started = Date.now();
  try {
    const set = writeScaledBundles(path.join(REPO_ROOT, '..', 'shared', 'data', 'synthea-r4'), path.join(tmp, 'bundles'), setCopies);
    registerWithClinic(set.files);
    const clinic = path.join(tmp, 'clinic.json');
    fs.writeFileSync(clinic, clinicBundle());
    const files = [clinic, ...set.files];

    /** One measured load on a running server, recorded in `runs`. */
    const load = async (config: string, server: ServerProcess, database: string | undefined, paths: string[], clients: number) => {
      let a: CpuSnapshot | null = null;
      let b: CpuSnapshot | null = null;
      const r: ThroughputResult = await runLoad({ kind: 'read', base: server.base, paths, clients, warmup, duration, headers: server.headers }, (event, worker) => {
        if (event === 'start') a = cpuSnapshot(server.pid, worker, database);
        else b = cpuSnapshot(server.pid, worker, database);
      });
      const cpu = cpuUse(a, b);
      const perRequest = (cores: number) => (cpu && r.perSec ? Math.round((cores / r.perSec) * 1e6) : undefined);
      const cpuUsPerRequest = cpu ? perRequest(cpu.serverCores + cpu.postgresCores) : undefined;
      const serverUs = cpu ? perRequest(cpu.serverCores) : undefined;
      const postgresUs = cpu ? perRequest(cpu.postgresCores) : undefined;
      if (r.errors) log(`  ${r.errors} errors, first: ${r.firstError}`);
      log(`${config}, ${clients} client(s): ${r.perSec} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${cpuUsPerRequest ?? '?'} µs CPU/request (server ${serverUs ?? '?'} + PostgreSQL ${postgresUs ?? '?'}; other load ${cpu?.otherCores ?? '?'} cores)`);
      runs.push({ config, clients, perSec: r.perSec, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, cpuUsPerRequest, serverUs, postgresUs, otherCores: cpu?.otherCores });
    };

    const measure = async (config: string, options: ServerOptions, paths: string[]) => {
      const server = await startServer(options);
      try {
        for (const clients of clientCounts) {
          await waitForQuiet(10);
          await load(config, server, dbName(options.databaseUrl), paths, clients);
        }
      } finally {
        await server.stop();
      }
    };

    /**
     * --together: every configuration's server runs at once, each on its own copy of the data, and all are
     * loaded in the same window by their own load generators: whatever else the machine is doing, each
     * configuration suffers it alike, so their CPU per request compare (their sum is not a throughput).
     */
    const measureTogether = async (configs: Array<[string, ServerOptions, string[]]>) => {
      const servers: ServerProcess[] = [];
      try {
        for (const [, options] of configs) servers.push(await startServer(options));
        for (const clients of clientCounts) {
          await Promise.all(configs.map(([config, options, p], i) => load(config, servers[i], dbName(options.databaseUrl), p, clients)));
        }
      } finally {
        await Promise.all(servers.map((x) => x.stop()));
      }
    };

    // This code: one database, loaded once with a system token, then read in four configurations.
    const db = await createScratchDb(pgUrl, 'access');
    const base = values.baseline !== 'none' ? await createScratchDb(pgUrl, 'baseline') : undefined;
    const prev = values.previous ? await createScratchDb(pgUrl, 'previous') : undefined;
    const copies: ScratchDb[] = [];
    try {
      const loader = await startServer({ databaseUrl: db.url });
      let paths: string[];
      try {
        log(`loading ${set.resources} resources`);
        const ingest = await runLoad({ kind: 'ingest', base: loader.base, files, clients: 2, headers: loader.headers });
        if (ingest.failedBundles) throw new Error(`ingest failed: ${ingest.firstError}`);
        paths = [...ingest.readPaths].sort(() => Math.random() - 0.5);
      } finally {
        await loader.stop();
      }
      const addClinician = (root: string, url: string) =>
        execFileSync(process.execPath, [path.join(root, 'apps/cli/bin/confide.js'), 'users', 'add', CLINICIAN, '--kind', 'staff', '--fhir-user', `Practitioner/${DOCTOR}`, '--role', 'clinician', '--no-mfa'], {
          env: { ...process.env, DATABASE_URL: url },
          stdio: 'ignore',
        });
      addClinician(REPO_ROOT, db.url);
      const clinician = { user: CLINICIAN, scope: 'user/*.cruds' };
      const configs: Array<[string, ServerOptions, string[]]> = [
        ['system token, audit off', { databaseUrl: db.url, args: ['--no-audit'] }, paths],
        ['system token, audit on', { databaseUrl: db.url }, paths],
        ['clinician token, audit off', { databaseUrl: db.url, args: ['--no-audit'], token: clinician }, paths],
        ['clinician token, audit on', { databaseUrl: db.url, token: clinician }, paths],
      ].filter(([name]) => !values['no-system'] || !(name as string).startsWith('system')) as Array<[string, ServerOptions, string[]]>;
      if (base) {
        const root = baselineCheckout(values.baseline);
        const old = await startServer({ databaseUrl: base.url, root, token: false });
        try {
          const ingest = await runLoad({ kind: 'ingest', base: old.base, files, clients: 2 });
          configs.unshift([`baseline ${values.baseline} (no authentication, no audit)`, { databaseUrl: base.url, root, token: false }, [...ingest.readPaths].sort(() => Math.random() - 0.5)]);
        } finally {
          await old.stop();
        }
      }
      if (prev && values.previous) {
        const root = baselineCheckout(values.previous);
        const loader = await startServer({ databaseUrl: prev.url, root });
        let p: string[];
        try {
          const ingest = await runLoad({ kind: 'ingest', base: loader.base, files, clients: 2, headers: loader.headers });
          if (ingest.failedBundles) throw new Error(`ingest (previous) failed: ${ingest.firstError}`);
          p = [...ingest.readPaths].sort(() => Math.random() - 0.5);
        } finally {
          await loader.stop();
        }
        addClinician(root, prev.url);
        configs.push([`previous ${values.previous}, clinician token, audit on`, { databaseUrl: prev.url, root, token: clinician }, p]);
      }
      // The machine's speed drifts from minute to minute (it is shared): every configuration is measured in
      // each round, in turn, and the report takes each one's median over the rounds.
      if (values.together) {
        // Each configuration on its own copy of the data (PostgreSQL CPU is counted per database).
        const used = new Set<string>();
        for (const c of configs) {
          const url = c[1].databaseUrl;
          if (!url) continue;
          if (used.has(url)) {
            const copy = await createScratchDb(pgUrl, 'copy', dbName(url));
            copies.push(copy);
            c[1] = { ...c[1], databaseUrl: copy.url };
          }
          used.add(url);
        }
      }
      for (let round = 1; round <= rounds; round++) {
        log(`round ${round} of ${rounds}`);
        if (values.together) {
          await waitForQuiet(10);
          await measureTogether(configs);
        } else for (const [config, options, p] of configs) await measure(config, options, p);
      }
    } finally {
      await db.drop();
      await base?.drop();
      await prev?.drop();
      for (const c of copies) await c.drop();
    }

    const machine = await machineInfo(pgUrl);
    const results = { timestamp: new Date().toISOString(), command: `npm run bench:access -- ${process.argv.slice(2).join(' ')}`.trim(), machine, resources: set.resources, duration, warmup, runs, wallSeconds: Math.round((Date.now() - started) / 1000) };
    const dir = path.join(REPO_ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `access-${results.timestamp.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(report(runs) + '\n');
    log(`results written to ${path.relative(REPO_ROOT, file)}`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function dbName(url: string | undefined): string | undefined {
  return url ? new URL(url).pathname.slice(1) : undefined;
}

function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
}

/** Median over the rounds of each configuration and client count, and the change against the baseline. */
function report(runs: Run[]): string {
  const keys = [...new Set(runs.map((r) => `${r.config}\u0000${r.clients}`))];
  const rows = keys.map((k) => {
    const [config, clients] = k.split('\u0000');
    const rs = runs.filter((r) => r.config === config && r.clients === Number(clients));
    const medianOf = (f: (r: Run) => number | undefined) => {
      const xs = rs.flatMap((r) => (f(r) === undefined ? [] : [f(r) as number]));
      return xs.length ? Math.round(median(xs)) : undefined;
    };
    return {
      config,
      clients: Number(clients),
      perSec: Math.round(median(rs.map((r) => r.perSec))),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      all: rs.map((r) => r.perSec).join(' / '),
      cpu: medianOf((r) => r.cpuUsPerRequest),
      cpuMin: rs.reduce<number | undefined>((m, r) => (r.cpuUsPerRequest === undefined ? m : Math.min(m ?? Infinity, r.cpuUsPerRequest)), undefined),
      serverUs: medianOf((r) => r.serverUs),
      postgresUs: medianOf((r) => r.postgresUs),
      other: medianOf((r) => (r.otherCores === undefined ? undefined : r.otherCores * 100)),
    };
  });
  const lines = [
    '| configuration | clients | req/s (median) | each round | p50 ms | p99 ms | CPU µs/request (server + PostgreSQL) | lowest round | server / PostgreSQL µs | other load (% of a core) | req/s vs baseline | CPU vs baseline | lowest CPU vs baseline |',
    '| --- | --: | --: | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  const pct = (x: number, base: number) => `${x >= base ? '+' : ''}${(((x - base) / base) * 100).toFixed(1)}%`;
  for (const r of rows) {
    const b = rows.find((x) => x.config.startsWith('baseline') && x.clients === r.clients);
    const other = b && b !== r;
    lines.push(
      `| ${r.config} | ${r.clients} | ${r.perSec} | ${r.all} | ${r.p50} | ${r.p99} | ${r.cpu ?? ''} | ${r.cpuMin ?? ''} | ${r.serverUs ?? '?'} / ${r.postgresUs ?? '?'} | ${r.other ?? ''} | ${other ? pct(r.perSec, b.perSec) : ''} | ${other && r.cpu && b.cpu ? pct(r.cpu, b.cpu) : ''} | ${other && r.cpuMin && b.cpuMin ? pct(r.cpuMin, b.cpuMin) : ''} |`,
    );
  }
  return lines.join('\n');
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench:access: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
