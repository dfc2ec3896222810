import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { isResourceType, resourceTypes } from '@confide/fhir';
import { ident, openDb, migrate } from '@confide/store';
import { dbOptions } from '../config.ts';
import { Progress } from '../progress.ts';
import { auditOperator } from '../operator-audit.ts';

/** `confide export`: the current version of every resource as NDJSON, one file per type, streamed. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, out: { type: 'string' }, type: { type: 'string' } },
  });
  // The audit trail is not part of the record: it is hash-chained in this database and read with
  // `confide audit list` (it can still be asked for by name with --type AuditEvent).
  const types = values.type ? values.type.split(',').map((t) => t.trim()) : resourceTypes().filter((t) => t !== 'AuditEvent');
  for (const t of types) if (!isResourceType(t)) throw new Error(`Unknown resource type: ${t}`);
  const out = path.resolve(values.out ?? `export-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(out, { recursive: true });
  const db = await openDb(dbOptions(values));
  try {
    await migrate(db);
    const progress = new Progress('Exporting', undefined);
    for (const type of types) {
      let file: fs.WriteStream | undefined;
      for await (const row of db.stream<{ content: string }>(
        `SELECT content FROM ${ident(type)} WHERE NOT deleted ORDER BY id`,
        [],
      )) {
        file ??= fs.createWriteStream(path.join(out, `${type}.ndjson`));
        if (!file.write(row.content + '\n')) await once(file, 'drain');
        progress.add(1);
      }
      if (file) await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    progress.finish();
    // An export is a release of everything it wrote: recorded before the command says it is done.
    await auditOperator(db, { kind: 'export', outcome: { status: 200 }, query: `confide export --type ${types.join(',')} (${progress.count} resources)` });
    process.stdout.write(`Exported ${progress.count.toLocaleString('en-US')} resources to ${out}\n`);
    return 0;
  } finally {
    await db.close();
  }
}
