import fs from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Db, QueryResult, Queryable } from './db.ts';

export interface PgliteOptions {
  /** Folder for the database files; undefined keeps the database in memory (tests). */
  dataDir?: string;
  /**
   * 'full' (default): every commit reaches the disk before it is acknowledged. PGlite's stock settings run
   * PostgreSQL with fsync off (`-F`), and its Emscripten file system turns fsync/fdatasync into no-ops, so a
   * power cut could lose acknowledged commits or corrupt the files. In 'full' mode we start PostgreSQL with
   * fsync on and `wal_sync_method=fsync`, and route the Emscripten fsync call to a real fsync(2).
   * 'relaxed': PGlite's defaults; survives a crash of this process (writes reach the OS on every commit),
   * not a crash of the machine.
   */
  durability?: 'full' | 'relaxed';
  /** A data directory tarball (from `dumpDataDir`) to start from, e.g. an already migrated template. */
  loadDataDir?: Blob;
}

// PGlite's own start parameters (see its `defaultStartParams`) without `-F`, the flag that turns fsync off.
const DURABLE_START_PARAMS = [
  '--single', '-O', '-j',
  '-c', 'search_path=public',
  '-c', 'exit_on_error=false',
  '-c', 'log_checkpoints=false',
  '-c', 'max_worker_processes=0',
  '-c', 'max_parallel_workers=0',
  '-c', 'max_parallel_workers_per_gather=0',
  '-c', 'io_method=sync',
  '-c', 'max_parallel_maintenance_workers=0',
  '-c', 'wal_sync_method=fsync',
  '-c', 'fsync=on',
  '-c', 'max_files_per_process=3000',
];

const TEXT = (v: string) => v;
const PARSERS = { 1184: TEXT, 1114: TEXT, 20: TEXT };

interface EmscriptenStream {
  nfd?: number;
  stream_ops?: { fsync?: (s: EmscriptenStream) => number; getattr?: unknown };
}

/**
 * Emscripten's NODEFS (the file system PGlite uses on Node) has no fsync in its stream operations, so
 * `fsync(fd)` inside PostgreSQL returns without touching the disk. The stream operations object is shared
 * by every NODEFS file, so giving it an fsync that calls the real one covers WAL flushes and checkpoints.
 */
function enableRealFsync(db: PGlite): boolean {
  const mod = (db as unknown as { mod?: { FS?: { streams?: (EmscriptenStream | null)[] } } }).mod;
  const streams = mod?.FS?.streams ?? [];
  for (const s of streams) {
    if (s && typeof s.nfd === 'number' && s.stream_ops) {
      if (!s.stream_ops.fsync) {
        s.stream_ops.fsync = (stream: EmscriptenStream) => {
          if (typeof stream.nfd === 'number') fs.fsyncSync(stream.nfd);
          return 0;
        };
      }
      return true;
    }
  }
  return false;
}

/** The embedded PostgreSQL (PGlite, WebAssembly) in this process. Queries run one at a time. */
export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  /** True when commits are flushed to disk with a real fsync. */
  readonly durable: boolean;

  private constructor(
    private readonly db: PGlite,
    durable: boolean,
  ) {
    this.durable = durable;
  }

  static async open(options: PgliteOptions = {}): Promise<PgliteDb> {
    const durable = options.dataDir !== undefined && (options.durability ?? 'full') === 'full';
    const db = await PGlite.create({
      dataDir: options.dataDir,
      parsers: PARSERS,
      startParams: durable ? DURABLE_START_PARAMS : undefined,
      loadDataDir: options.loadDataDir,
    });
    let realFsync = false;
    if (durable) {
      // Open a NODEFS file stream by touching the WAL so that a stream exists to patch, then checkpoint so
      // everything written during start-up is on disk too.
      await db.query('SELECT pg_switch_wal()').catch(() => undefined);
      realFsync = enableRealFsync(db);
      if (realFsync) await db.query('CHECKPOINT');
    }
    await db.query("SET TimeZone = 'UTC'");
    return new PgliteDb(db, realFsync);
  }

  async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
    const r = await this.db.query<R>(sql, params as unknown[]);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (t: Transaction) => {
      const tx: Queryable = {
        async query<R>(sql: string, params: unknown[] = []) {
          const r = await t.query<R>(sql, params as unknown[]);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        },
        async exec(sql: string) {
          await t.exec(sql);
        },
      };
      return fn(tx);
    });
  }

  async *stream<R>(sql: string, params: unknown[], batchSize = 500): AsyncIterable<R> {
    // PGlite has one connection, and a cursor would hold it for as long as the consumer reads. Page through
    // the result with LIMIT/OFFSET instead, so other requests interleave between batches. The callers order
    // their queries by a unique key, which keeps the pages consistent for rows that are not being written.
    for (let offset = 0; ; offset += batchSize) {
      const r = await this.db.query<R>(`${sql} LIMIT ${batchSize} OFFSET ${offset}`, params as unknown[]);
      for (const row of r.rows) yield row;
      if (r.rows.length < batchSize) break;
    }
  }

  /** The whole data directory as a tarball (used to clone migrated databases in tests). */
  async dump(): Promise<Blob> {
    return this.db.dumpDataDir('none');
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
