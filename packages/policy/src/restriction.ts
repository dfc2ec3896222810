import type { Filter } from '@confide/fhir';

/**
 * A row-level restriction: which rows of one resource type a decision lets through. Declarative on purpose:
 * the store compiles it to SQL (see README.md, "The Restriction contract") and `matchesRestriction` evaluates
 * it on a resource in memory; neither needs to know why the policy chose it.
 *
 * "No restriction" is expressed by its absence (`Decision.restriction === undefined`), never by a value.
 */
export type Restriction =
  | CompartmentRestriction
  | OrganizationRestriction
  | SearchRestriction
  | AndRestriction
  | OrRestriction
  | NoneRestriction;

/** Rows in the compartment of one of these patients: the `compartments` column holds `Patient/<id>` for one of them. */
export interface CompartmentRestriction {
  kind: 'compartment';
  /** Bare Patient ids (not `Patient/<id>`); never empty. */
  patientIds: string[];
}

/** Rows that belong to one of these organizations: the `organizations` column holds `Organization/<id>` for one of them. */
export interface OrganizationRestriction {
  kind: 'organization';
  /** Bare Organization ids (not `Organization/<id>`); never empty. */
  organizationIds: string[];
}

/**
 * Rows that match every filter, exactly as a search with these filters would find them: the store compiles
 * them with its ordinary filter compiler (`filterSql`). From a granular scope's query (`?category=...`).
 */
export interface SearchRestriction {
  kind: 'search';
  /** The type the filters were parsed for; the restriction matches no row of another type. */
  resourceType: string;
  /** AND-ed, as in SearchRequest.filters. Only `param` filters (no chains, no `_has`). */
  filters: Filter[];
  /** The scope it comes from, for reasons and logs. */
  source?: string;
}

export interface AndRestriction {
  kind: 'and';
  /** At least two parts. */
  parts: Restriction[];
}

export interface OrRestriction {
  kind: 'or';
  /** At least two parts. */
  parts: Restriction[];
}

/** No row at all (compiles to `false`). */
export interface NoneRestriction {
  kind: 'none';
}

export const NONE: NoneRestriction = { kind: 'none' };

/** Conjunction; `undefined` parts are "no restriction" and drop out. Undefined when nothing restricts. */
export function allOf(parts: ReadonlyArray<Restriction | undefined>): Restriction | undefined {
  const out: Restriction[] = [];
  const seen = new Set<string>();
  for (const p of parts) {
    if (p === undefined) continue;
    if (p.kind === 'none') return NONE;
    for (const q of p.kind === 'and' ? p.parts : [p]) {
      // The same compartment or organization twice (a patient user's scope and own rule) is kept once.
      const key = q.kind === 'compartment' ? `c:${q.patientIds.join(',')}` : q.kind === 'organization' ? `o:${q.organizationIds.join(',')}` : undefined;
      if (key !== undefined && seen.has(key)) continue;
      if (key !== undefined) seen.add(key);
      out.push(q);
    }
  }
  if (out.length === 0) return undefined;
  return out.length === 1 ? out[0] : { kind: 'and', parts: out };
}

/** Disjunction; an `undefined` part (no restriction) makes the whole unrestricted. No parts at all: `none`. */
export function anyOf(parts: ReadonlyArray<Restriction | undefined>): Restriction | undefined {
  const out: Restriction[] = [];
  for (const p of parts) {
    if (p === undefined) return undefined;
    if (p.kind === 'none') continue;
    if (p.kind === 'or') out.push(...p.parts);
    else out.push(p);
  }
  if (out.length === 0) return NONE;
  return out.length === 1 ? out[0] : { kind: 'or', parts: out };
}

/** A short human-readable form, for decision reasons and logs (`compartment(Patient/1) and search(category=…)`). */
export function describeRestriction(r: Restriction | undefined): string {
  if (r === undefined) return 'all rows';
  switch (r.kind) {
    case 'compartment':
      return `compartment of ${r.patientIds.map((id) => `Patient/${id}`).join(' or ')}`;
    case 'organization':
      return `organization ${r.organizationIds.map((id) => `Organization/${id}`).join(' or ')}`;
    case 'search':
      return `matching ${r.source ?? r.filters.map((f) => (f.kind === 'param' ? f.param.code : f.kind)).join('&')}`;
    case 'and':
      return r.parts.map((p) => (p.kind === 'or' ? `(${describeRestriction(p)})` : describeRestriction(p))).join(' and ');
    case 'or':
      return r.parts.map((p) => (p.kind === 'and' ? `(${describeRestriction(p)})` : describeRestriction(p))).join(' or ');
    case 'none':
      return 'no rows';
  }
}
