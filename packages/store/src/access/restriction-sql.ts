import type { Restriction } from '@confide/policy';
import type { FilterContext } from '../search/filter-sql.ts';
import { filterSql } from '../search/filter-sql.ts';
import type { SqlParams } from '../search/sql-params.ts';

/**
 * Compiles a policy restriction (packages/policy README, "The Restriction contract") into an SQL condition
 * on the row aliased `alias` of table `type`. Undefined when every row is allowed. Values are bind
 * parameters; the structure depends only on the restriction's shape, so prepared statements are reused.
 */
export function restrictionSql(r: Restriction | undefined, type: string, alias: string, params: SqlParams): string | undefined {
  if (r === undefined) return undefined;
  switch (r.kind) {
    case 'none':
      return 'false';
    case 'compartment':
      return `${alias}.compartments && ${params.textArray(r.patientIds.map((id) => `Patient/${id}`))}`;
    case 'organization':
      return `${alias}.organizations && ${params.textArray(r.organizationIds.map((id) => `Organization/${id}`))}`;
    case 'search': {
      if (r.resourceType !== type) return 'false';
      // A granular scope's query: plain parameter filters only (no chains), so no restrict hook is needed.
      const ctx: FilterContext = { params, aliasCounter: { n: 1000 } };
      const parts = r.filters.map((f) => filterSql(f, type, alias, ctx));
      return parts.length ? `(${parts.join(' AND ')})` : undefined;
    }
    case 'and':
    case 'or': {
      const parts = r.parts.map((p) => restrictionSql(p, type, alias, params) ?? 'true');
      return `(${parts.join(r.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
  }
}
