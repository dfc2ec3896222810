import path from 'node:path';
import type { OpenDbOptions } from '@confide/store';

/** Where the database is: DATABASE_URL selects PostgreSQL; otherwise the embedded one in `--data`. */
export function dbOptions(values: { data?: string }): OpenDbOptions {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  if (databaseUrl) return { databaseUrl };
  return { dataDir: path.resolve(values.data ?? process.env.CONFIDE_DATA ?? './data') };
}

export function describeDb(o: OpenDbOptions): string {
  if (o.databaseUrl) return `PostgreSQL (${redact(o.databaseUrl)})`;
  return `embedded PostgreSQL in ${o.dataDir}`;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL';
  }
}
