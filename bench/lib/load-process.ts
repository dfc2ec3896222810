import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { IngestResult, ThroughputResult } from './http-load.ts';
import type { RawInsertResult } from './pg-load.ts';

/** One unit of load, run in its own process so the load generator never shares an event loop with the server. */
export type LoadJob =
  | { kind: 'ingest'; base: string; files: string[]; clients: number; headers?: Record<string, string> }
  | { kind: 'read'; base: string; paths: string[]; clients: number; warmup: number; duration: number; headers?: Record<string, string> }
  | { kind: 'raw-insert'; connectionString: string; files: string[]; clients: number }
  | { kind: 'raw-select'; connectionString: string; ids: string[]; clients: number; warmup: number; duration: number };

export interface LoadResults {
  ingest: IngestResult;
  read: ThroughputResult;
  'raw-insert': RawInsertResult;
  'raw-select': ThroughputResult;
}

/** Messages from the worker: the measured window opening and closing, then the result. */
export type WorkerMessage =
  | { mark: 'start' | 'stop' }
  | { ok: true; result: unknown }
  | { ok: false; error: string };

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

/**
 * Forks a load-worker process, hands it the job and resolves with its result. `onMark` runs when the
 * measured window opens and closes, with the worker's pid (for CPU accounting).
 */
export function runLoad<K extends LoadJob['kind']>(
  job: Extract<LoadJob, { kind: K }>,
  onMark: (event: 'start' | 'stop', workerPid: number) => void = () => undefined,
): Promise<LoadResults[K]> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: WorkerMessage | undefined;
    child.on('message', (m: WorkerMessage) => {
      if ('mark' in m) onMark(m.mark, child.pid ?? 0);
      else reply = m;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!reply || 'mark' in reply) reject(new Error(`load worker exited with code ${code} and no result`));
      else if (!reply.ok) reject(new Error(`load worker (${job.kind}): ${reply.error}`));
      else resolve(reply.result as LoadResults[K]);
    });
    child.send(job);
  });
}
