import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { errors, isResourceType, parseSearchRequest } from '@confide/fhir';

/**
 * The parameters of a bulk export kick-off request (FHIR Bulk Data Access STU2, export.html#query-parameters), as
 * a job keeps them. Pure: no I/O; what the caller may export is decided when the job is created (bulk-export.ts).
 */
export interface KickOffParams {
  /** `[base]/$export`, `[base]/Patient/$export`, `[base]/Group/[id]/$export` (export.html#endpoint). */
  level: 'system' | 'patient' | 'group';
  /** `_type`, in the order given, without repeats; undefined: every type the caller may export. */
  types?: string[];
  /** `_since` as an ISO instant. */
  since?: string;
  /** `_typeFilter` queries by type (`Observation` → [`category=laboratory`]); a resource must match one of its type's. */
  typeFilters: Record<string, string[]>;
  /** `patient` (POST, Patient- and Group-level only): bare Patient ids. */
  patients?: string[];
}

/** `_outputFormat` values the server accepts (export.html#query-parameters: all three mean NDJSON). */
export const OUTPUT_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];

const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/;
const PATIENT_REF = /^Patient\/([A-Za-z0-9\-.]{1,64})$/;
/** Search result parameters (search.html#return) that make no sense in a `_typeFilter`: only filters do. */
const RESULT_PARAMS = new Set(['_count', '_offset', '_sort', '_total', '_include', '_revinclude', '_summary', '_elements', '_contained', '_containedType', '_format', '_pretty', '_cursor']);
/** Optional parameters of export.html this server does not implement. */
const UNSUPPORTED = new Set(['_elements', 'includeAssociatedData']);

const notSupported = (text: string, expression: string) => errors.invalid([{ severity: 'error', code: 'not-supported', details: { text }, expression: [expression] }]);

/**
 * The kick-off request's parameters as [name, value] pairs: the query string (GET, or POST with a form body), and,
 * for POST, a `Parameters` body (export.html: "the parameters … as a FHIR Parameters resource in the body").
 */
export function kickOffPairs(method: string, query: URLSearchParams, body: unknown): Array<[string, string]> {
  const pairs: Array<[string, string]> = [...query.entries()];
  if (method !== 'POST' || body === undefined) return pairs;
  const b = body as { resourceType?: unknown; parameter?: unknown };
  if (b.resourceType !== 'Parameters') throw errors.badRequest('The body of a POST $export must be a Parameters resource', 'resourceType');
  if (b.parameter !== undefined && !Array.isArray(b.parameter)) throw errors.badRequest('Parameters.parameter must be an array', 'Parameters.parameter');
  ((b.parameter ?? []) as Array<Record<string, unknown>>).forEach((p, i) => {
    const at = `Parameters.parameter[${i}]`;
    if (typeof p?.name !== 'string') throw errors.badRequest('Every parameter needs a name', `${at}.name`);
    const value = p.valueString ?? p.valueInstant ?? p.valueCode ?? p.valueUri ?? (p.valueReference as { reference?: unknown } | undefined)?.reference;
    if (typeof value !== 'string') throw errors.badRequest(`Parameter ${p.name} needs a value (valueString, valueInstant, valueCode or valueReference)`, `${at}.value[x]`);
    pairs.push([p.name, value]);
  });
  return pairs;
}

/**
 * Parses and checks a kick-off request's parameters (export.html#query-parameters). Unknown, malformed and
 * unsupported parameters are a 400 OperationOutcome naming the parameter in `expression`; with
 * `Prefer: handling=lenient` unknown and unsupported ones are ignored instead (export.html: "a server … SHOULD
 * ignore unsupported parameters when handling=lenient"), and returned as warnings.
 */
