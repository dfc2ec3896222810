import type { Filter, ParamFilter } from '@confide/fhir';
import { isOperationOutcomeError, isResourceType, parseSearchRequest, splitUnescaped } from '@confide/fhir';

/**
 * SMART App Launch 2.0 scopes (https://hl7.org/fhir/smart-app-launch/STU2/scopes-and-launch-context.html):
 *
 *   resource scope  ( patient | user | system ) / ( ResourceType | * ) . permissions [ ? query ]
 *   v2 permissions  one or more of c r u d s, in that order, each at most once
 *   v1 permissions  read (= rs), write (= cud), * (= cruds); v1 scopes take no query
 *   query           granular scope: FHIR search parameters `name=value&...` (e.g. `category=system|code`)
 *
 * plus the identity and launch scopes `openid`, `fhirUser`, `profile`, `launch`, `launch/patient`,
 * `launch/encounter`, `offline_access`, `online_access`. Scopes are case-sensitive.
 */

export type ScopeContext = 'patient' | 'user' | 'system';
/** SMART v2 permissions: create, read, update, delete, search. */
export type ScopePermission = 'c' | 'r' | 'u' | 'd' | 's';
export const PERMISSION_ORDER: readonly ScopePermission[] = ['c', 'r', 'u', 'd', 's'];

export const SPECIAL_SCOPES = ['openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', 'online_access'] as const;
export type SpecialScopeName = (typeof SPECIAL_SCOPES)[number];

/** A scope for FHIR resources, normalized: v1 and v2 spellings of the same grant are equal. */
export interface ResourceScope {
  kind: 'resource';
  /** As written. */
  text: string;
  /** Which syntax it was written in. */
  version: 1 | 2;
  context: ScopeContext;
  /** A resource type, or `*` for every type. */
  resourceType: string;
  /** The permitted interactions, v1 mapped to v2: read = r s, write = c u d, * = c r u d s. */
  interactions: ReadonlySet<ScopePermission>;
  /** Granular scope (`?param=value`): only resources that match it. */
  query?: ScopeQuery;
}

export interface ScopeQuery {
  /** The parameters, percent-decoded, in order. */
  params: ReadonlyArray<readonly [string, string]>;
  /**
   * Parsed with `parseSearchRequest` for `resourceType`; for `*` against the Resource-level parameters (use
   * `scopeFilters(scope, type)` to get them for a concrete type).
   */
  filters: Filter[];
}

export interface SpecialScope {
  kind: 'special';
  name: SpecialScopeName;
  text: string;
}

export type Scope = ResourceScope | SpecialScope;

/** A malformed or unsupported scope. `scope` is the offending scope as written (OAuth `invalid_scope`). */
export class ScopeError extends Error {
  readonly scope: string;

  constructor(scope: string, message: string) {
    super(`Invalid scope '${scope}': ${message}`);
    this.name = 'ScopeError';
    this.scope = scope;
  }
}

const CONTEXTS: readonly ScopeContext[] = ['patient', 'user', 'system'];
const V1: Record<string, ScopePermission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };

/** Result and control parameters: they say how to answer a search, not which resources, so they have no place in a scope. */
const RESULT_PARAMS = new Set([
  '_sort',
  '_count',
  '_offset',
  '_total',
  '_summary',
  '_elements',
  '_include',
  '_revinclude',
  '_contained',
  '_containedType',
  '_type',
  '_format',
  '_pretty',
]);

/**
 * What a granular scope may filter on: what the store compiles to SQL *and* `matchesRestriction` can check on a
 * resource in memory (so that writes are held to the same scope as reads). Parameter type → allowed modifiers
 * (`''` = none; `missing` is allowed for all; reference `:[type]` is allowed too).
 */
const SCOPE_MODIFIERS: Partial<Record<string, readonly string[]>> = {
  token: ['', 'not', 'text', 'of-type'],
  reference: ['', 'identifier'],
  string: ['', 'exact', 'contains'],
  uri: ['', 'below', 'above'],
};
const UNINDEXED = new Set(['_text', '_content', '_list']);

