import type { Coding, Resource } from '@medplum/fhirtypes';

/**
 * Finding codes in a resource by simple element paths (`Condition.code`, `MedicationRequest.medicationCodeableConcept`,
 * `Claim.diagnosis.diagnosisCodeableConcept`), as the label rules name them. Pure.
 *
 * A path is the resource type followed by element names; arrays are walked through at every step. At the end of
 * the path Codings are collected from a CodeableConcept (its `coding`), a Coding, or a Reference to a **contained**
 * resource (`#id`), whose `code` is read — that is how a MedicationRequest with a contained Medication is labelled.
 * References to other resources cannot be followed without I/O; the caller resolves them and passes their codes.
 */

/** One Coding found in a resource, with where it was found. */
export interface FoundCoding {
  coding: Coding;
  /** The element path that found it; `(resolved)` for codes the caller resolved. */
  element: string;
}

/** Whether the path applies to resources of this type. */
export function pathAppliesTo(path: string, resourceType: string): boolean {
  return path.split('.')[0] === resourceType;
}

/** The Codings at `path` in `resource` (nothing when the path is for another resource type). */
export function codingsAt(resource: Resource, path: string): FoundCoding[] {
  const [type, ...steps] = path.split('.');
  if (type !== resource.resourceType || steps.length === 0) return [];
  let values: unknown[] = [resource];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of values) {
      if (!isObject(v)) continue;
      const child = v[step];
      if (Array.isArray(child)) next.push(...child);
      else if (child !== undefined && child !== null) next.push(child);
    }
    values = next;
  }
  const out: FoundCoding[] = [];
  for (const v of values) for (const coding of codingsOf(v, resource)) out.push({ coding, element: path });
  return out;
}

function codingsOf(value: unknown, resource: Resource): Coding[] {
  if (!isObject(value)) return [];
  if (Array.isArray(value.coding)) return value.coding.filter(isCoding);
  if (typeof value.code === 'string' && (typeof value.system === 'string' || value.system === undefined) && !('reference' in value)) {
    return isCoding(value) ? [value] : [];
  }
  if (typeof value.reference === 'string' && value.reference.startsWith('#')) {
    const contained = containedResource(resource, value.reference.slice(1));
    if (contained && isObject(contained) && isObject(contained.code) && Array.isArray(contained.code.coding)) {
      return contained.code.coding.filter(isCoding);
    }
  }
  return [];
}

function containedResource(resource: Resource, id: string): unknown {
  const contained = (resource as { contained?: unknown }).contained;
  if (!Array.isArray(contained)) return undefined;
  return contained.find((r) => isObject(r) && r.id === id);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isCoding(v: unknown): v is Coding {
  return isObject(v) && typeof v.code === 'string';
}

/**
 * A code as the rules compare it: trimmed, upper case, without dots — ICD-10-CM codes are written both with and
 * without the dot (`F11.20`, `F1120`); SNOMED CT and RxNorm codes are digits, so nothing changes for them.
 */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase().replaceAll('.', '');
}
