import { resourceDefinitions } from './definitions.ts';

const cache = new Map<string, { summary: Set<string>; mandatory: Set<string>; choices: string[] }>();

function info(resourceType: string) {
  let i = cache.get(resourceType);
  if (!i) {
    const summary = new Set<string>(['resourceType', 'id', 'meta']);
    const mandatory = new Set<string>(['resourceType', 'id', 'meta']);
    const choices: string[] = [];
    const sd = resourceDefinitions().get(resourceType);
    for (const e of sd?.snapshot?.element ?? []) {
      const parts = e.path.split('.');
      if (parts.length !== 2) continue;
      const name = parts[1];
      if (name.endsWith('[x]')) choices.push(name.slice(0, -3));
      if (e.isSummary) summary.add(name);
      if ((e.min ?? 0) > 0) mandatory.add(name);
    }
    i = { summary, mandatory, choices };
    cache.set(resourceType, i);
  }
  return i;
}

function keep(resourceType: string, key: string, names: Set<string>): boolean {
  const bare = key.startsWith('_') ? key.slice(1) : key;
  if (names.has(bare)) return true;
  const { choices } = info(resourceType);
  return choices.some((c) => names.has(c) && bare.startsWith(c) && /^[A-Z]/.test(bare.slice(c.length)));
}

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

function markSubsetted(r: Record<string, unknown>): Record<string, unknown> {
  const meta = { ...((r.meta as Record<string, unknown>) ?? {}) };
  const tags = Array.isArray(meta.tag) ? [...(meta.tag as object[])] : [];
  tags.push(SUBSETTED);
  meta.tag = tags;
  return { ...r, meta };
}

/**
 * `_summary` and `_elements` (R4 search.html#summary, #elements): the subset of a resource a client asked for,
 * tagged SUBSETTED. `true` keeps the elements marked isSummary; `text` keeps text, id, meta and mandatory
 * elements; `data` removes the narrative; `_elements` keeps the listed top-level elements and mandatory ones.
 */
export function subsetResource(
  resource: Record<string, unknown>,
  mode: { summary?: 'true' | 'text' | 'data' | 'false' | 'count'; elements?: string[] },
): Record<string, unknown> {
  const type = resource.resourceType as string;
  if (mode.summary === 'data') {
    const { text: _text, ...rest } = resource;
    return markSubsetted(rest);
  }
  let names: Set<string> | undefined;
  if (mode.summary === 'true') names = info(type).summary;
  else if (mode.summary === 'text') names = new Set([...info(type).mandatory, 'text']);
  else if (mode.elements?.length) names = new Set([...info(type).mandatory, ...mode.elements]);
  if (!names) return resource;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(resource)) if (keep(type, k, names)) out[k] = v;
  return markSubsetted(out);
}
