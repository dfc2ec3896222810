import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { isResourceType } from '../definitions.ts';
import { errors, issue } from '../outcome.ts';
import { childTypes } from './element-types.ts';
import { splitUnescaped } from './escape.ts';
import { searchParameters, type SearchParamDef } from './parameters.ts';
import { checkModifier, parseFilterValue, SearchValueError } from './parse-value.ts';
import type { Filter, IncludeRule, SearchRequest, SortRule } from './search-request.ts';

/**
 * Parsing of a FHIR R4 search request (search.html) into a SearchRequest. Everything is validated against the
 * R4 definitions; a bad parameter is a 400 (errors.badRequest with the parameter name as expression), or, in
 * lenient mode (`Prefer: handling=lenient`, search.html#errors), dropped with a warning issue.
 */
export interface ParseOptions {
  /** Drop bad parameters with a warning instead of throwing (search.html#errors). */
  lenient?: boolean;
  /** Largest accepted `_count` (default 1000). Above it: 400, or clamped with a warning when lenient. */
  maxCount?: number;
  /** `_count` when absent (default 20). */
  defaultCount?: number;
  /** `_total` when absent (default 'none'). */
  defaultTotal?: SearchRequest['total'];
}

export interface ParseResult {
  request: SearchRequest;
  warnings: OperationOutcomeIssue[];
  /**
   * The parameters actually applied, in request order: without those dropped in lenient mode, with `_count`
   * as clamped. The self and paging links are built from these, since "the client can determine what
   * parameters the server used by examining the self link" (search.html#errors, #conformance).
   */
  used: Array<[string, string]>;
}

/** Result parameters that are accepted and ignored (the HTTP layer handles them). */
const IGNORED = new Set(['_format', '_pretty']);
/** Result/control parameters handled here rather than as filters. */
const SINGLE_VALUED = new Set(['_sort', '_count', '_offset', '_total', '_summary', '_elements', '_type', '_contained', '_containedType']);
const SUMMARY_VALUES = new Set(['true', 'text', 'data', 'count', 'false']);
const TOTAL_VALUES = new Set(['none', 'estimate', 'accurate']);
/** R4 parameters this server does not implement. */
const UNSUPPORTED = new Map([
  ['_query', 'Named queries (_query) are not supported'],
  ['_filter', 'The _filter parameter is not supported'],
]);

class ParamError extends Error {
  constructor(
    message: string,
    readonly code: 'invalid' | 'not-supported' = 'invalid',
  ) {
    super(message);
  }
}

function fromValueError(e: unknown): never {
  if (e instanceof SearchValueError) throw new ParamError(e.message, e.code);
  throw e;
}

/** Where parameter names are resolved: one resource type, or the types of a system search. */
interface Context {
  types: string[] | undefined;
  resourceType: string | undefined;
}

/** The definition of `code` in a context: the type's own, or for a system search one defined on all `_type` types (or on Resource). */
function lookup(ctx: Context, code: string): SearchParamDef | undefined {
  if (ctx.resourceType) return searchParameters(ctx.resourceType).get(code);
  if (ctx.types && ctx.types.length > 0) {
    const defs = ctx.types.map((t) => searchParameters(t).get(code));
    return defs.every((d) => d !== undefined && d.type === defs[0]?.type) ? defs[0] : undefined;
  }
  return searchParameters('Resource').get(code);
}

function describe(ctx: Context): string {
  return ctx.resourceType ?? (ctx.types ? ctx.types.join(', ') : 'all resource types');
}

