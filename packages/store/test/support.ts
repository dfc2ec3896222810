import fs from 'node:fs';
import { inject } from 'vitest';
import { openDb, type Db, type OpenDbOptions } from '../src/index.ts';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh empty database on the backend under test: in-memory PGlite, or a scratch PostgreSQL database. */
export async function scratchDb(): Promise<{ db: Db; close(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openDb({ memory: true });
    return { db, close: () => db.close() };
  }
  const scratch = await createScratchDatabase(url, false);
  const db = await openDb({ databaseUrl: scratch.url });
  return {
    db,
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}

/** Creates an empty database on the PostgreSQL server of `databaseUrl`; `drop` removes it. */
export async function createScratchDatabase(databaseUrl: string, migrated = true): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `confide_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const template = migrated ? inject('postgresTemplate') : undefined;
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  await admin.end();
  const u = new URL(databaseUrl);
  u.pathname = '/' + name;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}


/** Open options for a fresh, already migrated in-memory PGlite (a copy of the suite's template). */
export async function pgliteFromTemplate(): Promise<OpenDbOptions> {
  const file = inject('pgliteTemplate');
  if (!file) return { memory: true };
  return { memory: true, template: new Blob([fs.readFileSync(file)]) };
}
