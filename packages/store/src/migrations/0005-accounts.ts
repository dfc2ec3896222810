import type { Migration } from './migration.ts';

/** Placeholder: filled in by the work on issue #4. */
export const accounts: Migration = {
  version: 5,
  name: 'accounts',
  sql: () => 'SELECT 1;',
};
