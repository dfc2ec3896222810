import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface ScratchDb {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Creates an empty database next to the one `adminUrl` names, or a copy of the database `template` (no one may
 * be connected to it); `drop()` removes it again.
 */
export async function createScratchDb(adminUrl: string, label: string, template?: string): Promise<ScratchDb> {
  const name = `confide_bench_${label}_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  const u = new URL(adminUrl);
  u.pathname = '/' + name;
  return {
    name,
    url: u.toString(),
    drop: () => admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

