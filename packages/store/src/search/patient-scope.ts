import type { Filter, SearchRequest } from '@confide/fhir';

/**
 * Whether every row a search can return belongs to one patient: a `Patient/[id]/[type]` compartment search, or a
 * `patient` or `subject` parameter with a single Patient reference (search.html#reference: `Patient/123`, or a
 * bare id, which the parameter resolves to its target types). Such a search may run with a generic plan
 * (db/generic-plan.ts): whatever plan PostgreSQL picks without the values reads at most one patient's rows.
 * Anything else — several values, `:missing`, `:identifier`, a chain — says no.
 */
export function heldToOnePatient(req: SearchRequest, compartment: string | undefined): boolean {
  if (compartment?.startsWith('Patient/')) return true;
  return req.filters.some(isOnePatient);
}

function isOnePatient(f: Filter): boolean {
  if (f.kind !== 'param' || f.param.type !== 'reference') return false;
  if (f.param.code !== 'patient' && f.param.code !== 'subject') return false;
  if (f.modifier !== undefined && f.modifier !== 'Patient') return false;
  if (!f.param.targets?.includes('Patient') || f.values.length !== 1) return false;
  const v = f.values[0];
  if (v.kind !== 'reference' || !v.id || v.version !== undefined) return false;
  return v.type === undefined || v.type === 'Patient';
}
