import { ID_PATTERN, isResourceType } from '../definitions.ts';
import { splitUnescaped, unescapeValue } from './escape.ts';
import { dateRangeMs, formatInstant } from './fhir-date.ts';
import { decimalRange } from './fhir-number.ts';
import { ALL_PREFIXES, type Prefix, type SearchParamDef, type SearchParamType } from './parameters.ts';
import { parseReference } from './reference-parts.ts';
import type { FilterValue, ReferenceValue, TokenValue } from './search-request.ts';

/**
 * Parsing of one search value (one OR alternative, still escaped) into its typed form, per parameter type
 * and modifier (R4 search.html#ptypes, #modifiers, #prefix, #escaping).
 */
export class SearchValueError extends Error {
  constructor(
    message: string,
    /** `not-supported` for valid FHIR this server does not implement; `invalid` otherwise. */
    readonly code: 'invalid' | 'not-supported' = 'invalid',
  ) {
    super(message);
    this.name = 'SearchValueError';
  }
}

/** Modifiers that are valid R4 but not implemented (terminology and hierarchy services are not available). */
const UNSUPPORTED_MODIFIERS: Partial<Record<SearchParamType, string[]>> = {
  token: ['in', 'not-in', 'above', 'below'],
  reference: ['above', 'below'],
};

/** What kind of modifier `modifier` is for `def`, or a SearchValueError. Reference `:[type]` returns 'type'. */
export function checkModifier(def: SearchParamDef, modifier: string): 'keyword' | 'type' {
  if (def.type === 'reference' && isResourceType(modifier)) {
    if (def.targets && def.targets.length > 0 && !def.targets.includes(modifier)) {
      throw new SearchValueError(`Parameter ${def.code} cannot refer to ${modifier} (allowed: ${def.targets.join(', ')})`);
    }
    return 'type';
  }
  if (!def.modifiers.includes(modifier)) {
    throw new SearchValueError(`Modifier :${modifier} is not valid for parameter ${def.code} of type ${def.type}`);
  }
  if (UNSUPPORTED_MODIFIERS[def.type]?.includes(modifier)) {
    throw new SearchValueError(`Modifier :${modifier} is not supported for parameter ${def.code}`, 'not-supported');
  }
  return 'keyword';
}

/** Parses one value (escaped, one OR alternative) of `def` with `modifier` (already checked). */
export function parseFilterValue(def: SearchParamDef, modifier: string | undefined, raw: string): FilterValue {
  if (modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') throw new SearchValueError(`:missing takes true or false, not '${raw}'`);
    return { kind: 'missing', missing: raw === 'true' };
  }
  switch (def.type) {
    case 'string':
      return { kind: 'string', value: unescapeValue(raw) };
    case 'uri':
      return { kind: 'uri', value: unescapeValue(raw) };
    case 'token':
      return parseToken(def, modifier, raw);
    case 'date':
    case 'number':
    case 'quantity':
      return parseOrdered(def.type, def.prefixes ?? [...ALL_PREFIXES], def.code, raw);
    case 'reference':
      return parseReferenceValue(def, modifier, raw);
    case 'composite':
      return parseComposite(def, raw);
    case 'special':
      return { kind: 'special', value: unescapeValue(raw) };
  }
}

function parseToken(def: SearchParamDef, modifier: string | undefined, raw: string): TokenValue {
  if (modifier === 'text') return { kind: 'token', text: unescapeValue(raw) };
  const parts = splitUnescaped(raw, '|').map(unescapeValue);
  if (modifier === 'of-type') {
    // search.html#token :of-type — [type system]|[type code]|[identifier value]
    if (parts.length !== 3 || parts[1] === '' || parts[2] === '') {
      throw new SearchValueError(`${def.code}:of-type expects typeSystem|typeCode|value, got '${raw}'`);
    }
    const v: TokenValue = { kind: 'token', typeCode: parts[1], code: parts[2] };
    if (parts[0] !== '') v.typeSystem = parts[0];
    return v;
  }
  if (parts.length === 1) return { kind: 'token', code: parts[0] };
  if (parts.length !== 2 || (parts[0] === '' && parts[1] === '')) {
    throw new SearchValueError(`Invalid token '${raw}' for ${def.code}: expected code, system|code, |code or system|`);
  }
  const [system, code] = parts;
  if (system === '') return { kind: 'token', system: null, code };
  if (code === '') return { kind: 'token', system };
  return { kind: 'token', system, code };
}

const PREFIX = /^([a-z]{2})/;

/** search.html#prefix: an optional two-letter prefix, then the value; `eq` when absent. */
function splitPrefix(allowed: readonly Prefix[], code: string, raw: string): [Prefix, string] {
  const m = PREFIX.exec(raw);
  if (!m) return ['eq', raw];
  const prefix = m[1] as Prefix;
  if (!ALL_PREFIXES.includes(prefix)) throw new SearchValueError(`Unknown prefix '${m[1]}' in '${raw}' for ${code}`);
  if (!allowed.includes(prefix)) throw new SearchValueError(`Prefix '${prefix}' is not allowed for ${code} (allowed: ${allowed.join(', ')})`);
  return [prefix, raw.slice(2)];
}

