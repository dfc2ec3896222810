import { ident } from '../db/db.ts';
import { allLayouts, indexName } from '../search/table-layout.ts';
import type { Migration } from './migration.ts';

/**
 * The search columns of every resource type (see search/columns.ts for what each holds) and their indexes:
 * GIN for the array columns that `@>`/`&&` query, btree on the lower bound of dates (range prefilter and
 * `_sort`).
 */
export const searchColumns: Migration = {
  version: 2,
  name: 'search-columns',
  sql: () => {
    const parts: string[] = [];
    for (const layout of allLayouts()) {
      const table = ident(layout.resourceType);
      if (layout.columns.length) {
        parts.push(`ALTER TABLE ${table} ${layout.columns.map((c) => `ADD COLUMN ${ident(c.name)} ${c.sqlType}`).join(', ')};`);
      }
      for (const c of layout.columns) {
        if (!c.index) continue;
        const using = c.index === 'gin' ? 'USING gin' : c.index === 'gist' ? 'USING gist' : '';
        parts.push(`CREATE INDEX ${ident(indexName(layout.resourceType, c.name))} ON ${table} ${using} (${ident(c.name)});`);
      }
    }
    return parts.join('\n');
  },
};
