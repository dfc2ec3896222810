import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Accounts } from '@confide/auth';
import { isResourceType, resourceTypes } from '@confide/fhir';
import { exportOutcomes, resolveActor } from '@confide/server';
import { exportRows, migrate, openDb, Repository, searchIndexer, type Access, type RestrictHook } from '@confide/store';
import { dbOptions } from '../config.ts';
import { Progress } from '../progress.ts';
import { auditOperator } from '../operator-audit.ts';

/**
 * `confide export`: the current version of every resource as NDJSON, one file per type, streamed.
 *
 * Without `--as` it is the **operator's full database export** (a backup or a migration to another system): no
 * access policy and no segmentation, everything the database holds; it is recorded in the audit trail as an
 * export by the OS user. With `--as USER` it is what that account could export through the API (`$export`,
 * docs/bulk-export.md): the same rows, read by the same `exportRows` under the same restriction (the access table,
 * psychotherapy notes, 42 CFR Part 2, the patients' consents), with the 42 CFR 2.32 notice written next to the
 * files when Part 2 records are among them.
 */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, out: { type: 'string' }, type: { type: 'string' }, as: { type: 'string' }, scope: { type: 'string' } },
  });
  // The audit trail is not part of the record: it is hash-chained in this database and read with
  // `confide audit list` (it can still be asked for by name with --type AuditEvent).
  const types = values.type ? values.type.split(',').map((t) => t.trim()) : resourceTypes().filter((t) => t !== 'AuditEvent');
  for (const t of types) if (!isResourceType(t)) throw new Error(`Unknown resource type: ${t}`);
  if (values.scope && !values.as) throw new Error('--scope goes with --as');
  const out = path.resolve(values.out ?? `export-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(out, { recursive: true });
  const db = await openDb(dbOptions(values));
  try {
    await migrate(db);
    let restrict: RestrictHook | undefined;
    let access: Access | undefined;
    let allowed = (_type: string) => true;
    let as = '';
    if (values.as) {
      const user = await new Accounts(db).getUser(values.as);
      if (!user || user.disabled) throw new Error(`No active account ${values.as}`);
      const repo = new Repository(db, { indexer: searchIndexer });
      // The account's read access, as a token for it would carry (docs/smart.md): user/ scopes for staff, patient/ for patients.
      const scope = values.scope ?? (user.kind === 'patient' ? 'patient/*.rs' : 'user/*.rs');
      const actor = await resolveActor(repo, { kind: user.kind, username: user.username, fhirUser: user.fhirUser ?? undefined, roles: user.roles, organizations: user.organizations }, scope);
      const asUser = repo.as(actor);
      restrict = asUser.restrictHook('search');
      access = asUser.access;
      allowed = (t) => asUser.access?.decide('search', t).allowed ?? false;
      as = ` --as ${user.username} --scope ${scope}`;
    }
    const progress = new Progress('Exporting', undefined);
    const patients = new Set<string>();
    let part2 = false;
    const exported = types.filter(allowed);
    for (const type of exported) {
      let file: fs.WriteStream | undefined;
      for await (const page of exportRows(db, type, { restrict })) {
        file ??= fs.createWriteStream(path.join(out, `${type}.ndjson`));
        for (const row of page) {
          if (!file.write(row.content + '\n')) await once(file, 'drain');
          part2 ||= row.part2;
          if (restrict) for (const c of row.compartments) patients.add(c);
        }
        progress.add(page.length);
      }
      if (file) await closeFile(file);
    }
    // As the API's export: the 42 CFR 2.32 notice when Part 2 records are among the files, and "withheld by
    // consent" per patient. The operator's full export (no --as) withholds nothing and says nothing.
    const outcomes = access ? await exportOutcomes(db, access, exported, { part2, exported: [...patients].map((p) => p.slice('Patient/'.length)) }) : [];
    if (outcomes.length) fs.writeFileSync(path.join(out, 'OperationOutcome.ndjson'), outcomes.map((o) => JSON.stringify(o) + '\n').join(''));
    progress.finish();
    // An export is a release of everything it wrote: recorded before the command says it is done. An export for
    // an account names the patients whose records it holds; the full export is of everyone's.
    await auditOperator(db, {
      kind: 'export',
      outcome: { status: 200 },
      query: `confide export${as} --type ${types.join(',')} (${progress.count} resources)`,
      patients: [...patients],
    });
    const withheld = outcomes.length - (part2 && access ? 1 : 0);
    const said = [part2 && access ? 'the 42 CFR 2.32 notice' : '', withheld ? `"withheld by consent" for ${withheld} patients` : ''].filter(Boolean).join(' and ');
    const notice = said ? ` (with ${said} in OperationOutcome.ndjson)` : '';
    process.stdout.write(`Exported ${progress.count.toLocaleString('en-US')} resources${values.as ? ` visible to ${values.as}` : ''} to ${out}${notice}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

function closeFile(file: fs.WriteStream): Promise<void> {
  return new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
