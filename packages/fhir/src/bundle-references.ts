/**
 * Replaces references inside a resource, for transaction processing (R4 http.html#trules): every
 * `Reference.reference` equal to a key of `map` becomes the mapped value, and so does the same text inside
 * the narrative (links and images may point at a `urn:uuid:` fullUrl too). Returns a new object; the input
 * is not changed.
 */
export function rewriteReferences<T>(value: T, map: ReadonlyMap<string, string>): T {
  if (map.size === 0) return value;
  return walk(value, map) as T;
}

function walk(value: unknown, map: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, map));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'reference' && typeof v === 'string') {
      out[k] = map.get(v) ?? v;
    } else if (k === 'div' && typeof v === 'string' && v.includes('urn:')) {
      out[k] = v.replace(/urn:(uuid|oid):[A-Za-z0-9.:-]+/g, (m) => map.get(m) ?? m);
    } else {
      out[k] = walk(v, map);
    }
  }
  return out;
}

/** Collects every `Reference.reference` string in a resource (for conditional-reference resolution). */
export function collectReferences(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) collectReferences(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'reference' && typeof v === 'string') out.add(v);
      else collectReferences(v, out);
    }
  }
  return out;
}
