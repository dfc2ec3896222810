import type { Resource } from '@medplum/fhirtypes';

/**
 * The escape hatch for search expressions the compiler (fhirpath/compile.ts) does not handle: a full FHIRPath
 * engine evaluates them per resource, returning typed values. All R4 core expressions compile, so this is
 * only needed for custom SearchParameters that use other FHIRPath functions.
 *
 * It is a registration rather than a static import of @medplum/core because that package's module
 * initialisation uses the global `WebSocket`, which Node 20 only has behind --experimental-websocket: importing
 * it would break every consumer of @confide/fhir. On Node >= 22 (or with the flag) register it with
 * `await useMedplumFhirPathFallback()`, or pass any other engine to setFhirPathFallback().
 */
export type FhirPathEvaluator = (expression: string, resource: Resource) => Array<{ type: string; value: unknown }>;

let evaluator: FhirPathEvaluator | undefined;

export function setFhirPathFallback(fn: FhirPathEvaluator | undefined): void {
  evaluator = fn;
}

export function getFhirPathFallback(): FhirPathEvaluator | undefined {
  return evaluator;
}

/**
 * Registers @medplum/core's FHIRPath engine as the fallback (dynamic import, so that merely loading this
 * package never touches @medplum/core). Rejects with a clear message where the runtime has no WebSocket.
 */
export async function useMedplumFhirPathFallback(): Promise<void> {
  if (!('WebSocket' in globalThis)) {
    throw new Error('@medplum/core needs a global WebSocket: use Node >= 22 or node --experimental-websocket');
  }
  const core = await import('@medplum/core');
  setFhirPathFallback((expression, resource) => core.evalFhirPathTyped(expression, [core.toTypedValue(resource)]));
}
