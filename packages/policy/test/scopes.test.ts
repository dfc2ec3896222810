import { describe, expect, it } from 'vitest';
import {
  formatScope,
  parseScope,
  parseScopes,
  parseScopesLenient,
  PERMISSION_ORDER,
  scopeFilters,
  ScopeError,
  type ResourceScope,
} from '../src/index.ts';

const LAB = 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory';

function resource(text: string): ResourceScope {
  const s = parseScope(text);
  if (s.kind !== 'resource') throw new Error(`expected a resource scope: ${text}`);
  return s;
}

function perms(s: ResourceScope): string {
  return PERMISSION_ORDER.filter((p) => s.interactions.has(p)).join('');
}

type Valid = [text: string, context: string, type: string, interactions: string, version: 1 | 2, query?: Array<[string, string]>];

describe('parseScope: resource scopes', () => {
  it.each<Valid>([
    // SMART v2
    ['patient/Observation.rs', 'patient', 'Observation', 'rs', 2],
    ['user/*.cruds', 'user', '*', 'cruds', 2],
    ['system/Patient.r', 'system', 'Patient', 'r', 2],
    ['user/Observation.c', 'user', 'Observation', 'c', 2],
    ['patient/Condition.s', 'patient', 'Condition', 's', 2],
    ['user/Encounter.cud', 'user', 'Encounter', 'cud', 2],
    ['system/*.d', 'system', '*', 'd', 2],
    // granular (v2 only)
    [`patient/Observation.rs?category=${LAB}`, 'patient', 'Observation', 'rs', 2, [['category', LAB]]],
    [
      'patient/Observation.rs?category=http%3A%2F%2Fterminology.hl7.org%2FCodeSystem%2Fobservation-category%7Claboratory',
      'patient',
      'Observation',
      'rs',
      2,
      [['category', LAB]],
    ],
    [
      'patient/Condition.rs?category=problem-list-item&clinical-status=active',
      'patient',
      'Condition',
      'rs',
      2,
      [
        ['category', 'problem-list-item'],
        ['clinical-status', 'active'],
      ],
    ],
    ['user/Observation.rs?code=http://loinc.org|8867-4,http://loinc.org|8480-6', 'user', 'Observation', 'rs', 2, [['code', 'http://loinc.org|8867-4,http://loinc.org|8480-6']]],
    ['user/Observation.rs?subject:Patient=123', 'user', 'Observation', 'rs', 2, [['subject:Patient', '123']]],
    ['user/Observation.rs?category:not=social-history', 'user', 'Observation', 'rs', 2, [['category:not', 'social-history']]],
    ['user/Patient.rs?name=M%C3%BCller', 'user', 'Patient', 'rs', 2, [['name', 'Müller']]],
    ['user/Patient.rs?general-practitioner:missing=false', 'user', 'Patient', 'rs', 2, [['general-practitioner:missing', 'false']]],
    ['user/Questionnaire.rs?url:below=http://example.org/q', 'user', 'Questionnaire', 'rs', 2, [['url:below', 'http://example.org/q']]],
    [
      'system/*.rs?_security:not=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R',
      'system',
      '*',
      'rs',
      2,
      [['_security:not', 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R']],
    ],
    // SMART v1: read = rs, write = cud, * = cruds
    ['patient/*.read', 'patient', '*', 'rs', 1],
    ['user/Observation.write', 'user', 'Observation', 'cud', 1],
    ['user/*.*', 'user', '*', 'cruds', 1],
    ['patient/*.*', 'patient', '*', 'cruds', 1],
    ['system/Patient.read', 'system', 'Patient', 'rs', 1],
  ])('%s', (text, context, type, interactions, version, query) => {
    const s = resource(text);
    expect(s.context).toBe(context);
    expect(s.resourceType).toBe(type);
    expect(perms(s)).toBe(interactions);
    expect(s.version).toBe(version);
    expect(s.text).toBe(text);
    if (query) {
      expect(s.query?.params).toEqual(query);
      expect(s.query?.filters).toHaveLength(query.length);
    } else {
      expect(s.query).toBeUndefined();
    }
  });

  it('parses a granular query into the same typed filters a search would have', () => {
    const s = resource(`patient/Observation.rs?category=${LAB}`);
    const f = s.query?.filters[0];
    expect(f?.kind).toBe('param');
    if (f?.kind !== 'param') return;
    expect(f.param.code).toBe('category');
    expect(f.param.resourceType).toBe('Observation');
    expect(f.values).toEqual([{ kind: 'token', system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }]);
  });
});

describe('parseScope: identity and launch scopes', () => {
  it.each(['openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', 'online_access'])('%s', (text) => {
    expect(parseScope(text)).toEqual({ kind: 'special', name: text, text });
  });
});

describe('parseScope: malformed scopes are rejected with a clear error', () => {
  it.each<[text: string, message: RegExp]>([
    ['', /empty scope/],
    ['*.*', /needs a context: patient\/, user\/ or system\//],
    ['foo', /unknown scope/],
    ['OpenID', /unknown scope/],
    ['Patient/Observation.rs', /unknown context 'Patient'/],
    ['practitioner/Observation.rs', /unknown context 'practitioner'/],
    ['launch/practitioner', /unknown launch context/],
    ['patient/Observation', /expected <ResourceType or \*>\.<permissions>/],
    ['patient/Observatio.rs', /unknown resource type 'Observatio'/],
    ['patient/observation.rs', /unknown resource type 'observation'/],
    ['patient/.rs', /missing resource type/],
    ['patient/Observation.', /missing permissions/],
    ['patient/Observation.rx', /unknown permission 'x'/],
    ['patient/Observation.READ', /unknown permission/],
    ['patient/Observation.sr', /order c, r, u, d, s/],
    ['patient/Observation.rrs', /order c, r, u, d, s/],
    ['user/*.dc', /order c, r, u, d, s/],
    ['patient/Observation.read?category=laboratory', /v1 permissions \(\.read\) take no query/],
    ['patient/Observation.rs?', /empty query/],
    ['patient/Observation.rs?category', /expected name=value/],
    ['patient/Observation.rs?=laboratory', /expected name=value/],
    ['patient/Observation.rs?category=', /empty value for category/],
    ['patient/Observation.rs?category=%E0%A4%A', /malformed percent-encoding/],
    ['patient/Observation.rs?foo=bar', /Unknown search parameter 'foo' for Observation/],
    ['patient/Observation.rs?_count=10', /_count is a result parameter/],
    ['patient/Observation.rs?_include=Observation:subject', /_include is a result parameter/],
    ['patient/Observation.rs?subject.name=smith', /chained and _has parameters are not supported/],
    ['patient/Patient.rs?_has:Observation:subject:code=1234-5', /chained and _has parameters are not supported/],
    ['patient/Observation.rs?date=ge2020', /date parameter; scopes support token, reference, string and uri/],
    ['patient/Observation.rs?value-quantity=5', /quantity parameter/],
    ['patient/Observation.rs?code:in=http://example.org/vs', /:in is not supported/],
    ['patient/Observation.rs?category:bogus=laboratory', /Modifier :bogus is not valid/],
    ['patient/Observation.rs?subject:missing=maybe', /:missing takes true or false/],
    ['patient/Observation.rs?_text=anemia', /_text is not supported in scopes/],
    ['user/*.rs?category=laboratory', /Unknown search parameter 'category'/],
    ['patient/Observation.rs category', /white space/],
  ])('%j', (text, message) => {
    let error: unknown;
    try {
      parseScope(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScopeError);
    expect((error as ScopeError).scope).toBe(text);
    expect((error as ScopeError).message).toMatch(message);
  });
});

describe('parseScopes', () => {
  it('splits on spaces, drops duplicates and empty tokens', () => {
    const scopes = parseScopes('openid  fhirUser patient/*.rs openid');
    expect(scopes.map((s) => s.text)).toEqual(['openid', 'fhirUser', 'patient/*.rs']);
    expect(parseScopes(['launch', 'user/Patient.r']).map((s) => s.text)).toEqual(['launch', 'user/Patient.r']);
    expect(parseScopes('')).toEqual([]);
  });

  it('throws on the first bad scope', () => {
    expect(() => parseScopes('openid patient/Foo.rs user/*.rs')).toThrow(/Invalid scope 'patient\/Foo\.rs': unknown resource type 'Foo'/);
  });

  it('lenient: keeps the valid scopes and reports the others', () => {
    const { scopes, rejected } = parseScopesLenient('openid patient/Foo.rs user/*.rs bogus');
    expect(scopes.map((s) => s.text)).toEqual(['openid', 'user/*.rs']);
    expect(rejected.map((e) => e.scope)).toEqual(['patient/Foo.rs', 'bogus']);
  });
});

describe('formatScope: canonical v2 text', () => {
  it.each([
    ['patient/*.read', 'patient/*.rs'],
    ['user/Observation.write', 'user/Observation.cud'],
    ['user/*.*', 'user/*.cruds'],
    ['system/Patient.rs', 'system/Patient.rs'],
    ['openid', 'openid'],
    [`patient/Observation.rs?category=${LAB}`, `patient/Observation.rs?category=${LAB}`],
    ['user/Patient.rs?name=a%26b', 'user/Patient.rs?name=a%26b'],
  ])('%s → %s', (text, canonical) => {
    expect(formatScope(parseScope(text))).toBe(canonical);
    // The canonical text parses to the same grant.
    const again = parseScope(canonical);
    const first = parseScope(text);
    if (first.kind === 'resource' && again.kind === 'resource') {
      expect(perms(again)).toBe(perms(first));
      expect(again.query?.params).toEqual(first.query?.params);
    }
  });
});

describe('scopeFilters', () => {
  it('a typed scope applies only to its type', () => {
    const s = resource(`patient/Observation.rs?category=${LAB}`);
    expect(scopeFilters(s, 'Observation')).toHaveLength(1);
    expect(scopeFilters(s, 'Condition')).toBeNull();
  });

  it('a * scope is parsed for each concrete type', () => {
    const s = resource('patient/*.rs?_security:not=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R');
    const forObs = scopeFilters(s, 'Observation');
    const forCond = scopeFilters(s, 'Condition');
    expect(forObs?.[0]?.kind === 'param' && forObs[0].param.resourceType).toBe('Observation');
    expect(forCond?.[0]?.kind === 'param' && forCond[0].param.resourceType).toBe('Condition');
    expect(scopeFilters(s, 'Observation')).toBe(forObs); // cached
  });

  it('no query: no filters', () => {
    expect(scopeFilters(resource('user/*.rs'), 'Patient')).toEqual([]);
  });
});
