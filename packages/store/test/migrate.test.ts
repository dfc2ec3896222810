import { afterEach, describe, expect, it } from 'vitest';
import { MigrationFailedError, SchemaTooNewError, migrate, migrations, schemaVersion, type Db, type Migration } from '../src/index.ts';
import { scratchDb } from './support.ts';

/** Migration numbers may have gaps while reserved numbers are in flight on other branches. */
const lastVersion = migrations[migrations.length - 1].version;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function fresh(): Promise<Db> {
  const s = await scratchDb();
  cleanup = s.close;
  return s.db;
}

async function tables(db: Db): Promise<string[]> {
  const r = await db.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  return r.rows.map((x) => x.t);
}

describe('migrate', () => {
  it('creates the schema once and is idempotent', async () => {
    const db = await fresh();
    expect(await schemaVersion(db)).toBe(0);
    const first = await migrate(db);
    expect(first.from).toBe(0);
    expect(first.applied).toEqual(migrations.map((m) => m.version));
    expect(await tables(db)).toEqual(expect.arrayContaining(['resource_history', 'Patient', 'Observation', 'confide_schema']));
    const again = await migrate(db);
    expect(again.applied).toEqual([]);
  });

  it('leaves the database exactly as it was when a step fails', async () => {
    const db = await fresh();
    await migrate(db);
    const before = await tables(db);
    const broken: Migration[] = [
      ...migrations,
      { version: lastVersion + 1, name: 'good', sql: () => 'CREATE TABLE would_be_created (x int);' },
      { version: lastVersion + 2, name: 'bad', sql: () => 'CREATE TABLE broken (x nonexistent_type);' },
    ];
    await expect(migrate(db, broken)).rejects.toThrow(MigrationFailedError);
    await expect(migrate(db, broken)).rejects.toThrow(/migration \d+ \(bad\) failed; the database was left as it was/);
    expect(await tables(db)).toEqual(before);
    expect(await schemaVersion(db)).toBe(lastVersion);
  });

  it('refuses a database whose schema is newer than the code', async () => {
    const db = await fresh();
    const future: Migration[] = [...migrations, { version: lastVersion + 1, name: 'future', sql: () => 'SELECT 1;' }];
    await migrate(db, future);
    await expect(migrate(db)).rejects.toThrow(SchemaTooNewError);
    await expect(migrate(db)).rejects.toThrow(/newer than this Confide knows/);
  });
});
