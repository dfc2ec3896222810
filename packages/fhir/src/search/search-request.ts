import type { Prefix, SearchParamDef } from './parameters.ts';

/**
 * A parsed search request (R4 search.html), ready for the storage layer to compile into SQL. All parameter
 * names are resolved against the definitions and all values are typed; nothing here needs re-parsing.
 */
export interface SearchRequest {
  /** Undefined for a system-level search (`GET [base]?...`). */
  resourceType?: string;
  /** `_type` (search.html#type): the types of a system search. */
  types?: string[];
  /** AND-ed (each repetition of a parameter is its own filter). */
  filters: Filter[];
  sort: SortRule[];
  count: number;
  offset: number;
  total: 'none' | 'estimate' | 'accurate';
  summary?: 'true' | 'text' | 'data' | 'count' | 'false';
  elements?: string[];
  include: IncludeRule[];
  revinclude: IncludeRule[];
}

export type Filter = ParamFilter | ChainFilter | HasFilter;

/** `code[:modifier]=v1,v2`: the values are OR-ed (search.html#combining). */
export interface ParamFilter {
  kind: 'param';
  param: SearchParamDef;
  /** As written: `exact`, `not`, `missing`, a resource type for reference `:[type]`... */
  modifier?: string;
  values: FilterValue[];
}

/**
 * Forward chain `ref[:Type].rest=v` (search.html#chaining): resources whose `param` references a resource of
 * one of the target types that matches `filter`. Several targets (no `:Type` and several types having the
 * chained parameter) are OR-ed.
 */
export interface ChainFilter {
  kind: 'chain';
  param: SearchParamDef;
  targets: Array<{ type: string; filter: Filter }>;
}

/**
 * Reverse chain `_has:SourceType:param:rest=v` (search.html#has): resources referenced through `param` by at
 * least one `sourceType` resource that matches `filter`. Nestable.
 */
export interface HasFilter {
  kind: 'has';
  sourceType: string;
  /** The reference parameter of `sourceType` that points back at the searched resource. */
  param: SearchParamDef;
  filter: Filter;
}

export type FilterValue =
  | MissingValue
  | TokenValue
  | StringValue
  | DateValue
  | NumberValue
  | QuantityValue
  | UriValue
  | ReferenceValue
  | CompositeValue
  | SpecialValue;

/** `:missing=true|false` (search.html#missing). */
export interface MissingValue {
  kind: 'missing';
  missing: boolean;
}

/**
 * search.html#token. `system`: undefined = any system, null = no system (`|code`), string = that system.
 * `code` undefined with a system = any code in that system (`system|`). `:text` sets `text` only; `:of-type`
 * sets typeSystem/typeCode and `code` (the identifier value).
 */
export interface TokenValue {
  kind: 'token';
  system?: string | null;
  code?: string;
  text?: string;
  typeSystem?: string;
  typeCode?: string;
}

/** search.html#string. Unescaped, as sent; the modifier says starts-with (none), `exact` or `contains`. */
export interface StringValue {
  kind: 'string';
  value: string;
}

/** search.html#date. The value's own range [start, end) as in extraction; the prefix says how to compare. */
export interface DateValue {
  kind: 'date';
  prefix: Prefix;
  start: string;
  end: string;
}

/** search.html#number. [low, high) from the precision of the value as written. */
export interface NumberValue {
  kind: 'number';
  prefix: Prefix;
  value: number;
  low: number;
  high: number;
}

/**
 * search.html#quantity. `5.4|http://unitsofmeasure.org|mg` sets system and code; `5.4||mg` sets only code,
 * which then matches Quantity.code or Quantity.unit; `5.4` matches any unit.
 */
export interface QuantityValue {
  kind: 'quantity';
  prefix: Prefix;
  value: number;
  low: number;
  high: number;
  system?: string;
  code?: string;
}

/** search.html#uri; the modifier may be `above` or `below`. */
export interface UriValue {
  kind: 'uri';
  value: string;
}

/**
 * search.html#reference. `Type/id` sets reference, type and id; a bare `id` sets only `id` (any type) unless
 * the parameter has a single target type or a `:Type` modifier; an absolute URL sets `reference` (plus
 * type/id when it ends in `Type/id`, and `version` for `url|version`); `:identifier` sets `identifier`.
 */
export interface ReferenceValue {
  kind: 'reference';
  reference?: string;
  type?: string;
  id?: string;
  version?: string;
  identifier?: { system?: string; value?: string };
}

/** search.html#composite: one value per component, in the parameter's component order. */
export interface CompositeValue {
  kind: 'composite';
  components: FilterValue[];
}

/** Parameters of type `special` (`_list`, Location `near`): the unescaped text, for the query layer to interpret. */
export interface SpecialValue {
  kind: 'special';
  value: string;
}

export interface SortRule {
  code: string;
  descending: boolean;
  param: SearchParamDef;
}

/** `_include` / `_revinclude` (search.html#include). `param` is a parameter code or `*`. */
export interface IncludeRule {
  sourceType: string;
  param: string;
  targetType?: string;
  iterate: boolean;
}
