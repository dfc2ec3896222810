import type { Resource } from '@medplum/fhirtypes';
import { extractSearchValues, type IndexValue } from '@confide/fhir';
import type { SearchIndexer } from '../write-batch.ts';
import { columnValues, isTokenLike } from './columns.ts';
import { tableLayout } from './table-layout.ts';
import { LABELS_COLUMN, rowLabels } from '../access/row-labels.ts';

/** Fills every search column of a resource's table from the values extracted at write time. */
export const searchIndexer: SearchIndexer = {
  columns(resourceType: string): readonly string[] {
    let names = columnNames.get(resourceType);
    if (!names) columnNames.set(resourceType, (names = [...tableLayout(resourceType).columns.map((c) => c.name), LABELS_COLUMN]));
    return names;
  },
  values(resourceType: string, resource: Resource | undefined): unknown[] {
    const layout = tableLayout(resourceType);
    if (!resource) return new Array(layout.columns.length + 1).fill(null);
    const extracted = extractSearchValues(resource);
    const out: unknown[] = [];
    const tokens: string[] = [];
    for (const p of layout.params) {
      const values = columnValues(p.def, extracted.get(p.def.code));
      out.push(...values);
      if (isTokenLike(p.def.type) && Array.isArray(values[0]) && !layout.untokenized.has(p.def.columnName)) {
        for (const e of values[0] as string[]) tokens.push(`${p.def.columnName}=${e}`);
      }
    }
    const searchTokens = tokens.length ? tokens : null;
    out.push(searchTokens);
    out.push(compartments(resource, layout.compartmentParams, extracted));
    out.push(rowLabels(searchTokens));
    return out;
  },
  links(resourceType: string, values: readonly unknown[]) {
    // `values` ends with search_tokens and compartments (table-layout.ts), then labels (columns above).
    const tokens = (values[values.length - 3] as string[] | null) ?? [];
    const references: string[] = [];
    for (const t of tokens) {
      const ref = t.slice(t.indexOf('=') + 1);
      if (RELATIVE_REF.test(ref)) references.push(ref);
    }
    return { compartments: (values[values.length - 2] as string[] | null) ?? [], references, labels: values[values.length - 1] as string[] | null };
  },
};

const columnNames = new Map<string, string[]>();

const RELATIVE_REF = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/** The patients whose compartment holds this resource, as `Patient/id` (a Patient is in its own). */
function compartments(resource: Resource, params: string[], extracted: Map<string, IndexValue[]>): string[] | null {
  const out = new Set<string>();
  if (resource.resourceType === 'Patient' && resource.id) out.add(`Patient/${resource.id}`);
  for (const code of params) {
    for (const v of extracted.get(code) ?? []) {
      if (v.kind === 'reference' && v.reference?.startsWith('Patient/')) out.add(v.reference);
    }
  }
  return out.size ? [...out] : null;
}
