// Child process entry for the search benchmark: receives one SearchJob over IPC, GETs its paths (cycled)
// from N keep-alive connections for warmup + duration seconds, sends back the result and exits.
import { timedLoop, type Mark, type ThroughputResult } from './http-load.ts';
import { HttpConnection } from './http-connection.ts';

export interface SearchJob {
  base: string;
  /** Paths relative to the FHIR base, e.g. `Observation?subject=Patient/1&code=...`; cycled. */
  paths: string[];
  clients: number;
  warmup: number;
  duration: number;
  headers?: Record<string, string>;
}

export interface SearchResult extends ThroughputResult {
  /** Mean number of Bundle entries per successful response (all responses, warm-up included). */
  meanEntries: number;
  /** Mean response body size in bytes. */
  meanBytes: number;
}

export type SearchWorkerMessage = { mark: 'start' | 'stop' } | { ok: true; result: SearchResult } | { ok: false; error: string };

const FULL_URL = Buffer.from('"fullUrl"');

/** Counts Bundle entries without parsing the JSON (each entry carries one fullUrl). */
function countEntries(body: Buffer): number {
  let n = 0;
  for (let i = body.indexOf(FULL_URL); i >= 0; i = body.indexOf(FULL_URL, i + FULL_URL.length)) n++;
  return n;
}

export async function runSearch(job: SearchJob, mark: Mark): Promise<SearchResult> {
  if (job.paths.length === 0) throw new Error('No search paths');
  const url = new URL(job.base);
  const conns = Array.from({ length: job.clients }, () => new HttpConnection(url.hostname, Number(url.port)));
  const headers = { Accept: 'application/fhir+json', ...job.headers };
  let responses = 0;
  let entries = 0;
  let bytes = 0;
  // Each client starts at a different offset so concurrent clients do not ask the same thing in lockstep.
  const stride = Math.max(1, Math.floor(job.paths.length / job.clients));
  const result = await timedLoop(
    job.clients,
    job.warmup,
    job.duration,
    async (c, i) => {
      const p = job.paths[(i + c * stride) % job.paths.length];
      const r = await conns[c].request('GET', `${url.pathname}/${p}`, headers);
      if (r.status !== 200) return `HTTP ${r.status} for ${p}: ${r.body.toString('utf8').slice(0, 300)}`;
      responses++;
      bytes += r.body.length;
      entries += countEntries(r.body);
      return undefined;
    },
    mark,
  );
  for (const c of conns) c.close();
  return { ...result, meanEntries: responses ? Math.round((entries / responses) * 10) / 10 : 0, meanBytes: responses ? Math.round(bytes / responses) : 0 };
}

// Only act as a worker when forked with an IPC channel.
if (process.send) {
  const finish = (m: SearchWorkerMessage) => process.send?.(m, () => process.exit(0));
  process.once('message', (job: SearchJob) => {
    runSearch(job, (event) => process.send?.({ mark: event } satisfies SearchWorkerMessage)).then(
      (result) => finish({ ok: true, result }),
      (e: unknown) => finish({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
    );
  });
}
