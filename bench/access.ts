// npm run bench:access -- [--copies 1] [--duration 10] [--warmup 3] [--read-clients 1,16] [--baseline COMMIT|none]
// What access control and the audit trail cost on read by id (issue #4: under 15% throughput loss), on
// PostgreSQL: the same data read by the same load generator from
//   - the baseline: this project at a commit from before authentication (default 598c3a3), in a worktree;
//   - this code with a backend-services token (system/*.cruds: authentication, an unrestricted decision),
//     with the audit trail off (--no-audit) and on;
//   - this code with a clinician's token (user/*.cruds, limited to the clinic's organization in SQL), with the
//     audit trail off and on — the configuration a practice runs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ThroughputResult } from './lib/http-load.ts';
import { runLoad } from './lib/load-process.ts';
import { machineInfo } from './lib/machine.ts';
import { waitForQuiet } from './lib/proc-cpu.ts';
import { createScratchDb } from './lib/scratch-db.ts';
import { REPO_ROOT, startServer, type ServerOptions } from './lib/server-process.ts';
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
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      'read-clients': { type: 'string', default: '1,16' },
      baseline: { type: 'string', default: '598c3a3' },
    },
  });
  const copies = Number(values.copies);
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const clientCounts = values['read-clients'].split(',').map(Number);
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-bench-access-'));
  const runs: Run[] = [];
  const started = Date.now();
  try {
    const set = writeScaledBundles(path.join(REPO_ROOT, '..', 'shared', 'data', 'synthea-r4'), path.join(tmp, 'bundles'), copies);
    registerWithClinic(set.files);
    const clinic = path.join(tmp, 'clinic.json');
    fs.writeFileSync(clinic, clinicBundle());
    const files = [clinic, ...set.files];

    const measure = async (config: string, options: ServerOptions, paths: string[]) => {
      const server = await startServer(options);
      try {
        for (const clients of clientCounts) {
          await waitForQuiet(10);
          log(`${config}: read by id, ${clients} client(s)`);
          const r: ThroughputResult = await runLoad({ kind: 'read', base: server.base, paths, clients, warmup, duration, headers: server.headers });
          if (r.errors) log(`  ${r.errors} errors, first: ${r.firstError}`);
          log(`  ${r.perSec} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`);
          runs.push({ config, clients, perSec: r.perSec, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors });
        }
      } finally {
        await server.stop();
      }
    };

    // This code: one database, loaded once with a system token, then read in four configurations.
    const db = await createScratchDb(pgUrl, 'access');
    let paths: string[];
    try {
      const loader = await startServer({ databaseUrl: db.url });
      try {
        log(`loading ${set.resources} resources`);
        const ingest = await runLoad({ kind: 'ingest', base: loader.base, files, clients: 2, headers: loader.headers });
        if (ingest.failedBundles) throw new Error(`ingest failed: ${ingest.firstError}`);
        paths = [...ingest.readPaths].sort(() => Math.random() - 0.5);
      } finally {
        await loader.stop();
      }
      const env = { ...process.env, DATABASE_URL: db.url };
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'apps/cli/bin/confide.js'), 'users', 'add', CLINICIAN, '--kind', 'staff', '--fhir-user', `Practitioner/${DOCTOR}`, '--role', 'clinician', '--no-mfa'], { env, stdio: 'ignore' });
      const clinician = { user: CLINICIAN, scope: 'user/*.cruds' };
      await measure('system token, audit off', { databaseUrl: db.url, args: ['--no-audit'] }, paths);
      await measure('system token, audit on', { databaseUrl: db.url }, paths);
      await measure('clinician token, audit off', { databaseUrl: db.url, args: ['--no-audit'], token: clinician }, paths);
      await measure('clinician token, audit on', { databaseUrl: db.url, token: clinician }, paths);
    } finally {
      await db.drop();
    }

    if (values.baseline !== 'none') {
      const root = baselineCheckout(values.baseline);
      const base = await createScratchDb(pgUrl, 'baseline');
      try {
        const loader = await startServer({ databaseUrl: base.url, root, token: false });
        let basePaths: string[];
        try {
          const ingest = await runLoad({ kind: 'ingest', base: loader.base, files, clients: 2 });
          basePaths = [...ingest.readPaths].sort(() => Math.random() - 0.5);
        } finally {
          await loader.stop();
        }
        await measure(`baseline ${values.baseline} (no authentication, no audit)`, { databaseUrl: base.url, root, token: false }, basePaths);
      } finally {
        await base.drop();
      }
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

function report(runs: Run[]): string {
  const baseline = runs.filter((r) => r.config.startsWith('baseline'));
  const lines = ['| configuration | clients | req/s | p50 ms | p99 ms | vs baseline |', '| --- | --: | --: | --: | --: | --: |'];
  for (const r of runs) {
    const b = baseline.find((x) => x.clients === r.clients);
    const delta = b && !r.config.startsWith('baseline') ? `${(((r.perSec - b.perSec) / b.perSec) * 100).toFixed(1)}%` : '';
    lines.push(`| ${r.config} | ${r.clients} | ${r.perSec} | ${r.p50} | ${r.p99} | ${delta} |`);
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
