import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Rng } from './prng.ts';
import { uuidV4 } from './uuid.ts';

/**
 * A transaction Bundle that PUTs every resource at its fixed id, so seeding twice updates rather than
 * duplicates. References between resources are plain `Type/id`; the urn:uuid fullUrls only name entries.
 * Entries keep the given order, which puts every referenced resource before the resources that reference it.
 */
export function transactionBundle(resources: Resource[], uuidRng: Rng): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => {
      if (!resource.id) throw new Error(`${resource.resourceType} without an id`);
      return {
        fullUrl: `urn:uuid:${uuidV4(uuidRng)}`,
        resource: pruned(resource),
        request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
      };
    }),
  };
}

/**
 * A deep copy without undefined properties or empty arrays (which FHIR JSON does not allow), so that optional
 * fields can be written as `x: maybe`.
 */
export function pruned<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => pruned(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = pruned(v);
    return out as T;
  }
  return value;
}