export function parseKickOff(
  level: KickOffParams['level'],
  pairs: Array<[string, string]>,
  options: { lenient?: boolean; method: string } = { method: 'GET' },
): { params: KickOffParams; warnings: OperationOutcomeIssue[] } {
  const warnings: OperationOutcomeIssue[] = [];
  const params: KickOffParams = { level, typeFilters: {} };
  const filterTexts: string[] = [];
  const skip = (text: string, expression: string, code: 'not-supported' | 'invalid' = 'not-supported') => {
    if (!options.lenient) throw code === 'invalid' ? errors.badRequest(text, expression) : notSupported(text, expression);
    warnings.push({ severity: 'warning', code, details: { text: `${text}; ignored (handling=lenient)` }, expression: [expression] });
  };
  for (const [name, value] of pairs) {
    switch (name) {
      case '_outputFormat': {
        // A '+' in a query string decodes as a space: `application/fhir+ndjson` sent unencoded arrives so.
        const f = value.trim().replace(/ /g, '+');
        if (!OUTPUT_FORMATS.includes(f)) throw notSupported(`_outputFormat ${value} is not supported; use application/fhir+ndjson`, '_outputFormat');
        break;
      }
      case '_since':
        if (params.since !== undefined) throw errors.badRequest('_since may be given once', '_since');
        if (!INSTANT.test(value) || Number.isNaN(Date.parse(value))) throw errors.badRequest(`_since must be a FHIR instant: ${value}`, '_since');
        params.since = new Date(value).toISOString();
        break;
      case '_type':
        for (const t of value.split(',').map((s) => s.trim())) {
          if (!isResourceType(t)) throw errors.badRequest(`Unknown resource type in _type: ${t}`, '_type');
          params.types ??= [];
          if (!params.types.includes(t)) params.types.push(t);
        }
        break;
      case '_typeFilter':
        // A comma-separated list of queries; a comma inside a query is percent-encoded (export.html#_typefilter).
        filterTexts.push(...value.split(',').filter((s) => s.trim() !== ''));
        break;
      case 'patient': {
        if (level === 'system') throw errors.badRequest('patient is a parameter of Patient- and Group-level export only', 'patient');
        if (options.method !== 'POST') throw errors.badRequest('patient is accepted only in the Parameters body of a POST kick-off request', 'patient');
        const m = PATIENT_REF.exec(value.trim());
        if (!m) throw errors.badRequest(`patient must be a reference Patient/[id]: ${value}`, 'patient');
        params.patients ??= [];
        if (!params.patients.includes(m[1])) params.patients.push(m[1]);
        break;
      }
      default:
        if (UNSUPPORTED.has(name)) skip(`${name} is not supported by this server`, name);
        else skip(`Unknown $export parameter: ${name}`, name, 'invalid');
    }
  }
  for (const text of filterTexts) {
    const q = text.indexOf('?');
    const type = q < 0 ? text.trim() : text.slice(0, q).trim();
    if (!isResourceType(type) || q < 0) throw errors.badRequest(`_typeFilter must be [type]?[search parameters]: ${text}`, '_typeFilter');
    if (params.types && !params.types.includes(type)) throw errors.badRequest(`_typeFilter names ${type}, which _type does not include`, '_typeFilter');
    const query = text.slice(q + 1);
    checkTypeFilter(type, query);
    (params.typeFilters[type] ??= []).push(query);
  }
  return { params, warnings };
}

/** A `_typeFilter` query must be a search of its type with filters only (parsed strictly, as a search would be). */
export function checkTypeFilter(type: string, query: string): void {
  const search = new URLSearchParams(query);
  for (const key of search.keys()) {
    if (RESULT_PARAMS.has(key.split(':')[0])) throw errors.badRequest(`_typeFilter takes search filters only, not ${key}`, '_typeFilter');
  }
  try {
    parseSearchRequest(type, search);
  } catch (e) {
    const text = (e as { outcome?: { issue?: OperationOutcomeIssue[] } }).outcome?.issue?.[0]?.details?.text ?? 'invalid search';
    throw errors.badRequest(`_typeFilter ${type}?${query}: ${text}`, '_typeFilter');
  }
}
