import type { Migration } from './migration.ts';

/** Placeholder: filled in by the work on issue #4. */
export const auditLog: Migration = {
  version: 4,
  name: 'audit',
  sql: () => 'SELECT 1;',
};
