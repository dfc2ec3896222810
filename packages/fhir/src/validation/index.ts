import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { r4Registry } from './schema-registry.ts';
import { validateWithRegistry } from './walker.ts';

/**
 * Validates a FHIR R4 resource in its JSON form against the base R4 StructureDefinitions: structure,
 * cardinality, primitive formats, required bindings, reference format and a few cheap invariants
 * (see README.md in this folder). Pure and synchronous; never throws, whatever the input.
 *
 * @returns the issues found (at most ~100), each with severity 'error' and the FHIRPath of the element
 *   in `expression`; an empty array means the resource is valid.
 */
export function validateResource(resource: unknown): OperationOutcomeIssue[] {
  return validateWithRegistry(r4Registry(), resource);
}

export { MAX_ISSUES } from './context.ts';
