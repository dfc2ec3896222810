import type { Resource } from '@medplum/fhirtypes';
import type { Filter, IndexValue, ParamFilter, ReferenceValue, TokenValue } from '@confide/fhir';
import { extractSearchValues, normalizeString, patientCompartmentParams } from '@confide/fhir';
import type { Restriction } from './restriction.ts';

/**
 * What matching a restriction needs to know about a resource besides its JSON: the values the store keeps in
 * the row's columns. Computed by the caller, who knows how the store fills them (`resourceFacts` gives the
 * ones that follow from the resource alone).
 */
export interface RestrictionContext {
  /** `Patient/<id>` of every patient whose compartment holds the resource: the row's `compartments` column. */
  compartments: readonly string[];
  /**
   * `Organization/<id>` of the organizations the resource belongs to: the row's `organizations` column.
   * Undefined when unknown; an organization restriction then does not match (fail closed).
   */
  organizations?: readonly string[];
  /** `extractSearchValues(resource)`; computed on demand when absent and a search restriction needs it. */
  searchValues?: Map<string, IndexValue[]>;
  /** The server's FHIR base URL: absolute references to it match relative ones, as in the store's search. */
  baseUrl?: string;
}

export interface MatchResult {
  match: boolean;
  /** Filters that cannot be evaluated in memory; each counted as not matching. Empty normally. */
  unsupported: string[];
}

/** Whether patients have compartments that can hold `resourceType` (R4 CompartmentDefinition Patient). */
export function hasPatientCompartment(resourceType: string): boolean {
  return resourceType === 'Patient' || patientCompartmentParams(resourceType).length > 0;
}

/**
 * The patients whose compartment holds the resource, as `Patient/<id>`: a Patient is in its own, and any
 * resource is in the compartment of each Patient its compartment parameters reference (relative references
 * only). This is the rule the store uses for its `compartments` column.
 */
export function patientCompartments(resource: Resource, searchValues?: Map<string, IndexValue[]>): string[] {
  const out = new Set<string>();
  if (resource.resourceType === 'Patient' && resource.id) out.add(`Patient/${resource.id}`);
  const params = patientCompartmentParams(resource.resourceType);
  if (params.length > 0) {
    const values = searchValues ?? extractSearchValues(resource);
    for (const code of params) {
      for (const v of values.get(code) ?? []) {
        if (v.kind === 'reference' && v.reference?.startsWith('Patient/')) out.add(v.reference);
      }
    }
  }
  return [...out];
}

/** The context that follows from the resource alone (compartments, search values); add `organizations` yourself. */
export function resourceFacts(resource: Resource, extra: { organizations?: readonly string[]; baseUrl?: string } = {}): RestrictionContext {
  const searchValues = extractSearchValues(resource);
  return { compartments: patientCompartments(resource, searchValues), searchValues, ...extra };
}

/** Whether the resource is one of the rows `restriction` lets through (undefined: no restriction, always true). */
export function matchesRestriction(resource: Resource, restriction: Restriction | undefined, ctx: RestrictionContext): boolean {
  return evaluateRestriction(resource, restriction, ctx).match;
}

/**
 * In-memory evaluation of a restriction, with the same meaning as the SQL the store compiles it to. Search
 * filters: token (plain, `:not`, `:text`, `:of-type`), reference (plain, `:[type]`, `:identifier`), string
 * (plain = starts with, `:exact`, `:contains`), uri (plain, `:below`, `:above`), `_id`, and `:missing` on any of
 * them — what granular scopes may contain. Date, number, quantity and composite parameters, chains and `_has`
 * cannot be evaluated here: they count as not matching and are listed in `unsupported`.
 */
export function evaluateRestriction(resource: Resource, restriction: Restriction | undefined, ctx: RestrictionContext): MatchResult {
  const unsupported: string[] = [];
  let values = ctx.searchValues;
  const searchValues = (): Map<string, IndexValue[]> => (values ??= extractSearchValues(resource));
  const evaluate = (r: Restriction | undefined): boolean => {
    if (r === undefined) return true;
    switch (r.kind) {
      case 'none':
        return false;
      case 'compartment':
        return r.patientIds.some((id) => ctx.compartments.includes(`Patient/${id}`));
      case 'organization':
        return ctx.organizations !== undefined && r.organizationIds.some((id) => ctx.organizations?.includes(`Organization/${id}`));
      case 'search':
        if (r.resourceType !== resource.resourceType) return false;
        // Every filter is evaluated (no short cut) so that `unsupported` is complete.
        return r.filters.map((f) => filterMatches(f, resource, searchValues, ctx.baseUrl, unsupported)).every(Boolean);
      case 'and':
        return r.parts.map(evaluate).every(Boolean);
      case 'or':
        return r.parts.map(evaluate).some(Boolean);
    }
  };
  const match = evaluate(restriction);
  return { match, unsupported };
}