function parseOrdered(type: 'date' | 'number' | 'quantity', allowed: readonly Prefix[], code: string, raw: string): FilterValue {
  const [prefix, rest] = splitPrefix(allowed, code, raw);
  if (type === 'date') {
    // A `+` of a time zone arrives as a space when the client did not percent-encode it.
    const r = dateRangeMs(unescapeValue(rest), true);
    if (!r) throw new SearchValueError(`Invalid date '${raw}' for ${code}: expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]][Z|±hh:mm]`);
    return { kind: 'date', prefix, start: formatInstant(r[0]), end: formatInstant(r[1]) };
  }
  const parts = type === 'quantity' ? splitUnescaped(rest, '|').map(unescapeValue) : [unescapeValue(rest)];
  if (parts.length !== 1 && parts.length !== 3) {
    throw new SearchValueError(`Invalid quantity '${raw}' for ${code}: expected number, number|system|code or number||code`);
  }
  const n = decimalRange(parts[0]);
  if (!n) throw new SearchValueError(`Invalid number '${parts[0]}' in '${raw}' for ${code}`);
  if (type === 'number') return { kind: 'number', prefix, value: n.value, low: n.low, high: n.high };
  const v: FilterValue = { kind: 'quantity', prefix, value: n.value, low: n.low, high: n.high };
  if (parts.length === 3) {
    if (parts[1] !== '') v.system = parts[1];
    if (parts[2] !== '') v.code = parts[2];
    if (v.system !== undefined && v.code === undefined) throw new SearchValueError(`Quantity '${raw}' for ${code} has a system but no code`);
  }
  return v;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function parseReferenceValue(def: SearchParamDef, modifier: string | undefined, raw: string): ReferenceValue {
  if (modifier === 'identifier') {
    // search.html#reference :identifier — a token on Reference.identifier.
    const parts = splitUnescaped(raw, '|').map(unescapeValue);
    if (parts.length > 2 || parts.every((p) => p === '')) throw new SearchValueError(`${def.code}:identifier expects [system|]value, got '${raw}'`);
    const identifier: { system?: string; value?: string } = {};
    if (parts.length === 2 && parts[0] !== '') identifier.system = parts[0];
    const value = parts[parts.length - 1];
    if (value !== '') identifier.value = value;
    return { kind: 'reference', identifier };
  }
  const typeModifier = modifier && isResourceType(modifier) ? modifier : undefined;
  const pieces = splitUnescaped(raw, '|').map(unescapeValue);
  const text = pieces[0];
  if (SCHEME.test(text)) {
    if (pieces.length > 2) throw new SearchValueError(`Invalid reference '${raw}' for ${def.code}`);
    const parts = parseReference(pieces.length === 2 ? `${text}|${pieces[1]}` : text, true);
    return { kind: 'reference', ...parts };
  }
  if (pieces.length !== 1) throw new SearchValueError(`Invalid reference '${raw}' for ${def.code}`);
  const slash = text.split('/');
  if (slash.length === 2 || (slash.length === 4 && slash[2] === '_history')) {
    const [type, id] = slash;
    if (!isResourceType(type)) throw new SearchValueError(`Unknown resource type '${type}' in reference '${raw}' for ${def.code}`);
    if (!ID_PATTERN.test(id)) throw new SearchValueError(`Invalid id '${id}' in reference '${raw}' for ${def.code}`);
    if (typeModifier && typeModifier !== type) throw new SearchValueError(`Reference '${raw}' contradicts modifier :${typeModifier}`);
    if (def.targets && def.targets.length > 0 && !def.targets.includes(type)) {
      throw new SearchValueError(`Parameter ${def.code} cannot refer to ${type} (allowed: ${def.targets.join(', ')})`);
    }
    return { kind: 'reference', reference: `${type}/${id}`, type, id };
  }
  if (slash.length !== 1 || !ID_PATTERN.test(text)) {
    throw new SearchValueError(`Invalid reference '${raw}' for ${def.code}: expected Type/id, id or an absolute URL`);
  }
  const type = typeModifier ?? (def.targets?.length === 1 ? def.targets[0] : undefined);
  return type ? { kind: 'reference', reference: `${type}/${text}`, type, id: text } : { kind: 'reference', id: text };
}

function parseComposite(def: SearchParamDef, raw: string): FilterValue {
  const components = def.components ?? [];
  const parts = splitUnescaped(raw, '$');
  if (parts.length !== components.length) {
    throw new SearchValueError(`Composite ${def.code} expects ${components.length} values separated by $, got '${raw}'`);
  }
  return {
    kind: 'composite',
    components: components.map((c, i) => {
      const componentDef: SearchParamDef = {
        code: `${def.code}[${c.code}]`,
        url: c.definition,
        resourceType: def.resourceType,
        type: c.type,
        modifiers: [],
        columnName: def.columnName,
      };
      if (c.type === 'date' || c.type === 'number' || c.type === 'quantity') componentDef.prefixes = [...ALL_PREFIXES];
      return parseFilterValue(componentDef, undefined, parts[i]);
    }),
  };
}
