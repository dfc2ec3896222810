import { parseArgs } from 'node:util';
import { migrate as runMigrations, openDb } from '@confide/store';
import { dbOptions, describeDb } from '../config.ts';

export async function migrate(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' } } });
  const options = dbOptions(values);
  const db = await openDb(options);
  try {
    const r = await runMigrations(db);
    process.stdout.write(
      r.applied.length
        ? `Migrated ${describeDb(options)} from schema ${r.from} to ${r.to}.\n`
        : `Schema of ${describeDb(options)} is up to date (version ${r.to}).\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}
