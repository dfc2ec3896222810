import type { Reference } from '@medplum/fhirtypes';

/**
 * `Type/id` of a literal reference, whether relative, absolute (`https://…/fhir/R4/Patient/1`) or versioned
 * (`…/_history/2`); undefined for contained, urn: or logical references.
 */
export function refKey(ref: Reference | string | undefined): string | undefined {
  const s = typeof ref === 'string' ? ref : ref?.reference;
  if (!s) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(s);
  return m ? m[1] : undefined;
}

/** JSON text with object keys sorted, so that two resources compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return '{' + entries.map(([k, v]) => JSON.stringify(k) + ':' + canonicalJson(v)).join(',') + '}';
  }
  return JSON.stringify(value);
}

/** Whether two resources are equal apart from `meta` (server-managed) and the listed top-level elements. */
export function sameExcept(a: object, b: object, ignore: readonly string[]): boolean {
  const strip = (r: object) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'meta' && !ignore.includes(k)));
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}