/** Parses one scope. Throws ScopeError with a message that says what is wrong. */
export function parseScope(text: string): Scope {
  if (text === '') throw new ScopeError(text, 'empty scope');
  if (/\s/.test(text)) throw new ScopeError(text, 'a scope cannot contain white space (scopes are separated by spaces)');
  if ((SPECIAL_SCOPES as readonly string[]).includes(text)) return { kind: 'special', name: text as SpecialScopeName, text };

  const slash = text.indexOf('/');
  if (slash < 0) {
    if (text.includes('.')) throw new ScopeError(text, 'a resource scope needs a context: patient/, user/ or system/ (e.g. user/*.rs)');
    throw new ScopeError(text, `unknown scope (expected ${SPECIAL_SCOPES.join(', ')} or a resource scope such as patient/Observation.rs)`);
  }
  const context = text.slice(0, slash);
  if (context === 'launch') throw new ScopeError(text, 'unknown launch context (expected launch/patient or launch/encounter)');
  if (!(CONTEXTS as readonly string[]).includes(context)) {
    throw new ScopeError(text, `unknown context '${context}' (expected patient, user or system)`);
  }
  const rest = text.slice(slash + 1);
  const q = rest.indexOf('?');
  const body = q < 0 ? rest : rest.slice(0, q);
  const rawQuery = q < 0 ? undefined : rest.slice(q + 1);
  const dot = body.indexOf('.');
  if (dot < 0) throw new ScopeError(text, 'expected <ResourceType or *>.<permissions> after the context');
  const resourceType = body.slice(0, dot);
  const perms = body.slice(dot + 1);
  if (resourceType === '') throw new ScopeError(text, 'missing resource type (use * for all types)');
  if (resourceType !== '*' && !isResourceType(resourceType)) throw new ScopeError(text, `unknown resource type '${resourceType}'`);

  let version: 1 | 2;
  let permissions: ScopePermission[];
  const v1 = V1[perms];
  if (v1) {
    if (rawQuery !== undefined) throw new ScopeError(text, `SMART v1 permissions (.${perms}) take no query; use v2 permissions (e.g. .rs?…)`);
    version = 1;
    permissions = v1;
  } else {
    version = 2;
    permissions = parsePermissions(text, perms);
  }
  const scope: ResourceScope = { kind: 'resource', text, version, context: context as ScopeContext, resourceType, interactions: new Set(permissions) };
  if (rawQuery !== undefined) scope.query = parseScopeQuery(text, resourceType, rawQuery);
  return scope;
}

function parsePermissions(text: string, perms: string): ScopePermission[] {
  if (perms === '') throw new ScopeError(text, 'missing permissions (v2: one or more of c, r, u, d, s; v1: read, write or *)');
  const bad = [...perms].filter((ch) => !(PERMISSION_ORDER as readonly string[]).includes(ch));
  if (bad.length > 0) {
    throw new ScopeError(text, `unknown permission '${bad.join('')}' (v2: one or more of c, r, u, d, s; v1: read, write or *)`);
  }
  const out = [...perms] as ScopePermission[];
  for (let i = 1; i < out.length; i++) {
    if (PERMISSION_ORDER.indexOf(out[i]) <= PERMISSION_ORDER.indexOf(out[i - 1])) {
      throw new ScopeError(text, `permissions must be in the order c, r, u, d, s, each at most once (got '${perms}')`);
    }
  }
  return out;
}

function decode(text: string, part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ScopeError(text, `malformed percent-encoding in '${part}'`);
  }
}

function parseScopeQuery(text: string, resourceType: string, rawQuery: string): ScopeQuery {
  if (rawQuery === '') throw new ScopeError(text, 'empty query after ?');
  const params: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ScopeError(text, `expected name=value in the query, got '${part}'`);
    const name = decode(text, part.slice(0, eq));
    const value = decode(text, part.slice(eq + 1));
    if (value === '') throw new ScopeError(text, `empty value for ${name}`);
    const code = name.split(':')[0];
    if (RESULT_PARAMS.has(code)) throw new ScopeError(text, `${code} is a result parameter; a scope query may only filter`);
    if (name.startsWith('_has:') || name.includes('.')) {
      throw new ScopeError(text, `chained and _has parameters are not supported in scopes (${name})`);
    }
    if (UNINDEXED.has(code)) throw new ScopeError(text, `${code} is not supported in scopes`);
    params.push([name, value]);
  }
  return { params, filters: filtersFor(text, resourceType === '*' ? undefined : resourceType, params) };
}

/** Parses scope query params for a type (undefined: Resource-level parameters); throws ScopeError. */
function filtersFor(text: string, resourceType: string | undefined, params: ReadonlyArray<readonly [string, string]>): Filter[] {
  let filters: Filter[];
  try {
    filters = parseSearchRequest(resourceType, params.map(([n, v]) => [n, v] as [string, string])).request.filters;
  } catch (e) {
    if (isOperationOutcomeError(e)) throw new ScopeError(text, e.message);
    throw e;
  }
  for (const f of filters) checkScopeFilter(text, f);
  return filters;
}

function checkScopeFilter(text: string, f: Filter): asserts f is ParamFilter {
  if (f.kind !== 'param') throw new ScopeError(text, 'chained and _has parameters are not supported in scopes');
  const allowed = SCOPE_MODIFIERS[f.param.type];
  if (!allowed) {
    throw new ScopeError(text, `${f.param.code} is a ${f.param.type} parameter; scopes support token, reference, string and uri parameters`);
  }
  const m = f.modifier;
  if (m === undefined || m === 'missing' || allowed.includes(m) || (f.param.type === 'reference' && isResourceType(m))) return;
  throw new ScopeError(text, `modifier :${m} is not supported in scopes`);
}

