import path from 'node:path';
import type { Db } from './db.ts';
import { DataDirLock } from './data-dir-lock.ts';
import { PgliteDb } from './pglite-db.ts';
import { PostgresDb } from './postgres-db.ts';

export interface OpenDbOptions {
  /** PostgreSQL connection string; when set, PostgreSQL is used instead of the embedded database. */
  databaseUrl?: string;
  /** Folder for the embedded database (PGlite); the database files live in `<dataDir>/pgdata`. */
  dataDir?: string;
  /** In-memory embedded database (tests). */
  memory?: boolean;
  poolSize?: number;
  durability?: 'full' | 'relaxed';
  /** For an in-memory database: start from this data directory tarball. */
  template?: Blob;
}

/** Opens the configured backend. For a PGlite folder, takes the folder's lock first. */
export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl) {
    const db = new PostgresDb({ connectionString: options.databaseUrl, max: options.poolSize });
    await db.query('SELECT 1');
    return db;
  }
  if (options.memory || !options.dataDir) {
    return PgliteDb.open({ loadDataDir: options.template });
  }
  const dataDir = path.resolve(options.dataDir);
  const lock = DataDirLock.acquire(dataDir);
  try {
    const db = await PgliteDb.open({ dataDir: path.join(dataDir, 'pgdata'), durability: options.durability });
    const close = db.close.bind(db);
    db.close = async () => {
      try {
        await close();
      } finally {
        lock.release();
      }
    };
    return db;
  } catch (e) {
    lock.release();
    throw e;
  }
}
