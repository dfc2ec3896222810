import cluster, { type Worker } from 'node:cluster';
import { isPeerMessage, type PeerMessage, type Peers } from '@confide/server';

// `confide start --workers N` on PostgreSQL (docs/architecture.md "Worker processes"): the primary process
// prepares the database, then forks N workers that share the listening port (node:cluster hands each new
// connection to the next worker) and relays what each worker tells its peers (../server/src/cluster/peers.ts).
// The embedded database cannot be shared: PGlite is PostgreSQL inside one process.

/** The envelope of every message between a worker and the primary, so that no other IPC traffic is mistaken for ours. */
interface Envelope {
  confide: 'peer' | 'listening';
  message?: PeerMessage;
  url?: string;
}

function isEnvelope(v: unknown): v is Envelope {
  return typeof v === 'object' && v !== null && ((v as Envelope).confide === 'peer' || (v as Envelope).confide === 'listening');
}

export const isWorker = (): boolean => cluster.isWorker;

/** In a worker: its peers are the other workers, reached through the primary. */
export function workerPeers(): Peers {
  return {
    publish(message) {
      const env: Envelope = { confide: 'peer', message };
      process.send?.(env);
    },
    subscribe(listener) {
      process.on('message', (m: unknown) => {
        if (isEnvelope(m) && m.confide === 'peer' && isPeerMessage(m.message)) listener(m.message);
      });
    },
  };
}

/** In a worker, once it listens: tells the primary (which prints the address once for all). */
export function reportListening(url: string): void {
  const env: Envelope = { confide: 'listening', url };
  process.send?.(env);
}

export interface PrimaryOptions {
  workers: number;
  /** Restarts of crashed workers allowed per minute before the primary gives up and exits (default 5). */
  maxRestartsPerMinute?: number;
  log: (line: string) => void;
}

export interface RunningWorkers {
  /** The address the first worker reported. */
  url: string;
  /** Stops every worker (SIGTERM; SIGKILL after 30 s) and resolves when all have exited. */
  stop(): Promise<void>;
  /** Resolves when the primary gives up (workers keep crashing). */
  failed: Promise<Error>;
}

/**
 * Forks the workers and waits until every one listens. A worker that exits before that fails the start; one
 * that crashes later is replaced, unless crashes come faster than `maxRestartsPerMinute`.
 */
export async function startWorkers(o: PrimaryOptions): Promise<RunningWorkers> {
  const live = new Set<Worker>();
  const restarts: number[] = [];
  const maxRestarts = o.maxRestartsPerMinute ?? 5;
  let stopping = false;
  let started = false;
  let giveUp!: (e: Error) => void;
  const failed = new Promise<Error>((resolve) => (giveUp = resolve));

  const relay = (from: Worker, m: unknown) => {
    if (!isEnvelope(m) || m.confide !== 'peer' || !isPeerMessage(m.message)) return;
    for (const w of live) if (w !== from && w.isConnected()) w.send(m);
  };

  const fork = (): { worker: Worker; listening: Promise<string> } => {
    const worker = cluster.fork({ CONFIDE_WORKER: '1' });
    live.add(worker);
    const listening = new Promise<string>((resolve, reject) => {
      worker.on('message', (m: unknown) => {
        if (isEnvelope(m) && m.confide === 'listening' && typeof m.url === 'string') resolve(m.url);
        else relay(worker, m);
      });
      worker.once('exit', (code, signal) => {
        live.delete(worker);
        reject(new Error(`worker ${worker.process.pid} exited during start-up (${signal ?? `code ${code}`})`));
        if (stopping || !started) return;
        const now = Date.now();
        restarts.push(now);
        while (restarts.length > 0 && now - restarts[0] > 60_000) restarts.shift();
        if (restarts.length > maxRestarts) {
          giveUp(new Error(`workers crashed ${restarts.length} times in a minute; stopping`));
          return;
        }
        o.log(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
        fork().listening.catch(() => undefined);
      });
    });
    return { worker, listening };
  };

  const stop = async () => {
    stopping = true;
    const exits = [...live].map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
    for (const w of live) w.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const w of live) w.process.kill('SIGKILL');
    }, 30_000);
    await Promise.all(exits);
    clearTimeout(timer);
  };

  const forks = Array.from({ length: o.workers }, fork);
  try {
    const urls = await Promise.all(forks.map((f) => f.listening));
    started = true;
    return { url: urls[0], stop, failed };
  } catch (e) {
    await stop();
    throw e;
  }
}