function filterMatches(
  f: Filter,
  resource: Resource,
  searchValues: () => Map<string, IndexValue[]>,
  baseUrl: string | undefined,
  unsupported: string[],
): boolean {
  if (f.kind !== 'param') {
    unsupported.push(`${f.kind} filter on ${f.param.code}`);
    return false;
  }
  const def = f.param;
  const missing = f.values.find((v) => v.kind === 'missing');
  if (def.code === '_id') {
    if (missing?.kind === 'missing') return !missing.missing;
    const ids = f.values.map((v) => (v.kind === 'token' ? v.code : v.kind === 'string' ? v.value : undefined));
    const hit = resource.id !== undefined && ids.includes(resource.id);
    return f.modifier === 'not' ? !hit : hit;
  }
  if (def.special === 'column') {
    if (missing?.kind === 'missing') return !missing.missing;
    unsupported.push(`${def.code}`);
    return false;
  }
  const indexed = searchValues().get(def.code) ?? [];
  switch (def.type) {
    case 'token': {
      const entries = tokenIndexEntries(indexed);
      if (missing?.kind === 'missing') return missing.missing === (entries.size === 0);
      const values = f.values as TokenValue[];
      if (f.modifier === 'text') {
        const displays = indexed.flatMap((v) => (v.kind === 'token' && v.display ? [normalizeString(v.display)] : []));
        return values.some((v) => displays.some((d) => d.includes(normalizeString(v.text ?? v.code ?? ''))));
      }
      const hit = tokenFilterEntries(values).some((e) => entries.has(e));
      return f.modifier === 'not' ? !hit : hit;
    }
    case 'reference': {
      const entries = referenceIndexEntries(indexed);
      if (missing?.kind === 'missing') return missing.missing === (entries.size === 0);
      return referenceMatches(f, entries, baseUrl);
    }
    case 'string': {
      const raw = indexed.flatMap((v) => (v.kind === 'string' ? [v.value] : []));
      if (missing?.kind === 'missing') return missing.missing === (raw.length === 0);
      const wanted = f.values.map((v) => (v as { value: string }).value);
      if (f.modifier === 'exact') return wanted.some((w) => raw.includes(w));
      const normalized = raw.map(normalizeString);
      return wanted.some((w) => {
        const n = normalizeString(w);
        return normalized.some((s) => (f.modifier === 'contains' ? s.includes(n) : s.startsWith(n)));
      });
    }
    case 'uri': {
      const stored = [...referenceIndexEntries(indexed)];
      if (missing?.kind === 'missing') return missing.missing === (stored.length === 0);
      const wanted = f.values.map((v) => (v as { value: string }).value);
      if (f.modifier === 'below') return wanted.some((w) => stored.some((s) => s.startsWith(w)));
      if (f.modifier === 'above') return wanted.some((w) => stored.some((s) => w.startsWith(s)));
      return wanted.some((w) => stored.includes(w));
    }
    default:
      unsupported.push(`${def.code} (${def.type})`);
      return false;
  }
}

/** The entries the store's token column holds for these values (`system|code`, `*|code`, `system|*`, `ot:…`). */
function tokenIndexEntries(values: IndexValue[]): Set<string> {
  const entries = new Set<string>();
  for (const v of values) {
    if (v.kind !== 'token') continue;
    if (v.code !== undefined) {
      entries.add(`${v.system ?? ''}|${v.code}`);
      entries.add(`*|${v.code}`);
      if (v.typeCode !== undefined) entries.add(`ot:${v.typeSystem ?? ''}|${v.typeCode}|${v.code}`);
    }
    if (v.system !== undefined) entries.add(`${v.system}|*`);
  }
  return entries;
}

/** The entries a token search value looks for in that column. */
function tokenFilterEntries(values: TokenValue[]): string[] {
  return values.map((v) => {
    if (v.typeCode !== undefined) return `ot:${v.typeSystem ?? ''}|${v.typeCode}|${v.code ?? ''}`;
    if (v.system === undefined) return `*|${v.code ?? ''}`;
    if (v.system === null) return `|${v.code ?? ''}`;
    if (v.code === undefined || v.code === '') return `${v.system}|*`;
    return `${v.system}|${v.code}`;
  });
}

/** The entries the store's reference/uri column holds: references (and `ref|version`), `ident:system|value`, URIs. */
function referenceIndexEntries(values: IndexValue[]): Set<string> {
  const entries = new Set<string>();
  for (const v of values) {
    if (v.kind === 'uri') {
      entries.add(v.value);
      continue;
    }
    if (v.kind !== 'reference') continue;
    if (v.reference) {
      entries.add(v.reference);
      if (v.version) entries.add(`${v.reference}|${v.version}`);
    }
    if (v.identifier && (v.identifier.system !== undefined || v.identifier.value !== undefined)) {
      entries.add(`ident:${v.identifier.system ?? ''}|${v.identifier.value ?? ''}`);
    }
  }
  return entries;
}

const RELATIVE_REF = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/** search.html#reference, as the store compiles it. */
function referenceMatches(f: ParamFilter, stored: Set<string>, baseUrl: string | undefined): boolean {
  const wanted: string[] = [];
  const patterns: Array<(entry: string) => boolean> = [];
  for (const v of f.values as ReferenceValue[]) {
    if (f.modifier === 'identifier' || v.identifier) {
      const idf = v.identifier ?? {};
      const value = idf.value ?? '';
      if (idf.system === undefined) patterns.push((e) => e.startsWith('ident:') && e.length >= 7 + value.length && e.endsWith('|' + value));
      else wanted.push(`ident:${idf.system}|${value}`);
      continue;
    }
    let ref = v.reference;
    if (ref && baseUrl && ref.startsWith(baseUrl + '/')) ref = ref.slice(baseUrl.length + 1);
    const typeModifier = f.modifier && f.modifier !== 'identifier' ? f.modifier : undefined;
    if (ref && (ref.includes('/') || ref.includes(':'))) {
      wanted.push(v.version ? `${ref}|${v.version}` : ref);
      continue;
    }
    const id = v.id ?? ref;
    if (!id) continue;
    const types = v.type ? [v.type] : typeModifier ? [typeModifier] : f.param.targets?.length ? f.param.targets : [];
    if (types.length === 0) patterns.push((e) => e.endsWith('/' + id));
    for (const t of types) wanted.push(`${t}/${id}`);
  }
  if (baseUrl) for (const e of [...wanted]) if (RELATIVE_REF.test(e)) wanted.push(`${baseUrl}/${e}`);
  if (wanted.some((w) => stored.has(w))) return true;
  return patterns.length > 0 && [...stored].some((e) => patterns.some((p) => p(e)));
}
