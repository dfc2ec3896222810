/** A Reference-like object found in a resource: the object that holds a `reference` string. */
export interface ReferenceHolder {
  reference: string;
}

/**
 * Finds every `Reference.reference` in a resource in one pass, returning the objects that hold them so that
 * a caller can resolve and rewrite them in place (transaction processing, R4 http.html#trules), and the
 * narrative `div`s that mention a `urn:` (links and images may point at a fullUrl too). The entries of a
 * Bundle stored as a resource are not searched: their references belong to that Bundle.
 */
export function findReferences(value: unknown): { refs: ReferenceHolder[]; divs: { text: { div: string } }[] } {
  const refs: ReferenceHolder[] = [];
  const divs: { text: { div: string } }[] = [];
  const walk = (v: unknown, parentKey: string): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, parentKey);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    // A Bundle held as a resource resolves its entries' references within itself (R4 bundle.html#references).
    const nestedBundle = o.resourceType === 'Bundle';
    for (const k in o) {
      if (nestedBundle && k === 'entry') continue;
      const x = o[k];
      if (typeof x === 'string') {
        if (k === 'reference') refs.push(o as unknown as ReferenceHolder);
        else if (k === 'div' && parentKey === 'text' && x.includes('urn:')) divs.push({ text: o as unknown as { div: string } });
      } else if (typeof x === 'object' && x !== null) {
        walk(x, k);
      }
    }
  };
  walk(value, '');
  return { refs, divs };
}

/** Rewrites, in place, the references and narrative mentions that `map` knows. */
export function applyReferenceMap(found: ReturnType<typeof findReferences>, map: ReadonlyMap<string, string>): void {
  if (map.size === 0) return;
  for (const r of found.refs) {
    const to = map.get(r.reference);
    if (to !== undefined) r.reference = to;
  }
  for (const d of found.divs) {
    d.text.div = d.text.div.replace(/urn:(uuid|oid):[A-Za-z0-9.:-]+/g, (m) => map.get(m) ?? m);
  }
}
