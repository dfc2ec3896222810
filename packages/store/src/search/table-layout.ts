import { createHash } from 'node:crypto';
import { patientCompartmentParams, resourceTypes, searchParameters, type SearchParamDef } from '@confide/fhir';
import { columnsFor, SEARCH_TOKENS_COLUMN, type ColumnSpec } from './columns.ts';

/** The search columns of one resource type's table, in a fixed order, with the parameter each belongs to. */
export interface TableLayout {
  resourceType: string;
  params: { def: SearchParamDef; columns: ColumnSpec[] }[];
  /** Parameters that place a resource in a patient's compartment (R4 compartmentdefinition-patient). */
  compartmentParams: string[];
  /**
   * Every search column, ending with `search_tokens` (see columns.ts) and `compartments` (the `Patient/id`s
   * whose compartment holds the row).
   */
  columns: ColumnSpec[];
}

export const COMPARTMENTS_COLUMN: ColumnSpec = { name: 'compartments', sqlType: 'text[]', index: 'gin' };

const cache = new Map<string, TableLayout>();

/** Parameters kept in columns: everything but the table's own columns (_id, _lastUpdated) and query-only ones. */
export function isStored(def: SearchParamDef): boolean {
  return def.special !== 'column' && def.special !== 'query' && def.type !== 'special';
}

export function tableLayout(resourceType: string): TableLayout {
  let layout = cache.get(resourceType);
  if (!layout) {
    const params = [...searchParameters(resourceType).values()]
      .filter(isStored)
      .sort((a, b) => a.columnName.localeCompare(b.columnName))
      .map((def) => ({ def, columns: columnsFor(def) }));
    layout = {
      resourceType,
      params,
      compartmentParams: patientCompartmentParams(resourceType),
      columns: [...params.flatMap((p) => p.columns), SEARCH_TOKENS_COLUMN, COMPARTMENTS_COLUMN],
    };
    cache.set(resourceType, layout);
  }
  return layout;
}

/** PostgreSQL truncates identifiers at 63 bytes; long index names get a hash suffix instead. */
export function indexName(table: string, column: string): string {
  const name = `${table}_${column}_idx`;
  if (name.length <= 63) return name;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 54)}_${hash}`;
}

export function allLayouts(): TableLayout[] {
  return resourceTypes().map(tableLayout);
}
