import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate, migrations, openDb } from '../packages/store/src/index.ts';
import type { PgliteDb } from '../packages/store/src/db/pglite-db.ts';

/**
 * Builds one migrated database before the suite, so that each test file starts from a copy instead of
 * running every migration again: a data-directory tarball for PGlite, a template database for PostgreSQL.
 * Both are keyed by a hash of the migrations, so a schema change rebuilds them.
 */
export default async function setup(project: TestProject): Promise<void> {
  const hash = createHash('sha1')
    .update(migrations.map((m) => m.version + m.sql()).join('\n'))
    .digest('hex')
    .slice(0, 12);
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `confide_template_${hash}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        const building = `${name}_building_${process.pid}`;
        await admin.query(`CREATE DATABASE ${building}`);
        const u = new URL(url);
        u.pathname = '/' + building;
        const db = await openDb({ databaseUrl: u.toString() });
        await migrate(db);
        await db.close();
        await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
      }
    } finally {
      await admin.end();
    }
    project.provide('postgresTemplate', name);
    return;
  }
  const file = path.join(os.tmpdir(), `confide-template-${hash}.tar`);
  if (!fs.existsSync(file)) {
    const db = (await openDb({ memory: true })) as PgliteDb;
    await migrate(db);
    const blob = await db.dump();
    await db.close();
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    fs.renameSync(tmp, file);
  }
  project.provide('pgliteTemplate', file);
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate?: string;
    postgresTemplate?: string;
  }
}
