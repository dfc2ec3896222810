import type { Migration } from './migration.ts';

/** Placeholder: filled in by the work on issue #4. */
export const oauth: Migration = {
  version: 6,
  name: 'oauth',
  sql: () => 'SELECT 1;',
};
