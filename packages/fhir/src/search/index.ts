/** FHIR R4 search, the pure half: parameter definitions, index-value extraction, request parsing. See README.md. */
export { ALL_PREFIXES, columnNameFor, searchParameter, searchParameters } from './parameters.ts';
export type { Prefix, SearchParamComponent, SearchParamDef, SearchParamType, SpecialKind } from './parameters.ts';
export type {
  CompositeIndexValue,
  DateIndexValue,
  IndexValue,
  NumberIndexValue,
  QuantityIndexValue,
  ReferenceIndexValue,
  StringIndexValue,
  TokenIndexValue,
  UriIndexValue,
} from './index-value.ts';
export { normalizeString } from './normalize-string.ts';
export { dateRange, type InstantRange } from './fhir-date.ts';
export { decimalRange, type DecimalRange } from './fhir-number.ts';
export { parseReference, type ReferenceParts } from './reference-parts.ts';
export { compileParam, extractionDiagnostics, extractSearchValues, isExtracted } from './extract.ts';
export type { FallbackReport, UnconvertedReport } from './extract.ts';
export { setFhirPathFallback, useMedplumFhirPathFallback, type FhirPathEvaluator } from './fhirpath-fallback.ts';
export { parseSearchRequest, type ParseOptions, type ParseResult } from './parse.ts';
export { checkModifier, parseFilterValue, SearchValueError } from './parse-value.ts';
export { splitUnescaped, unescapeValue } from './escape.ts';
export type {
  ChainFilter,
  CompositeValue,
  DateValue,
  Filter,
  FilterValue,
  HasFilter,
  IncludeRule,
  MissingValue,
  NumberValue,
  ParamFilter,
  QuantityValue,
  ReferenceValue,
  SearchRequest,
  SortRule,
  SpecialValue,
  StringValue,
  TokenValue,
  UriValue,
} from './search-request.ts';
