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
  /**
   * Column names of parameters whose entries are NOT copied into `search_tokens` (so not in its GIN index):
   * equality on them tests their own array column. Empty for every type but AuditEvent (see NARROW).
   */
  untokenized: ReadonlySet<string>;
}

/**
 * Types whose table keeps only some of their search parameters (migration 0007). The audit trail writes one
 * AuditEvent for many reads (folded reads name up to 200 resources each), and every search column and GIN
 * entry of such a row is paid on the read path: its table keeps the parameters the audit report searches
 * (docs/audit.md, "Storage"), and `entity` (one entry per resource read) has a column but no index entry.
 * Searching or sorting by any other parameter of the type is refused with 400 (`unsupportedParam`).
 */
const NARROW: Record<string, { keep: ReadonlySet<string>; untokenized: ReadonlySet<string> }> = {
  AuditEvent: {
    keep: new Set(['action', 'address', 'agent', 'altid', 'date', 'entity', 'outcome', 'patient', 'source', 'subtype', 'type']),
    untokenized: new Set(['entity']),
  },
};
const NOTHING: ReadonlySet<string> = new Set();

export const COMPARTMENTS_COLUMN: ColumnSpec = { name: 'compartments', sqlType: 'text[]', index: 'gin' };

const cache = new Map<string, TableLayout>();
const fullCache = new Map<string, TableLayout>();

/** Parameters kept in columns: everything but the table's own columns (_id, _lastUpdated) and query-only ones. */
export function isStored(def: SearchParamDef): boolean {
  return def.special !== 'column' && def.special !== 'query' && def.type !== 'special';
}

export function tableLayout(resourceType: string): TableLayout {
  let layout = cache.get(resourceType);
  if (!layout) {
    const full = fullTableLayout(resourceType);
    const narrow = NARROW[resourceType];
    if (!narrow) layout = full;
    else {
      const params = full.params.filter((p) => narrow.keep.has(p.def.code));
      layout = {
        ...full,
        params,
        columns: [...params.flatMap((p) => p.columns), SEARCH_TOKENS_COLUMN, COMPARTMENTS_COLUMN],
        untokenized: narrow.untokenized,
      };
    }
    cache.set(resourceType, layout);
  }
  return layout;
}

/** The layout with every stored parameter of the type, as migration 0002 created the tables. */
function fullTableLayout(resourceType: string): TableLayout {
  let layout = fullCache.get(resourceType);
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
      untokenized: NOTHING,
    };
    fullCache.set(resourceType, layout);
  }
  return layout;
}

/**
 * Whether search can filter or sort `resourceType` by this parameter: the table's own columns and query-only
 * parameters always, stored ones when the table keeps their columns (not so for AuditEvent's dropped ones).
 */
export function isSearchable(def: SearchParamDef): boolean {
  if (!isStored(def) || !NARROW[def.resourceType]) return true;
  return NARROW[def.resourceType].keep.has(def.code);
}

/** The columns of the full layout a narrow type's table does not keep (migration 0007 drops them). */
export function droppedColumns(resourceType: string): string[] {
  const kept = new Set(tableLayout(resourceType).columns.map((c) => c.name));
  return fullTableLayout(resourceType).columns.filter((c) => !kept.has(c.name)).map((c) => c.name);
}

/** PostgreSQL truncates identifiers at 63 bytes; long index names get a hash suffix instead. */
export function indexName(table: string, column: string): string {
  const name = `${table}_${column}_idx`;
  if (name.length <= 63) return name;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 54)}_${hash}`;
}

/** Every type's layout as migration 0002 created it (full; migration 0007 narrows AuditEvent's afterwards). */
export function allLayouts(): TableLayout[] {
  return resourceTypes().map(fullTableLayout);
}
