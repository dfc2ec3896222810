import { ident } from '../db/db.ts';
import { allLayouts } from '../search/table-layout.ts';
import type { Migration } from './migration.ts';

/**
 * The `organizations` column of every resource table: `Organization/<id>` of each organization a row belongs
 * to (see organizations.ts for the rule), filled at write time. Staff access to patient data is limited to
 * their organizations by comparing against it (@confide/policy, the `organization` restriction). No index:
 * it is a filter applied next to the search's own indexed predicates (see docs/access-control.md).
 */
export const organizations: Migration = {
  version: 3,
  name: 'organizations',
  sql: () => allLayouts().map((l) => `ALTER TABLE ${ident(l.resourceType)} ADD COLUMN organizations text[];`).join('\n'),
};
