import type { Migration } from './migration.ts';
import { resources } from './0001-resources.ts';
import { searchColumns } from './0002-search-columns.ts';
import { organizations } from './0003-organizations.ts';
import { auditLog } from './0004-audit.ts';
import { accounts } from './0005-accounts.ts';
import { oauth } from './0006-oauth.ts';
import { auditNarrow } from './0007-audit-narrow.ts';
import { consent } from './0008-consent.ts';
import { rowLabels } from './0009-row-labels.ts';
import { bulkExport } from './0010-bulk-export.ts';
import { auditAppendParams } from './0011-audit-append-params.ts';
import { reviewRelabel } from './0012-review-relabel.ts';
import { noteRelease } from './0013-note-release.ts';
import { contentLz4 } from './0014-content-lz4.ts';
import { auditAppendInServer } from './0015-audit-append-in-server.ts';

/** Every schema step, in order. Append only. */
export const migrations: Migration[] = [resources, searchColumns, organizations, auditLog, accounts, oauth, auditNarrow, consent, rowLabels, bulkExport, auditAppendParams, reviewRelabel, noteRelease, contentLz4, auditAppendInServer];

export type { Migration } from './migration.ts';
