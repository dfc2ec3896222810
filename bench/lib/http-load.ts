import fs from 'node:fs';
import { HttpConnection } from './http-connection.ts';
import { LatencySample, type LatencySummary } from './stats.ts';

/** Resource types whose ids are kept from the ingest for the read benchmark. */
const READ_TYPES = new Set(['Patient', 'Observation']);

/** Tells the orchestrator when the measured window opens and closes (it samples CPU use then). */
export type Mark = (event: 'start' | 'stop') => void;

function connections(base: URL, n: number): HttpConnection[] {
  return Array.from({ length: n }, () => new HttpConnection(base.hostname, Number(base.port)));
}

export interface IngestResult {
  clients: number;
  bundles: number;
  resources: number;
  seconds: number;
  resourcesPerSec: number;
  bundlesPerSec: number;
  bundleLatency: LatencySummary;
  /** Entries whose response carried a Location (should equal resources). */
  created: number;
  failedBundles: number;
  firstError?: string;
  /** `Type/id` of the created Patients and Observations, for the read benchmark. */
  readPaths: string[];
}

/** Posts every bundle file as a transaction, `clients` at a time over keep-alive connections. */
export async function ingestBundles(base: string, files: string[], clients: number, mark: Mark = () => undefined, extra: Record<string, string> = {}): Promise<IngestResult> {
  const url = new URL(base);
  const bodies = files.map((f) => fs.readFileSync(f));
  const sizes = bodies.map((b) => (JSON.parse(b.toString('utf8')) as { entry?: unknown[] }).entry?.length ?? 0);
  const conns = connections(url, clients);
  const latency = new LatencySample();
  const readPaths: string[] = [];
  let next = 0;
  let resources = 0;
  let created = 0;
  let failed = 0;
  let firstError: string | undefined;
  const location = /\/fhir\/R4\/([A-Za-z]+)\/([^/]+)\/_history\//;

  const headers = { 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json', Prefer: 'return=minimal', ...extra };
  const client = async (conn: HttpConnection) => {
    for (let i = next++; i < bodies.length; i = next++) {
      const t0 = performance.now();
      const r = await conn.request('POST', url.pathname, headers, bodies[i]);
      latency.add(performance.now() - t0);
      if (r.status !== 200) {
        failed++;
        firstError ??= `HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 500)}`;
        continue;
      }
      resources += sizes[i];
      const reply = JSON.parse(r.body.toString('utf8')) as { entry?: { response?: { location?: string } }[] };
      for (const e of reply.entry ?? []) {
        const m = location.exec(e.response?.location ?? '');
        if (m) created++;
        if (m && READ_TYPES.has(m[1])) readPaths.push(`${m[1]}/${m[2]}`);
      }
    }
  };
  mark('start');
  const start = performance.now();
  await Promise.all(conns.map(client));
  const seconds = (performance.now() - start) / 1000;
  mark('stop');
  for (const c of conns) c.close();
  return {
    clients,
    bundles: bodies.length - failed,
    resources,
    seconds: round(seconds),
    resourcesPerSec: Math.round(resources / seconds),
    bundlesPerSec: round((bodies.length - failed) / seconds),
    bundleLatency: latency.summary(),
    created,
    failedBundles: failed,
    firstError,
    readPaths,
  };
}

export interface ThroughputResult {
  clients: number;
  requests: number;
  seconds: number;
  perSec: number;
  latency: LatencySummary;
  errors: number;
  firstError?: string;
}

/**
 * Runs `op` from `clients` concurrent loops for warmup + duration seconds. Only operations that finish
 * inside the measured window count; the latency of each is recorded.
 */
export async function timedLoop(
  clients: number,
  warmupS: number,
  durationS: number,
  op: (client: number, i: number) => Promise<string | undefined>,
  mark: Mark = () => undefined,
): Promise<ThroughputResult> {
  const latency = new LatencySample();
  const t0 = performance.now();
  const measureFrom = t0 + warmupS * 1000;
  const measureTo = measureFrom + durationS * 1000;
  let counter = 0;
  let errors = 0;
  let firstError: string | undefined;
  // Timers announce the window; the loops may end a moment before the stop timer fires.
  const sent = new Set<'start' | 'stop'>();
  const markOnce = (event: 'start' | 'stop') => {
    if (sent.has(event) || sent.has('stop')) return;
    sent.add(event);
    mark(event);
  };
  const marks = [setTimeout(() => markOnce('start'), warmupS * 1000), setTimeout(() => markOnce('stop'), (warmupS + durationS) * 1000)];
  const loop = async (client: number) => {
    while (performance.now() < measureTo) {
      const start = performance.now();
      const err = await op(client, counter++);
      const end = performance.now();
      if (start < measureFrom || end > measureTo) continue;
      if (err) {
        errors++;
        firstError ??= err;
      } else latency.add(end - start);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  for (const t of marks) clearTimeout(t);
  if (sent.has('start')) markOnce('stop');
  return {
    clients,
    requests: latency.count,
    seconds: durationS,
    perSec: Math.round(latency.count / durationS),
    latency: latency.summary(),
    errors,
    firstError,
  };
}

/** GET [base]/Type/id over `paths` (cycled) from `clients` keep-alive connections. */
export async function readById(
  base: string,
  paths: string[],
  clients: number,
  warmupS: number,
  durationS: number,
  mark?: Mark,
  extra: Record<string, string> = {},
): Promise<ThroughputResult> {
  if (paths.length === 0) throw new Error('No resource ids to read');
  const url = new URL(base);
  const conns = connections(url, clients);
  const headers = { Accept: 'application/fhir+json', ...extra };
  const result = await timedLoop(clients, warmupS, durationS, async (c, i) => {
    const r = await conns[c].request('GET', `${url.pathname}/${paths[i % paths.length]}`, headers);
    return r.status === 200 ? undefined : `HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`;
  }, mark);
  for (const c of conns) c.close();
  return result;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
