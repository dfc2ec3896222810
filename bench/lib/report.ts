import type { IngestResult, ThroughputResult } from './http-load.ts';
import type { CpuUse } from './proc-cpu.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import type { RawInsertResult } from './pg-load.ts';
import type { MachineInfo } from './machine.ts';
import type { Backend, BenchConfig } from './config.ts';

/** A measured phase, with where the CPU went while it was measured and, with --profile, the server profile. */
export type Phase<T> = T & { cpu: CpuUse | null; profile?: ProfileSummary };

export interface BackendResult {
  backend: Backend;
  ingest: Phase<Omit<IngestResult, 'readPaths'>>[];
  read: Phase<ThroughputResult>[];
  /** How many distinct Patient/Observation ids the reads cycled through. */
  readSetSize: number;
}

export interface FloorResult {
  insert: Phase<Omit<RawInsertResult, 'readIds'>>;
  select: Phase<ThroughputResult>[];
}

export interface BenchResults {
  timestamp: string;
  command: string;
  config: Omit<BenchConfig, 'postgresUrl'>;
  machine: MachineInfo;
  data: { copies: number; bundles: number; resources: number };
  backends: BackendResult[];
  floor?: FloorResult;
  wallSeconds: number;
}

// The goals of the foundation issue, and what others measured on the same kind of 2-core machine.
export const TARGETS = {
  ingest: { postgres: 2500, pglite: 1500 } as Record<Backend, number>,
  read: { 1: 2500, 8: 6000 } as Record<number, number>,
  readP99Ms: 10,
};
export const PEERS = {
  medplumIngest: 250,
  medplumRead: { 1: 535, 8: 1576 } as Record<number, number>,
  floorInsert: '14–22k',
  floorSelect: { 1: '~8.5k', 4: '~20k' } as Record<number, string>,
};

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** "met" or "-23%" against an at-least target. */
function versus(value: number, target: number | undefined): string {
  if (target === undefined) return '';
  return value >= target ? `≥ ${n(target)} met` : `≥ ${n(target)} MISSED (${Math.round((value / target - 1) * 100)}%)`;
}

function cpu(c: CpuUse | null, server = true): string {
  if (!c) return '';
  const parts = server ? [`srv ${c.serverCores.toFixed(2)}`] : [];
  parts.push(`pg ${c.postgresCores.toFixed(2)}`, `gen ${c.loadGeneratorCores.toFixed(2)}`, `other ${c.otherCores.toFixed(2)}`);
  return `${parts.join(' ')} (${c.machineBusyPct}% busy)`;
}

function table(rows: string[][]): string {
  if (rows.length === 0) return '  (no samples)';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export function formatResults(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; PGlite ${m.pglite}` +
      (m.postgres ? `; PostgreSQL ${m.postgres}` : '') +
      `; commit ${m.gitCommit}`,
    ...(r.config.workers > 1 ? [`Server on PostgreSQL: ${r.config.workers} worker processes (confide start --workers ${r.config.workers}); srv is their sum`] : []),
    `Data: ${r.data.copies} copies of the Synthea set = ${n(r.data.bundles)} transaction bundles, ${n(r.data.resources)} resources`,
    'CPU: cores used in the measured window by the server process (srv; PGlite runs inside it), PostgreSQL (pg), the load generator (gen) and everything else (other); machine busy % of all cores.',
  ];
  for (const b of r.backends) {
    const rows: string[][] = [['', 'result', 'p50 / p99 ms', 'target', 'Medplum 5.0.10', 'CPU']];
    for (const i of b.ingest) {
      rows.push([
        `ingest, ${i.clients} client${i.clients > 1 ? 's' : ''}`,
        `${n(i.resourcesPerSec)} res/s, ${i.bundlesPerSec} bundles/s` + (i.failedBundles ? ` (${i.failedBundles} FAILED)` : ''),
        `${n(i.bundleLatency.p50)} / ${n(i.bundleLatency.p99)} per bundle`,
        versus(i.resourcesPerSec, TARGETS.ingest[b.backend]),
        `~${PEERS.medplumIngest} res/s`,
        cpu(i.cpu),
      ]);
    }
    for (const x of b.read) {
      const target = b.backend === 'postgres' ? TARGETS.read[x.clients] : undefined;
      const p99 = b.backend === 'postgres' ? (x.latency.p99 < TARGETS.readP99Ms ? ', p99 < 10 met' : ', p99 < 10 MISSED') : '';
      rows.push([
        `read by id, ${x.clients} client${x.clients > 1 ? 's' : ''}`,
        `${n(x.perSec)} req/s` + (x.errors ? ` (${x.errors} errors)` : ''),
        `${x.latency.p50.toFixed(2)} / ${x.latency.p99.toFixed(2)}`,
        versus(x.perSec, target) + (target !== undefined ? p99 : ''),
        PEERS.medplumRead[x.clients] ? `${n(PEERS.medplumRead[x.clients])} req/s` : '',
        cpu(x.cpu),
      ]);
    }
    out.push('', b.backend === 'pglite' ? 'Confide on PGlite (embedded)' : 'Confide on PostgreSQL', table(rows));
  }
  if (r.floor) {
    const f = r.floor;
    const rows: string[][] = [['', 'result', 'p50 / p99 ms', 'reference', 'CPU']];
    rows.push([
      `INSERT, ${f.insert.clients} connections`,
      `${n(f.insert.rowsPerSec)} rows/s`,
      `${n(f.insert.batchLatency.p50)} / ${n(f.insert.batchLatency.p99)} per batch`,
      `${PEERS.floorInsert} rows/s`,
      cpu(f.insert.cpu, false),
    ]);
    for (const s of f.select) {
      rows.push([
        `PK SELECT, ${s.clients} connection${s.clients > 1 ? 's' : ''}`,
        `${n(s.perSec)} queries/s`,
        `${s.latency.p50.toFixed(2)} / ${s.latency.p99.toFixed(2)}`,
        PEERS.floorSelect[s.clients] ? `${PEERS.floorSelect[s.clients]} queries/s` : '',
        cpu(s.cpu, false),
      ]);
    }
    out.push('', 'Raw PostgreSQL floor (pg, table (id text primary key, content text))', table(rows));
  }
  const profiled = [...r.backends.flatMap((b) => [...b.ingest, ...b.read].map((p) => ({ b: b.backend, p })))].filter((x) => x.p.profile);
  for (const { b, p } of profiled) {
    const label = 'resourcesPerSec' in p ? `ingest ${p.clients}c` : `read ${p.clients}c`;
    const prof = p.profile as ProfileSummary;
    out.push('', `Server profile, ${b} ${label}: busy ${n(prof.busyMs)} of ${n(prof.totalMs)} ms`);
    out.push('  by area: ' + prof.byArea.slice(0, 8).map((a) => `${a.area} ${a.pct}%`).join(', '));
    out.push(table(prof.top.map((t) => ['  ' + t.pct.toFixed(1) + '%', `${n(t.ms)} ms`, t.name, t.where])));
  }
  out.push('', `Total wall time ${Math.round(r.wallSeconds)} s`);
  return out.join('\n');
}
