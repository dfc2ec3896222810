import { parseArgs } from 'node:util';
import { isResourceType, resourceTypes } from '@confide/fhir';
import { createConfide } from '@confide/server';
import { clearRelabels, pendingRelabels, relabelTypes } from '@confide/store';
import { auditOperator } from '../operator-audit.ts';
import { dbOptions } from '../config.ts';
import { labelOptions } from '../label-rules-file.ts';

const PAGE = 200;

/**
 * `confide relabel [--type T,...] [--dry-run]`: runs the stored current versions of the segmented types (patient
 * data) through the write path's labeler again, a page at a time (keyset by id, one transaction per page), and
 * writes a new version of those whose labels change — after a label rule changed, or an Organization was
 * designated a 42 CFR Part 2 program after its records were stored (docs/consent.md "Relabelling"). The labeler's
 * rules decide; they add labels and never lower them. `--dry-run` counts and writes nothing. The run is one
 * AuditEvent by the OS user.
 */
export async function relabelCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, type: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
  const asked = values.type ? values.type.split(',').map((t) => t.trim()) : resourceTypes();
  for (const t of asked) if (!isResourceType(t)) throw new Error(`Unknown resource type: ${t}`);
  const dryRun = values['dry-run'] === true;
  const confide = await createConfide({ ...dbOptions(values), ...labelOptions() });
  try {
    // A full run covers every program designated before it began (the server's "relabel needed" markers).
    const requests = values.type || dryRun ? [] : await pendingRelabels(confide.db);
    const counts = await relabelTypes(confide.repo, asked, { dryRun, pageSize: PAGE });
    const scanned = counts.reduce((n, c) => n + c.scanned, 0);
    const changed = counts.reduce((n, c) => n + c.changed, 0);
    const lines = counts.filter((c) => c.changed > 0).map((c) => `  ${c.type}: ${c.changed.toLocaleString('en-US')} of ${c.scanned.toLocaleString('en-US')}`);
    if (requests.length) await clearRelabels(confide.db, Math.max(...requests.map((r) => r.seq)));
    if (!dryRun) {
      await auditOperator(confide.db, { kind: 'rest', interaction: 'update', outcome: { status: 200 }, query: `confide relabel (${changed} of ${scanned} resources relabelled)` });
    }
    const verb = dryRun ? 'would be relabelled (dry run: nothing written)' : 'relabelled';
    process.stdout.write(`${changed.toLocaleString('en-US')} of ${scanned.toLocaleString('en-US')} resources ${verb}.\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    return 0;
  } finally {
    await confide.close();
  }
}