/** Builds the filter for parameter `name` (with modifiers, chains, _has) and its raw value in `ctx`. */
function buildFilter(ctx: Context, name: string, raw: string, depth: number): Filter {
  if (depth > 4) throw new ParamError(`Chain too deep: ${name}`);
  if (name.startsWith('_has:')) return buildHas(ctx, name, raw, depth);
  const dot = name.indexOf('.');
  if (dot >= 0) return buildChain(ctx, name.slice(0, dot), name.slice(dot + 1), raw, depth);
  const colon = name.indexOf(':');
  const code = colon >= 0 ? name.slice(0, colon) : name;
  const modifier = colon >= 0 ? name.slice(colon + 1) : undefined;
  const unsupported = UNSUPPORTED.get(code);
  if (unsupported) throw new ParamError(unsupported, 'not-supported');
  const def = lookup(ctx, code);
  if (!def || code === '_has' || code === '_type') throw new ParamError(`Unknown search parameter '${code}' for ${describe(ctx)}`);
  if (modifier !== undefined) {
    try {
      checkModifier(def, modifier);
    } catch (e) {
      fromValueError(e);
    }
  }
  const alternatives = splitUnescaped(raw, ',').filter((v) => v !== '');
  if (modifier === 'missing' && alternatives.length !== 1) throw new ParamError(`:missing takes exactly one value (true or false)`);
  try {
    const values = alternatives.map((v) => parseFilterValue(def, modifier, v));
    return modifier === undefined ? { kind: 'param', param: def, values } : { kind: 'param', param: def, modifier, values };
  } catch (e) {
    return fromValueError(e);
  }
}

/** search.html#chaining: `link[:Type].rest`. */
function buildChain(ctx: Context, link: string, rest: string, raw: string, depth: number): Filter {
  const colon = link.indexOf(':');
  const code = colon >= 0 ? link.slice(0, colon) : link;
  const typeModifier = colon >= 0 ? link.slice(colon + 1) : undefined;
  const def = lookup(ctx, code);
  if (!def) throw new ParamError(`Unknown search parameter '${code}' for ${describe(ctx)}`);
  if (def.type !== 'reference') throw new ParamError(`Cannot chain through ${code}: it is a ${def.type} parameter, not a reference`);
  const nextCode = rest.split(/[.:]/)[0];
  let targets: string[];
  if (typeModifier !== undefined) {
    if (!isResourceType(typeModifier)) throw new ParamError(`Chained parameter ${code} needs a resource type modifier, not :${typeModifier}`);
    if (def.targets && def.targets.length > 0 && !def.targets.includes(typeModifier)) {
      throw new ParamError(`Parameter ${code} cannot refer to ${typeModifier}`);
    }
    targets = [typeModifier];
  } else {
    // Without :Type, every target type that has the chained parameter (search.html#chaining).
    targets = (def.targets ?? []).filter((t) => nextCode === '_has' || searchParameters(t).has(nextCode));
    if (targets.length === 0) throw new ParamError(`Unknown chained parameter '${nextCode}' for the targets of ${code} (${(def.targets ?? []).join(', ')})`);
  }
  return {
    kind: 'chain',
    param: def,
    targets: targets.map((type) => ({ type, filter: buildFilter({ resourceType: type, types: undefined }, rest, raw, depth + 1) })),
  };
}

/** search.html#has: `_has:SourceType:param:rest`. */
function buildHas(ctx: Context, name: string, raw: string, depth: number): Filter {
  const parts = name.split(':');
  if (parts.length < 4) throw new ParamError(`Malformed _has '${name}': expected _has:Type:reference:parameter`);
  const [, sourceType, refCode] = parts;
  const rest = parts.slice(3).join(':');
  if (!ctx.resourceType) throw new ParamError('_has needs a resource type to search');
  if (!isResourceType(sourceType)) throw new ParamError(`Unknown resource type '${sourceType}' in ${name}`);
  const def = searchParameters(sourceType).get(refCode);
  if (!def || def.type !== 'reference') throw new ParamError(`'${refCode}' is not a reference parameter of ${sourceType} in ${name}`);
  if (def.targets && def.targets.length > 0 && !def.targets.includes(ctx.resourceType)) {
    throw new ParamError(`${sourceType}.${refCode} cannot refer to ${ctx.resourceType}`);
  }
  return { kind: 'has', sourceType, param: def, filter: buildFilter({ resourceType: sourceType, types: undefined }, rest, raw, depth + 1) };
}

function parseSort(ctx: Context, raw: string): SortRule[] {
  return raw
    .split(',')
    .filter((k) => k !== '')
    .map((key) => {
      const descending = key.startsWith('-');
      const code = descending ? key.slice(1) : key;
      const def = lookup(ctx, code);
      if (!def || def.type === 'composite' || def.type === 'special' || def.special === 'query') {
        throw new ParamError(`Unknown sort parameter '${code}' for ${describe(ctx)}`);
      }
      return { code, descending, param: def };
    });
}

