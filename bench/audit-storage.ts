// node --import tsx bench/audit-storage.ts [--previous COMMIT] [--events 400] [--rounds 3]
// What the audit trail stores per audited read, measured in a way the machine's load cannot change: the same
// folded read events (each naming 200 resources of up to 24 patients, as the recorder folds a busy caller's
// reads) are written through this code's AuditLog and through an earlier commit's (a git worktree made by
// bench:access), each into its own scratch PostgreSQL database, and the AuditEvent table's heap, TOAST and index
// sizes are compared per read. Also reported, but as noisy as any CPU figure on a shared machine: the CPU time
// of the PostgreSQL backends and of this process per read, alternating the two codes round by round.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createScratchDb } from './lib/scratch-db.ts';
import { REPO_ROOT } from './lib/server-process.ts';

interface StoreModule {
  openDb(o: { databaseUrl: string }): Promise<{ close(): Promise<void> }>;
  migrate(db: unknown): Promise<unknown>;
  AuditLog: new (db: unknown, o?: { flushMs?: number; maxBatch?: number }) => { record(e: unknown): void; close(): Promise<void> };
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { previous: { type: 'string', default: '5a679e2' }, events: { type: 'string', default: '400' }, rounds: { type: 'string', default: '3' } },
});
const EVENTS = Number(values.events);
const PER_EVENT = 200;
const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function foldedRead(n: number): unknown {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
    action: 'R',
    period: { start: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n * 20)).toISOString(), end: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n * 20 + 19)).toISOString() },
    recorded: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n * 20 + 19)).toISOString(),
    outcome: '0',
    purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] }],
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] },
        who: { reference: 'Practitioner/bench-doctor', identifier: { system: 'https://confide.health/fhir/sid/username', value: 'bench-clinician' }, display: 'bench-clinician' },
        altId: 'bench-clinician',
        requestor: true,
        network: { address: '127.0.0.1', type: '2' },
        purposeOfUse: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] }],
      },
    ],
    source: { observer: { display: 'Confide' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' }] },
    entity: [
      ...Array.from({ length: 24 }, (_, p) => ({
        what: { reference: `Patient/${(n * 7 + p) % 24}-2f0c8a8e-6c1b-4f4e-9d7a-bench` },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
      })),
      ...Array.from({ length: PER_EVENT }, (_, i) => ({
        what: { reference: `Observation/${n}-${i}-5b0e3c1a-9f7d-4c2e-8a6b-bench` },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '4' },
      })),
    ],
  };
}

async function backendTicks(admin: pg.Client, db: string): Promise<number> {
  const r = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db]);
  let t = 0;
  for (const { pid } of r.rows) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch {
      // the backend ended
    }
  }
  return t;
}

async function run(label: string, root: string, admin: pg.Client) {
  const store = (await import(pathToFileURL(path.join(root, 'packages/store/src/index.ts')).href)) as StoreModule;
  const scratch = await createScratchDb(pgUrl, 'auditsize');
  try {
    const db = await store.openDb({ databaseUrl: scratch.url });
    await store.migrate(db);
    const log = new store.AuditLog(db, { flushMs: 20, maxBatch: 2 });
    // Warm up (statement preparation, first pages), then measure.
    log.record(foldedRead(-1));
    await log.close();
    const sizeBefore = await sizes(scratch.name);
    const log2 = new store.AuditLog(db, { flushMs: 20, maxBatch: 2 });
    const pg0 = await backendTicks(admin, scratch.name);
    const c0 = process.cpuUsage();
    for (let n = 0; n < EVENTS; n++) {
      log2.record(foldedRead(n));
      if (n % 2 === 1) await new Promise((r) => setTimeout(r, 1));
    }
    await log2.close();
    const c = process.cpuUsage(c0);
    const pg1 = await backendTicks(admin, scratch.name);
    const sizeAfter = await sizes(scratch.name);
    await db.close();
    const reads = EVENTS * PER_EVENT;
    const per = (b: number) => Math.round((b / reads) * 10) / 10;
    return {
      label,
      heapBytesPerRead: per(sizeAfter.heap - sizeBefore.heap),
      toastBytesPerRead: per(sizeAfter.toast - sizeBefore.toast),
      indexBytesPerRead: per(sizeAfter.indexes - sizeBefore.indexes),
      postgresCpuUsPerRead: Math.round((((pg1 - pg0) * 10_000) / reads) * 10) / 10,
      nodeCpuUsPerRead: Math.round(((c.user + c.system) / reads) * 10) / 10,
    };
  } finally {
    await scratch.drop();
  }
}

async function sizes(db: string): Promise<{ heap: number; toast: number; indexes: number }> {
  const u = new URL(pgUrl);
  u.pathname = '/' + db;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    const r = await c.query<{ heap: string; toast: string; indexes: string }>(
      `SELECT pg_relation_size(c.oid) AS heap, COALESCE(pg_total_relation_size(c.reltoastrelid), 0) AS toast, pg_indexes_size(c.oid) AS indexes
         FROM pg_class c WHERE c.relname = 'AuditEvent' AND c.relkind = 'r'`,
    );
    const x = r.rows[0];
    return { heap: Number(x.heap), toast: Number(x.toast), indexes: Number(x.indexes) };
  } finally {
    await c.end();
  }
}

const previousRoot = path.join(REPO_ROOT, 'bench', '.baseline', values.previous);
if (!fs.existsSync(path.join(previousRoot, 'node_modules'))) {
  throw new Error(`No worktree of ${values.previous} in ${previousRoot}: run npm run bench:access -- --previous ${values.previous} once`);
}
const admin = new pg.Client({ connectionString: pgUrl });
await admin.connect();
const results = [];
try {
  for (let round = 1; round <= Number(values.rounds); round++) {
    results.push(await run(`previous ${values.previous}`, previousRoot, admin));
    results.push(await run('this code', REPO_ROOT, admin));
    process.stderr.write(`[audit-storage] round ${round}: ${JSON.stringify(results.slice(-2))}\n`);
  }
} finally {
  await admin.end();
}
console.log('| code | heap B/read | TOAST B/read | index B/read | PostgreSQL CPU µs/read | Node CPU µs/read |');
console.log('| --- | --: | --: | --: | --: | --: |');
for (const r of results) console.log(`| ${r.label} | ${r.heapBytesPerRead} | ${r.toastBytesPerRead} | ${r.indexBytesPerRead} | ${r.postgresCpuUsPerRead} | ${r.nodeCpuUsPerRead} |`);
