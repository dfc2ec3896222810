import type { Migration } from './migration.ts';

/** Placeholder: filled in by the work on issue #4. */
export const organizations: Migration = {
  version: 3,
  name: 'organizations',
  sql: () => 'SELECT 1;',
};