function parseElements(ctx: Context, raw: string): string[] {
  const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const n of names) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(n)) throw new ParamError(`Invalid element name '${n}' in _elements`);
    if (ctx.resourceType && !isElementOf(ctx.resourceType, n)) throw new ParamError(`${ctx.resourceType} has no element '${n}'`);
  }
  return names;
}

/** `name` is a top-level element of the type: plain (`code`), choice base (`value`) or choice alternative (`valueQuantity`). */
function isElementOf(resourceType: string, name: string): boolean {
  if (childTypes(resourceType, name)) return true;
  const m = /^([a-z][A-Za-z0-9]*?)([A-Z][A-Za-z0-9]*)$/.exec(name);
  return m !== null && (childTypes(resourceType, m[1])?.some((c) => c.key === name) ?? false);
}

/** search.html#include: `Source:param[:Target]` or `*`; modifiers :iterate (:recurse is the R3 name). */
function parseInclude(ctx: Context, name: string, raw: string, reverse: boolean): IncludeRule[] {
  const modifier = name.includes(':') ? name.slice(name.indexOf(':') + 1) : undefined;
  if (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse') {
    throw new ParamError(`Unknown modifier :${modifier} for ${name.split(':')[0]}`);
  }
  const iterate = modifier !== undefined;
  return raw
    .split(',')
    .filter((v) => v !== '')
    .map((value) => {
      if (value === '*') {
        if (!ctx.resourceType) throw new ParamError(`${reverse ? '_revinclude' : '_include'}=* needs a resource type`);
        return { sourceType: ctx.resourceType, param: '*', iterate };
      }
      const parts = value.split(':');
      if (parts.length < 2 || parts.length > 3) {
        throw new ParamError(`Malformed ${reverse ? '_revinclude' : '_include'} '${value}': expected Type:parameter[:targetType]`);
      }
      const [sourceType, code, targetType] = parts;
      if (!isResourceType(sourceType)) throw new ParamError(`Unknown resource type '${sourceType}' in '${value}'`);
      if (code !== '*') {
        const def = searchParameters(sourceType).get(code);
        if (!def || def.type !== 'reference') throw new ParamError(`'${code}' is not a reference parameter of ${sourceType} in '${value}'`);
        if (targetType !== undefined && def.targets && def.targets.length > 0 && !def.targets.includes(targetType)) {
          throw new ParamError(`${sourceType}.${code} cannot refer to ${targetType}`);
        }
      }
      if (targetType !== undefined && !isResourceType(targetType)) throw new ParamError(`Unknown resource type '${targetType}' in '${value}'`);
      if (!reverse && !iterate) {
        const searched = ctx.resourceType ? [ctx.resourceType] : ctx.types;
        if (searched && !searched.includes(sourceType)) {
          throw new ParamError(`_include '${value}' does not start from the searched type (${searched.join(', ')}); use _include:iterate`);
        }
      }
      const rule: IncludeRule = { sourceType, param: code, iterate };
      if (targetType !== undefined) rule.targetType = targetType;
      return rule;
    });
}

function nonNegativeInteger(raw: string, name: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new ParamError(`${name} must be a non-negative integer, not '${raw}'`);
  return Number(raw);
}

/**
 * Parses a search request. `resourceType` undefined = system-level search. Throws errors.badRequest (400)
 * for unknown parameters, bad modifiers, prefixes or values, bad result parameters — unless `lenient`, in
 * which case each bad parameter is dropped and reported as a warning.
 */
