import type { Resource } from '@medplum/fhirtypes';
import { isResourceType } from '../definitions.ts';

/**
 * Splitting of literal references (R4 references.html#literal) into the parts search needs: the reference
 * without `/_history/n` (search.html#reference: a version-specific reference matches the resource), and the
 * type and id when the text ends with `Type/id` (relative, or absolute on any server).
 */
export interface ReferenceParts {
  /** Relative (`Patient/123`), absolute (`http://x/fhir/Patient/123`), contained (`#p1`), `urn:uuid:...` or a canonical URL. */
  reference: string;
  type?: string;
  id?: string;
  /** Version of a canonical reference (`url|version`, R4 references.html#canonical). */
  version?: string;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;
const ABSOLUTE_TAIL = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;
const HISTORY = /\/_history\/[^/]*$/;
const CONDITIONAL = /^([A-Z][A-Za-z]+)\?/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Parses a reference string; `canonical` also splits off a `|version` suffix. */
export function parseReference(text: string, canonical = false): ReferenceParts {
  let reference = text;
  let version: string | undefined;
  if (canonical) {
    const bar = reference.lastIndexOf('|');
    if (bar >= 0) {
      version = reference.slice(bar + 1);
      reference = reference.slice(0, bar);
    }
  }
  if (reference.includes('/_history/')) reference = reference.replace(HISTORY, '');
  const parts: ReferenceParts = { reference };
  if (version) parts.version = version;
  if (reference.startsWith('#')) return parts;
  const match = SCHEME.test(reference) ? ABSOLUTE_TAIL.exec(reference) : RELATIVE.exec(reference);
  if (match && isResourceType(match[1])) {
    parts.type = match[1];
    parts.id = match[2];
    return parts;
  }
  const conditional = CONDITIONAL.exec(reference);
  if (conditional && isResourceType(conditional[1])) parts.type = conditional[1];
  return parts;
}

/** The contained resource a `#id` reference points at (R4 references.html#contained). */
export function findContained(root: Resource, localRef: string): Resource | undefined {
  const contained = (root as { contained?: Resource[] }).contained;
  if (!contained) return undefined;
  const id = localRef.slice(1);
  return contained.find((r) => r.id === id);
}

const markers = new Map<string, { resourceType: string }>();

function marker(resourceType: string): { resourceType: string } {
  let m = markers.get(resourceType);
  if (!m) {
    m = Object.freeze({ resourceType });
    markers.set(resourceType, m);
  }
  return m;
}

/**
 * What FHIRPath `resolve()` can know without a database: the contained resource for `#id`, otherwise a stub
 * `{ resourceType }` when the target type is known from Reference.type or from the reference text. Used for
 * `where(resolve() is Patient)`; undefined when the type cannot be known (e.g. `urn:uuid:` without type).
 */
export function resolveReferenceTarget(value: unknown, root: Resource): { resourceType: string } | undefined {
  if (typeof value === 'string') {
    const type = parseReference(value, true).type;
    return type ? marker(type) : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = value as { reference?: string; type?: string };
  if (typeof ref.reference === 'string' && ref.reference.startsWith('#')) {
    return findContained(root, ref.reference) as { resourceType: string } | undefined;
  }
  if (typeof ref.type === 'string' && isResourceType(ref.type)) return marker(ref.type);
  if (typeof ref.reference !== 'string') return undefined;
  const type = parseReference(ref.reference).type;
  return type ? marker(type) : undefined;
}
