import type { BulkFile } from '@confide/store';
import { PART2_BUNDLE_SECURITY } from '../consent/disclosure-notes.ts';
import type { ExportJob } from './export-runner.ts';

/** Confide's manifest extension (export.html#response---complete-status reserves `extension` for this). */
export const SECURITY_EXTENSION = 'https://confide.health/fhir/bulk/meta-security';

/**
 * The complete-status manifest (Bulk Data STU2 export.html#response---complete-status): `transactionTime`,
 * `request`, `requiresAccessToken` (always: files are served only with the kick-off client's token), `output`
 * one file per type with its `count`, and `error` the message files. When the export holds 42 CFR Part 2
 * records, an `error` file holds the 2.32 redisclosure notice (written by the runner), and the manifest's
 * `extension` carries the Part 2 labels as the export's high-water mark, as a search Bundle's `meta.security`.
 */
export function manifest(job: ExportJob, files: BulkFile[], url: (n: number) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    transactionTime: job.transactionTime ?? job.created,
    request: job.request,
    requiresAccessToken: true,
    output: files.filter((f) => f.kind === 'output').map((f) => ({ type: f.type, url: url(f.n), count: f.count })),
    error: files.filter((f) => f.kind === 'error').map((f) => ({ type: f.type, url: url(f.n), count: f.count })),
  };
  if (job.part2) out.extension = { [SECURITY_EXTENSION]: PART2_BUNDLE_SECURITY };
  return out;
}