export function parseSearchRequest(
  resourceType: string | undefined,
  params: URLSearchParams | Array<[string, string]>,
  options: ParseOptions = {},
): ParseResult {
  const lenient = options.lenient === true;
  const maxCount = options.maxCount ?? 1000;
  const warnings: OperationOutcomeIssue[] = [];
  const entries: Array<[string, string]> = params instanceof URLSearchParams ? [...params.entries()] : params;
  if (resourceType !== undefined && !isResourceType(resourceType)) throw errors.badRequest(`Unknown resource type '${resourceType}'`);

  const request: SearchRequest = {
    filters: [],
    sort: [],
    count: options.defaultCount ?? 20,
    offset: 0,
    total: options.defaultTotal ?? 'none',
    include: [],
    revinclude: [],
  };
  if (resourceType !== undefined) request.resourceType = resourceType;

  const used: Array<[string, string]> = [];
  const fail = (name: string, e: unknown): void => {
    if (!(e instanceof ParamError)) throw e;
    if (!lenient) throw errors.badRequest(e.message, name);
    warnings.push(issue(e.code, `${e.message}; parameter ignored`, name, 'warning'));
  };

  // Single-valued result parameters: a repetition is an error (first one kept when lenient).
  const seen = new Set<string>();
  const kept: Array<[string, string]> = [];
  for (const [name, value] of entries) {
    if (IGNORED.has(name)) continue;
    if (SINGLE_VALUED.has(name)) {
      if (seen.has(name)) {
        fail(name, new ParamError(`${name} may appear only once`));
        continue;
      }
      seen.add(name);
    }
    kept.push([name, value]);
  }

  // _type first: it decides which parameters a system search accepts (search.html#type).
  const ctx: Context = { resourceType, types: undefined };
  for (const [name, value] of kept) {
    if (name !== '_type') continue;
    try {
      if (resourceType !== undefined) throw new ParamError('_type is only allowed in a system-level search');
      const types = value.split(',').filter((t) => t !== '');
      const unknown = types.filter((t) => !isResourceType(t));
      if (unknown.length > 0) throw new ParamError(`Unknown resource type(s) in _type: ${unknown.join(', ')}`);
      if (types.length > 0) {
        request.types = types;
        ctx.types = types;
        used.push([name, value]);
      }
    } catch (e) {
      fail(name, e);
    }
  }

  for (const [name, value] of kept) {
    if (name === '_type') continue;
    try {
      // PostgreSQL text cannot hold U+0000, so no stored value contains it; reject rather than fail in SQL.
      if (value.includes('\u0000') || name.includes('\u0000')) throw new ParamError(`Invalid character U+0000 in parameter ${JSON.stringify(name)}`);
      switch (name.split(':')[0]) {
        case '_count': {
          if (value === '') break;
          const count = nonNegativeInteger(value, '_count');
          if (count > maxCount) {
            if (!lenient) throw new ParamError(`_count must be at most ${maxCount}`);
            warnings.push(issue('invalid', `_count ${count} reduced to the maximum of ${maxCount}`, name, 'warning'));
            request.count = maxCount;
          } else {
            request.count = count;
          }
          used.push([name, String(request.count)]);
          continue;
        }
        case '_offset':
          if (value !== '') request.offset = nonNegativeInteger(value, '_offset');
          break;
        case '_total':
          if (!TOTAL_VALUES.has(value)) throw new ParamError(`_total must be none, estimate or accurate, not '${value}'`);
          request.total = value as SearchRequest['total'];
          break;
        case '_summary':
          if (!SUMMARY_VALUES.has(value)) throw new ParamError(`_summary must be true, text, data, count or false, not '${value}'`);
          request.summary = value as SearchRequest['summary'];
          break;
        case '_elements':
          request.elements = parseElements(ctx, value);
          break;
        case '_sort':
          request.sort = parseSort(ctx, value);
          break;
        case '_include':
          request.include.push(...parseInclude(ctx, name, value, false));
          break;
        case '_revinclude':
          request.revinclude.push(...parseInclude(ctx, name, value, true));
          break;
        case '_contained':
          if (value !== 'false') throw new ParamError('Searching contained resources (_contained) is not supported', 'not-supported');
          break;
        case '_containedType':
          if (value !== 'container') throw new ParamError('_containedType=contained is not supported', 'not-supported');
          break;
        default:
          // search.html: a parameter with an empty value is ignored.
          if (value === '') break;
          request.filters.push(buildFilter(ctx, name, value, 0));
      }
      if (value !== '') used.push([name, value]);
    } catch (e) {
      fail(name, e);
    }
  }
  return { request, warnings, used };
}
