import type { Db } from './db/db.ts';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';

export class SchemaTooNewError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `The database schema is at version ${databaseVersion}, newer than this Confide knows (${knownVersion}). ` +
        'Upgrade Confide before opening this database.',
    );
    this.name = 'SchemaTooNewError';
  }
}

export class MigrationFailedError extends Error {
  constructor(
    readonly migration: Migration,
    readonly reason: unknown,
  ) {
    super(
      `Schema migration ${migration.version} (${migration.name}) failed; the database was left as it was: ` +
        (reason instanceof Error ? reason.message : String(reason)),
    );
    this.name = 'MigrationFailedError';
  }
}

const LOCK_KEY = 7_105_112; // any constant: serializes migrators on one PostgreSQL server

export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
}

export async function schemaVersion(db: Db): Promise<number> {
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('confide_schema') AS t`);
  if (!exists.rows[0]?.t) return 0;
  const r = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM confide_schema');
  return r.rows[0]?.v ?? 0;
}

/**
 * Brings the schema up to date. All pending steps run in one transaction: if any fails, the database is
 * exactly as it was. Refuses a database whose schema is newer than this code.
 */
export async function migrate(db: Db, migrations: Migration[] = allMigrations): Promise<MigrateResult> {
  const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS confide_schema (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const r = await tx.query<{ v: number | null }>('SELECT max(version) AS v FROM confide_schema');
    const current = r.rows[0]?.v ?? 0;
    if (current > known) throw new SchemaTooNewError(current, known);
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      try {
        await tx.exec(m.sql());
      } catch (e) {
        throw new MigrationFailedError(m, e);
      }
      await tx.query('INSERT INTO confide_schema (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return { from: current, to: Math.max(current, known), applied };
  });
}