const perType = new WeakMap<ResourceScope, Map<string, Filter[] | null>>();

/**
 * The filters of a granular scope for one concrete type: the scope's own for a typed scope, the query parsed
 * for `resourceType` for a `*` scope. Null when the query does not apply to that type (a `*` scope whose
 * parameter the type lacks): then the scope grants nothing on it. Empty without a query.
 */
export function scopeFilters(scope: ResourceScope, resourceType: string): Filter[] | null {
  if (!scope.query) return [];
  if (scope.resourceType !== '*') return scope.resourceType === resourceType ? scope.query.filters : null;
  let cache = perType.get(scope);
  if (!cache) perType.set(scope, (cache = new Map()));
  let filters = cache.get(resourceType);
  if (filters === undefined) {
    try {
      filters = filtersFor(scope.text, resourceType, scope.query.params);
    } catch (e) {
      if (!(e instanceof ScopeError)) throw e;
      filters = null;
    }
    cache.set(resourceType, filters);
  }
  return filters;
}

/** Parses a space-separated scope string (or a list); throws ScopeError on the first bad scope. Duplicates are dropped. */
export function parseScopes(scopes: string | readonly string[]): Scope[] {
  const seen = new Set<string>();
  const out: Scope[] = [];
  for (const s of splitScopes(scopes)) {
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(parseScope(s));
  }
  return out;
}

/**
 * Like parseScopes, but keeps going: the valid scopes, and the rejected ones with the reason. For an
 * authorization endpoint that grants what it can (OAuth lets the server grant fewer scopes than requested).
 */
export function parseScopesLenient(scopes: string | readonly string[]): { scopes: Scope[]; rejected: ScopeError[] } {
  const seen = new Set<string>();
  const out: Scope[] = [];
  const rejected: ScopeError[] = [];
  for (const s of splitScopes(scopes)) {
    if (seen.has(s)) continue;
    seen.add(s);
    try {
      out.push(parseScope(s));
    } catch (e) {
      if (!(e instanceof ScopeError)) throw e;
      rejected.push(e);
    }
  }
  return { scopes: out, rejected };
}

function splitScopes(scopes: string | readonly string[]): string[] {
  return typeof scopes === 'string' ? scopes.split(' ').filter((s) => s !== '') : [...scopes];
}

/** Percent-encodes what would break a scope query apart: `%`, `&`, `=`, `#`, `+` and white space. */
function encodeQueryPart(s: string): string {
  return s.replace(/[%&=#+\s]/g, (ch) => encodeURIComponent(ch));
}

/** The canonical (v2) text of a scope: `patient/*.read` → `patient/*.rs`. */
export function formatScope(scope: Scope): string {
  if (scope.kind === 'special') return scope.name;
  const perms = PERMISSION_ORDER.filter((p) => scope.interactions.has(p)).join('');
  const query = scope.query ? '?' + scope.query.params.map(([n, v]) => `${encodeQueryPart(n)}=${encodeQueryPart(v)}`).join('&') : '';
  return `${scope.context}/${scope.resourceType}.${perms}${query}`;
}

/**
 * Whether `requested` grants nothing beyond `granted` (a refresh token request, a token exchange, an app asking
 * again): every identity/launch scope requested is granted, and every permission of every requested resource
 * scope is covered by a granted scope of the same context, for the same type or `*`, whose query (if any) is no
 * narrower. A query is compared syntactically: the granted query's every parameter must appear in the requested
 * query with a subset of its comma-separated values — `category=a` is within `category=a,b`, and adding
 * parameters narrows. Equivalent queries written differently may be judged not a subset (never the reverse).
 */
export function isScopeSubset(requested: string | readonly Scope[], granted: string | readonly Scope[]): boolean {
  const req = typeof requested === 'string' ? parseScopes(requested) : requested;
  const gr = typeof granted === 'string' ? parseScopes(granted) : granted;
  const specials = new Set(gr.filter((s): s is SpecialScope => s.kind === 'special').map((s) => s.name));
  const resources = gr.filter((s): s is ResourceScope => s.kind === 'resource');
  return req.every((r) => {
    if (r.kind === 'special') return specials.has(r.name);
    return [...r.interactions].every((p) => resources.some((g) => covers(g, r, p)));
  });
}

function covers(g: ResourceScope, r: ResourceScope, p: ScopePermission): boolean {
  if (g.context !== r.context || !g.interactions.has(p)) return false;
  if (g.resourceType !== '*' && g.resourceType !== r.resourceType) return false;
  if (!g.query) return true;
  if (!r.query) return false;
  const rq = r.query;
  return g.query.params.every(([name, value]) => {
    const allowed = new Set(splitUnescaped(value, ','));
    return rq.params.some(([n, v]) => n === name && splitUnescaped(v, ',').every((x) => allowed.has(x)));
  });
}
