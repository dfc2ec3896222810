import { describe, expect, it } from 'vitest';
import { OperationOutcomeError } from '../../src/outcome.ts';
import type { SearchParamDef } from '../../src/search/parameters.ts';
import { parseSearchRequest } from '../../src/search/parse.ts';
import { parseFilterValue, SearchValueError } from '../../src/search/parse-value.ts';
import type { Filter, FilterValue, ParamFilter } from '../../src/search/search-request.ts';

function parse(resourceType: string | undefined, query: string, lenient = false): ReturnType<typeof parseSearchRequest> {
  return parseSearchRequest(resourceType, new URLSearchParams(query), { lenient });
}

function only(resourceType: string | undefined, query: string): ParamFilter {
  const { request } = parse(resourceType, query);
  expect(request.filters).toHaveLength(1);
  const f = request.filters[0];
  if (f.kind !== 'param') throw new Error(`expected a param filter, got ${f.kind}`);
  return f;
}

function rejects(resourceType: string | undefined, query: string, message: string | RegExp, parameter: string): void {
  let error: unknown;
  try {
    parse(resourceType, query);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(OperationOutcomeError);
  const e = error as OperationOutcomeError;
  expect(e.status).toBe(400);
  expect(e.outcome.issue?.[0]?.details?.text).toMatch(message);
  expect(e.outcome.issue?.[0]?.expression).toEqual([parameter]);
}

type ValueCase = [query: string, modifier: string | undefined, values: FilterValue[]];

describe('parseSearchRequest: values per parameter type', () => {
  describe('token (search.html#token)', () => {
    it.each<ValueCase>([
      ['code=1234-5', undefined, [{ kind: 'token', code: '1234-5' }]],
      ['code=http://loinc.org|1234-5', undefined, [{ kind: 'token', system: 'http://loinc.org', code: '1234-5' }]],
      ['code=|1234-5', undefined, [{ kind: 'token', system: null, code: '1234-5' }]],
      ['code=http://loinc.org|', undefined, [{ kind: 'token', system: 'http://loinc.org' }]],
      ['code=a,http://s|b', undefined, [{ kind: 'token', code: 'a' }, { kind: 'token', system: 'http://s', code: 'b' }]],
      ['code=a\\,b', undefined, [{ kind: 'token', code: 'a,b' }]],
      ['code=s|a\\|b', undefined, [{ kind: 'token', system: 's', code: 'a|b' }]],
      ['code:not=http://loinc.org|1234-5', 'not', [{ kind: 'token', system: 'http://loinc.org', code: '1234-5' }]],
      ['code:text=Blood pressure', 'text', [{ kind: 'token', text: 'Blood pressure' }]],
      ['code:text=a|b', 'text', [{ kind: 'token', text: 'a|b' }]],
      ['identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|446053', 'of-type', [{ kind: 'token', typeSystem: 'http://terminology.hl7.org/CodeSystem/v2-0203', typeCode: 'MR', code: '446053' }]],
      ['identifier:of-type=|MR|446053', 'of-type', [{ kind: 'token', typeCode: 'MR', code: '446053' }]],
      ['code:missing=true', 'missing', [{ kind: 'missing', missing: true }]],
      ['status:missing=false', 'missing', [{ kind: 'missing', missing: false }]],
    ])('%s', (query, modifier, values) => {
      const f = only('Observation', query);
      expect(f.modifier).toBe(modifier);
      expect(f.values).toEqual(values);
    });

    it.each([
      ['code=a|b|c', /Invalid token/, 'code'],
      ['code=|', /Invalid token/, 'code'],
      ['identifier:of-type=MR|446053', /typeSystem\|typeCode\|value/, 'identifier:of-type'],
      ['identifier:of-type=s||446053', /typeSystem\|typeCode\|value/, 'identifier:of-type'],
      ['code:exact=x', /Modifier :exact is not valid for parameter code of type token/, 'code:exact'],
      ['code:in=http://hl7.org/fhir/ValueSet/x', /:in is not supported/, 'code:in'],
      ['code:not-in=http://hl7.org/fhir/ValueSet/x', /:not-in is not supported/, 'code:not-in'],
      ['code:below=http://snomed.info/sct|235862008', /:below is not supported/, 'code:below'],
      ['code:above=http://snomed.info/sct|235862008', /:above is not supported/, 'code:above'],
      ['code:missing=yes', /:missing takes true or false/, 'code:missing'],
      ['code:missing=true,false', /exactly one value/, 'code:missing'],
    ])('rejects %s', (query, message, parameter) => rejects('Observation', query, message, parameter));
  });

  describe('string (search.html#string)', () => {
    it.each<ValueCase>([
      ['name=Eve', undefined, [{ kind: 'string', value: 'Eve' }]],
      ['name:exact=Eve', 'exact', [{ kind: 'string', value: 'Eve' }]],
      ['name:contains=ev', 'contains', [{ kind: 'string', value: 'ev' }]],
      ['name=Smith\\, John,Doe', undefined, [{ kind: 'string', value: 'Smith, John' }, { kind: 'string', value: 'Doe' }]],
      ['name=a\\$b\\|c\\\\d', undefined, [{ kind: 'string', value: 'a$b|c\\d' }]],
      ['name:missing=true', 'missing', [{ kind: 'missing', missing: true }]],
    ])('%s', (query, modifier, values) => {
      const f = only('Patient', query);
      expect(f.modifier).toBe(modifier);
      expect(f.values).toEqual(values);
    });

    it.each([
      ['name:text=x', /:text is not valid for parameter name of type string/, 'name:text'],
      ['name:below=x', /:below is not valid/, 'name:below'],
      ['name:Patient=x', /:Patient is not valid/, 'name:Patient'],
    ])('rejects %s', (query, message, parameter) => rejects('Patient', query, message, parameter));
  });

  describe('date (search.html#date) with every prefix', () => {
    it.each<ValueCase>([
      ['birthdate=2024', undefined, [{ kind: 'date', prefix: 'eq', start: '2024-01-01T00:00:00.000Z', end: '2025-01-01T00:00:00.000Z' }]],
      ['birthdate=eq2024-02', undefined, [{ kind: 'date', prefix: 'eq', start: '2024-02-01T00:00:00.000Z', end: '2024-03-01T00:00:00.000Z' }]],
      ['birthdate=ne2024-02-29', undefined, [{ kind: 'date', prefix: 'ne', start: '2024-02-29T00:00:00.000Z', end: '2024-03-01T00:00:00.000Z' }]],
      ['birthdate=lt2024-01-01T10:00:00Z', undefined, [{ kind: 'date', prefix: 'lt', start: '2024-01-01T10:00:00.000Z', end: '2024-01-01T10:00:01.000Z' }]],
      ['birthdate=gt2024-01-01T10:00:00%2B02:00', undefined, [{ kind: 'date', prefix: 'gt', start: '2024-01-01T08:00:00.000Z', end: '2024-01-01T08:00:01.000Z' }]],
      ['birthdate=le2024-01-01T10:00:00+02:00', undefined, [{ kind: 'date', prefix: 'le', start: '2024-01-01T08:00:00.000Z', end: '2024-01-01T08:00:01.000Z' }]],
      ['birthdate=ge2024-01-01T10:00:00-05:00', undefined, [{ kind: 'date', prefix: 'ge', start: '2024-01-01T15:00:00.000Z', end: '2024-01-01T15:00:01.000Z' }]],
      ['birthdate=sa2024-01-01T10:00', undefined, [{ kind: 'date', prefix: 'sa', start: '2024-01-01T10:00:00.000Z', end: '2024-01-01T10:01:00.000Z' }]],
      ['birthdate=eb2024-01-01T10:00:00.123Z', undefined, [{ kind: 'date', prefix: 'eb', start: '2024-01-01T10:00:00.123Z', end: '2024-01-01T10:00:00.124Z' }]],
      ['birthdate=ap2024-06', undefined, [{ kind: 'date', prefix: 'ap', start: '2024-06-01T00:00:00.000Z', end: '2024-07-01T00:00:00.000Z' }]],
      ['birthdate=ge2020,lt2000', undefined, [{ kind: 'date', prefix: 'ge', start: '2020-01-01T00:00:00.000Z', end: '2021-01-01T00:00:00.000Z' }, { kind: 'date', prefix: 'lt', start: '2000-01-01T00:00:00.000Z', end: '2001-01-01T00:00:00.000Z' }]],
      ['_lastUpdated=gt2024-05-01T00:00:00Z', undefined, [{ kind: 'date', prefix: 'gt', start: '2024-05-01T00:00:00.000Z', end: '2024-05-01T00:00:01.000Z' }]],
    ])('%s', (query, modifier, values) => {
      const f = only('Patient', query);
      expect(f.modifier).toBe(modifier);
      expect(f.values).toEqual(values);
    });

    it.each([
      ['birthdate=2024-13', /Invalid date/, 'birthdate'],
      ['birthdate=2023-02-29', /Invalid date/, 'birthdate'],
      ['birthdate=ge24', /Invalid date/, 'birthdate'],
      ['birthdate=yesterday', /Unknown prefix 'ye'/, 'birthdate'],
      ['birthdate=xx2024', /Unknown prefix 'xx'/, 'birthdate'],
      ['birthdate=2024-01-01T10:00:00+25:00', /Invalid date/, 'birthdate'],
      ['birthdate:exact=2024', /:exact is not valid for parameter birthdate of type date/, 'birthdate:exact'],
      ['birthdate:not=2024', /:not is not valid/, 'birthdate:not'],
    ])('rejects %s', (query, message, parameter) => rejects('Patient', query, message, parameter));
  });

  describe('number (search.html#number)', () => {
    it.each<ValueCase>([
      ['probability=0.8', undefined, [{ kind: 'number', prefix: 'eq', value: 0.8, low: 0.75, high: 0.85 }]],
      ['probability=100', undefined, [{ kind: 'number', prefix: 'eq', value: 100, low: 99.5, high: 100.5 }]],
      ['probability=100.00', undefined, [{ kind: 'number', prefix: 'eq', value: 100, low: 99.995, high: 100.005 }]],
      ['probability=1e2', undefined, [{ kind: 'number', prefix: 'eq', value: 100, low: 50, high: 150 }]],
      ['probability=gt0.5', undefined, [{ kind: 'number', prefix: 'gt', value: 0.5, low: 0.45, high: 0.55 }]],
      ['probability=lt-1', undefined, [{ kind: 'number', prefix: 'lt', value: -1, low: -1.5, high: -0.5 }]],
      ['probability=ap0.5', undefined, [{ kind: 'number', prefix: 'ap', value: 0.5, low: 0.45, high: 0.55 }]],
    ])('%s', (query, modifier, values) => {
      const f = only('RiskAssessment', query);
      expect(f.modifier).toBe(modifier);
      expect(f.values).toEqual(values);
    });

    it.each([
      ['probability=abc', /Unknown prefix 'ab'/, 'probability'],
      ['probability=1.2.3', /Invalid number/, 'probability'],
      ['probability=gt', /Invalid number/, 'probability'],
      ['probability=5|mg', /Invalid number/, 'probability'],
      ['probability:contains=1', /:contains is not valid/, 'probability:contains'],
    ])('rejects %s', (query, message, parameter) => rejects('RiskAssessment', query, message, parameter));
  });

  describe('quantity (search.html#quantity)', () => {
    it.each<ValueCase>([
      ['value-quantity=5.4|http://unitsofmeasure.org|mg', undefined, [{ kind: 'quantity', prefix: 'eq', value: 5.4, low: 5.35, high: 5.45, system: 'http://unitsofmeasure.org', code: 'mg' }]],
      ['value-quantity=5.4||mg', undefined, [{ kind: 'quantity', prefix: 'eq', value: 5.4, low: 5.35, high: 5.45, code: 'mg' }]],
      ['value-quantity=5.4', undefined, [{ kind: 'quantity', prefix: 'eq', value: 5.4, low: 5.35, high: 5.45 }]],
      ['value-quantity=le5.4|http://unitsofmeasure.org|mm[Hg]', undefined, [{ kind: 'quantity', prefix: 'le', value: 5.4, low: 5.35, high: 5.45, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }]],
      ['value-quantity=ap1e2||a\\|b', undefined, [{ kind: 'quantity', prefix: 'ap', value: 100, low: 50, high: 150, code: 'a|b' }]],
    ])('%s', (query, modifier, values) => {
      const f = only('Observation', query);
      expect(f.modifier).toBe(modifier);
      expect(f.values).toEqual(values);
    });

    it.each([
      ['value-quantity=5.4|mg', /Invalid quantity/, 'value-quantity'],
      ['value-quantity=5.4|a|b|c', /Invalid quantity/, 'value-quantity'],
      ['value-quantity=x5|s|c', /Invalid number|Unknown prefix/, 'value-quantity'],
      ['value-quantity=5|http://unitsofmeasure.org|', /system but no code/, 'value-quantity'],
      ['value-quantity:text=5', /:text is not valid/, 'value-quantity:text'],
    ])('rejects %s', (query, message, parameter) => rejects('Observation', query, message, parameter));
  });

  describe('reference (search.html#reference)', () => {
    it.each<ValueCase>([
      ['subject=Patient/123', undefined, [{ kind: 'reference', reference: 'Patient/123', type: 'Patient', id: '123' }]],
      ['subject=Patient/123/_history/2', undefined, [{ kind: 'reference', reference: 'Patient/123', type: 'Patient', id: '123' }]],
      ['subject=123', undefined, [{ kind: 'reference', id: '123' }]],
      ['patient=123', undefined, [{ kind: 'reference', reference: 'Patient/123', type: 'Patient', id: '123' }]],
      ['subject:Patient=123', 'Patient', [{ kind: 'reference', reference: 'Patient/123', type: 'Patient', id: '123' }]],
      ['subject=http://other.org/fhir/Patient/9', undefined, [{ kind: 'reference', reference: 'http://other.org/fhir/Patient/9', type: 'Patient', id: '9' }]],
      ['subject=urn:uuid:0a6c1c2e', undefined, [{ kind: 'reference', reference: 'urn:uuid:0a6c1c2e' }]],
      ['subject:identifier=urn:mrn|7', 'identifier', [{ kind: 'reference', identifier: { system: 'urn:mrn', value: '7' } }]],
      ['subject:identifier=7', 'identifier', [{ kind: 'reference', identifier: { value: '7' } }]],
      ['subject:missing=true', 'missing', [{ kind: 'missing', missing: true }]],
      ['subject=Patient/1,Group/2', undefined, [{ kind: 'reference', reference: 'Patient/1', type: 'Patient', id: '1' }, { kind: 'reference', reference: 'Group/2', type: 'Group', id: '2' }]],
    ])('%s', (query, modifier, values) => {
      const f = only('Observation', query);
      expect(f.modifier).toBe(modifier);
      expect(f.values).toEqual(values);
    });

    it('parses canonical references with a version', () => {
      expect(only('PlanDefinition', 'depends-on=http://example.org/Library/lib|1.2').values).toEqual([
        { kind: 'reference', reference: 'http://example.org/Library/lib', type: 'Library', id: 'lib', version: '1.2' },
      ]);
    });

    it.each([
      ['subject=Foo/123', /Unknown resource type 'Foo'/, 'subject'],
      ['subject=Practitioner/1', /cannot refer to Practitioner/, 'subject'],
      ['subject=Patient/bad id', /Invalid id/, 'subject'],
      ['subject=a/b/c', /Invalid reference/, 'subject'],
      ['subject:Practitioner=1', /cannot refer to Practitioner/, 'subject:Practitioner'],
      ['subject:Patient=Group/1', /contradicts modifier :Patient/, 'subject:Patient'],
      ['subject:exact=1', /:exact is not valid/, 'subject:exact'],
      ['subject:below=Patient/1', /:below is not supported/, 'subject:below'],
      ['subject:identifier=a|b|c', /:identifier expects/, 'subject:identifier'],
    ])('rejects %s', (query, message, parameter) => rejects('Observation', query, message, parameter));
  });

  describe('uri (search.html#uri)', () => {
    it.each<ValueCase>([
      ['url=http://acme.org/fhir/ValueSet/123', undefined, [{ kind: 'uri', value: 'http://acme.org/fhir/ValueSet/123' }]],
      ['url:below=http://acme.org/fhir/', 'below', [{ kind: 'uri', value: 'http://acme.org/fhir/' }]],
      ['url:above=http://acme.org/fhir/ValueSet/123/_history/5', 'above', [{ kind: 'uri', value: 'http://acme.org/fhir/ValueSet/123/_history/5' }]],
      ['url=urn:oid:1.2.3', undefined, [{ kind: 'uri', value: 'urn:oid:1.2.3' }]],
    ])('%s', (query, modifier, values) => {
      const f = only('ValueSet', query);
      expect(f.modifier).toBe(modifier);
      expect(f.values).toEqual(values);
    });

    it('rejects url:contains', () => rejects('ValueSet', 'url:contains=acme', /:contains is not valid/, 'url:contains'));
  });

  describe('composite (search.html#composite)', () => {
    it.each<ValueCase>([
      [
        'component-code-value-quantity=http://loinc.org|8480-6$gt140',
        undefined,
        [{ kind: 'composite', components: [{ kind: 'token', system: 'http://loinc.org', code: '8480-6' }, { kind: 'quantity', prefix: 'gt', value: 140, low: 139.5, high: 140.5 }] }],
      ],
      [
        'code-value-concept=http://loinc.org|1-8$http://snomed.info/sct|10828004,x$y',
        undefined,
        [
          { kind: 'composite', components: [{ kind: 'token', system: 'http://loinc.org', code: '1-8' }, { kind: 'token', system: 'http://snomed.info/sct', code: '10828004' }] },
          { kind: 'composite', components: [{ kind: 'token', code: 'x' }, { kind: 'token', code: 'y' }] },
        ],
      ],
      ['code-value-date=1-8$ge2024', undefined, [{ kind: 'composite', components: [{ kind: 'token', code: '1-8' }, { kind: 'date', prefix: 'ge', start: '2024-01-01T00:00:00.000Z', end: '2025-01-01T00:00:00.000Z' }] }]],
      ['code-value-string=a\\$b$c', undefined, [{ kind: 'composite', components: [{ kind: 'token', code: 'a$b' }, { kind: 'string', value: 'c' }] }]],
      ['code-value-quantity:missing=false', 'missing', [{ kind: 'missing', missing: false }]],
    ])('%s', (query, modifier, values) => {
      const f = only('Observation', query);
      expect(f.modifier).toBe(modifier);
      expect(f.values).toEqual(values);
    });

    it.each([
      ['component-code-value-quantity=http://loinc.org|8480-6', /expects 2 values separated by \$/, 'component-code-value-quantity'],
      ['component-code-value-quantity=a$b$c', /expects 2 values/, 'component-code-value-quantity'],
      ['component-code-value-quantity=a$xx5', /Unknown prefix 'xx'/, 'component-code-value-quantity'],
      ['component-code-value-quantity:exact=a$5', /:exact is not valid/, 'component-code-value-quantity:exact'],
    ])('rejects %s', (query, message, parameter) => rejects('Observation', query, message, parameter));
  });

  describe('special', () => {
    it('passes _list and near through as text', () => {
      expect(only('Patient', '_list=42').values).toEqual([{ kind: 'special', value: '42' }]);
      expect(only('Location', 'near=-83.69|42.25|10|km').values).toEqual([{ kind: 'special', value: '-83.69|42.25|10|km' }]);
    });

    it('passes _text and _content as strings without modifiers', () => {
      expect(only('Patient', '_content=cancer').values).toEqual([{ kind: 'string', value: 'cancer' }]);
      rejects('Patient', '_text:exact=x', /:exact is not valid/, '_text:exact');
    });

    it.each([
      ['_query=everything', /Named queries/, '_query'],
      ['_filter=name eq x', /_filter parameter is not supported/, '_filter'],
      ['_has=x', /Unknown search parameter '_has'/, '_has'],
    ])('rejects %s', (query, message, parameter) => rejects('Patient', query, message, parameter));
  });

  it('enforces SearchParameter.comparator restrictions', () => {
    const def: SearchParamDef = { code: 'custom', url: 'urn:x', resourceType: 'Patient', type: 'number', modifiers: ['missing'], prefixes: ['eq', 'gt'], columnName: 'custom' };
    expect(parseFilterValue(def, undefined, 'gt5')).toMatchObject({ prefix: 'gt', value: 5 });
    expect(() => parseFilterValue(def, undefined, 'sa5')).toThrow(SearchValueError);
    expect(() => parseFilterValue(def, undefined, 'sa5')).toThrow(/Prefix 'sa' is not allowed for custom/);
  });
});

describe('parseSearchRequest: parameters', () => {
  it('ANDs repeated parameters and ORs comma-separated values', () => {
    const { request } = parse('Patient', 'given=a,b&given=c');
    expect(request.filters.map((f) => (f as ParamFilter).values.length)).toEqual([2, 1]);
  });

  it('ignores empty values, _format and _pretty', () => {
    expect(parse('Patient', 'name=&_format=json&_pretty=true').request.filters).toEqual([]);
  });

  it.each([
    ['foo=1', /Unknown search parameter 'foo' for Patient/, 'foo'],
    ['Name=x', /Unknown search parameter 'Name'/, 'Name'],
  ])('rejects %s', (query, message, parameter) => rejects('Patient', query, message, parameter));

  it('rejects unknown resource types', () => {
    expect(() => parse('Nope', 'a=b')).toThrow(/Unknown resource type 'Nope'/);
  });

  it('accepts an array of pairs', () => {
    const { request } = parseSearchRequest('Patient', [['gender', 'male']]);
    expect(request.filters[0]).toMatchObject({ kind: 'param', values: [{ kind: 'token', code: 'male' }] });
  });
});

describe('parseSearchRequest: chains and _has', () => {
  const chain = (f: Filter): Extract<Filter, { kind: 'chain' }> => {
    if (f.kind !== 'chain') throw new Error('not a chain');
    return f;
  };

  it('parses subject:Patient.name=x', () => {
    const f = chain(only2('Observation', 'subject:Patient.name:exact=Eve'));
    expect(f.param.code).toBe('subject');
    expect(f.targets).toHaveLength(1);
    expect(f.targets[0].type).toBe('Patient');
    expect(f.targets[0].filter).toMatchObject({ kind: 'param', modifier: 'exact', param: { code: 'name', resourceType: 'Patient' }, values: [{ kind: 'string', value: 'Eve' }] });
  });

  it('fans an untyped chain out to every target type that has the parameter', () => {
    const f = chain(only2('Observation', 'subject.name=x'));
    expect(f.targets.map((t) => t.type).sort()).toEqual(['Location', 'Patient']);
  });

  it('parses multi-level chains', () => {
    const f = chain(only2('Observation', 'subject:Patient.organization.name=Acme'));
    const inner = chain(f.targets[0].filter);
    expect(inner.param).toMatchObject({ code: 'organization', resourceType: 'Patient' });
    expect(inner.targets).toEqual([{ type: 'Organization', filter: expect.objectContaining({ kind: 'param', param: expect.objectContaining({ code: 'name', resourceType: 'Organization' }) }) }]);
  });

  it('parses _has, nested', () => {
    const f = only2('Patient', '_has:Observation:subject:_has:Provenance:target:agent=Practitioner/1');
    expect(f).toMatchObject({
      kind: 'has',
      sourceType: 'Observation',
      param: { code: 'subject', resourceType: 'Observation' },
      filter: { kind: 'has', sourceType: 'Provenance', param: { code: 'target' }, filter: { kind: 'param', param: { code: 'agent' }, values: [{ kind: 'reference', reference: 'Practitioner/1' }] } },
    });
  });

  it('parses a chain inside _has', () => {
    const f = only2('Patient', '_has:Observation:patient:encounter.status=finished');
    expect(f).toMatchObject({ kind: 'has', filter: { kind: 'chain', param: { code: 'encounter' } } });
    // Observation.encounter may refer to an Encounter or an EpisodeOfCare; both have `status`.
    expect(f.kind === 'has' && f.filter.kind === 'chain' && f.filter.targets.map((t) => t.type)).toEqual(['Encounter', 'EpisodeOfCare']);
  });

  it.each([
    ['Observation', 'code.name=x', /Cannot chain through code/, 'code.name'],
    ['Observation', 'subject:Foo.name=x', /needs a resource type modifier/, 'subject:Foo.name'],
    ['Observation', 'subject:Practitioner.name=x', /cannot refer to Practitioner/, 'subject:Practitioner.name'],
    ['Observation', 'subject.nonsense=x', /Unknown chained parameter 'nonsense'/, 'subject.nonsense'],
    ['Observation', 'subject:Patient.birthdate=notadate', /Invalid date|Unknown prefix/, 'subject:Patient.birthdate'],
    ['Patient', '_has:Observation:code:status=final', /'code' is not a reference parameter of Observation/, '_has:Observation:code:status'],
    ['Patient', '_has:Nope:subject:status=final', /Unknown resource type 'Nope'/, '_has:Nope:subject:status'],
    ['Patient', '_has:Observation:patient=x', /Malformed _has/, '_has:Observation:patient'],
    ['Patient', '_has:Observation:patient:nonsense=x', /Unknown search parameter 'nonsense' for Observation/, '_has:Observation:patient:nonsense'],
    ['Organization', '_has:Observation:patient:code=x', /cannot refer to Organization/, '_has:Observation:patient:code'],
  ])('%s rejects %s', (type, query, message, parameter) => rejects(type, query, message, parameter));

  function only2(type: string, query: string): Filter {
    const { request } = parse(type, query);
    expect(request.filters).toHaveLength(1);
    return request.filters[0];
  }
});

describe('parseSearchRequest: result parameters', () => {
  it('has defaults', () => {
    expect(parse('Patient', '').request).toEqual({ resourceType: 'Patient', filters: [], sort: [], count: 20, offset: 0, total: 'none', include: [], revinclude: [] });
    expect(parseSearchRequest('Patient', [], { defaultCount: 50, defaultTotal: 'accurate' }).request).toMatchObject({ count: 50, total: 'accurate' });
  });

  it.each([
    ['_count=0', { count: 0 }],
    ['_count=1000', { count: 1000 }],
    ['_offset=40', { offset: 40 }],
    ['_total=accurate', { total: 'accurate' }],
    ['_total=estimate', { total: 'estimate' }],
    ['_summary=count', { summary: 'count' }],
    ['_summary=true', { summary: 'true' }],
    ['_elements=identifier,name,deceased,deceasedBoolean', { elements: ['identifier', 'name', 'deceased', 'deceasedBoolean'] }],
    ['_sort=-birthdate,name,_lastUpdated', { sort: [expect.objectContaining({ code: 'birthdate', descending: true }), expect.objectContaining({ code: 'name', descending: false }), expect.objectContaining({ code: '_lastUpdated', descending: false })] }],
    ['_include=Patient:organization', { include: [{ sourceType: 'Patient', param: 'organization', iterate: false }] }],
    ['_include=Patient:general-practitioner:Practitioner', { include: [{ sourceType: 'Patient', param: 'general-practitioner', targetType: 'Practitioner', iterate: false }] }],
    ['_include:iterate=Organization:partof', { include: [{ sourceType: 'Organization', param: 'partof', iterate: true }] }],
    ['_include:recurse=Organization:partof', { include: [{ sourceType: 'Organization', param: 'partof', iterate: true }] }],
    ['_include=*', { include: [{ sourceType: 'Patient', param: '*', iterate: false }] }],
    ['_revinclude=Observation:subject&_revinclude=Provenance:target', { revinclude: [{ sourceType: 'Observation', param: 'subject', iterate: false }, { sourceType: 'Provenance', param: 'target', iterate: false }] }],
    ['_contained=false&_containedType=container', {}],
  ])('%s', (query, expected) => {
    expect(parse('Patient', query).request).toMatchObject(expected);
  });

  it.each([
    ['_count=1001', /_count must be at most 1000/, '_count'],
    ['_count=-1', /non-negative integer/, '_count'],
    ['_count=ten', /non-negative integer/, '_count'],
    ['_count=1.5', /non-negative integer/, '_count'],
    ['_count=5&_count=6', /may appear only once/, '_count'],
    ['_offset=x', /non-negative integer/, '_offset'],
    ['_total=all', /_total must be/, '_total'],
    ['_summary=yes', /_summary must be/, '_summary'],
    ['_elements=name,foo', /Patient has no element 'foo'/, '_elements'],
    ['_elements=na-me', /Invalid element name/, '_elements'],
    ['_sort=nonsense', /Unknown sort parameter 'nonsense'/, '_sort'],
    ['_sort=_has', /Unknown sort parameter '_has'/, '_sort'],
    ['_include=Patient', /Malformed _include/, '_include'],
    ['_include=Patient:name', /'name' is not a reference parameter of Patient/, '_include'],
    ['_include=Nope:subject', /Unknown resource type 'Nope'/, '_include'],
    ['_include=Patient:organization:Practitioner', /cannot refer to Practitioner/, '_include'],
    ['_include=Observation:subject', /does not start from the searched type/, '_include'],
    ['_include:deep=Patient:organization', /Unknown modifier :deep/, '_include:deep'],
    ['_revinclude=Observation:code', /'code' is not a reference parameter/, '_revinclude'],
    ['_contained=true', /not supported/, '_contained'],
    ['_type=Observation', /only allowed in a system-level search/, '_type'],
  ])('rejects %s', (query, message, parameter) => rejects('Patient', query, message, parameter));
});

describe('parseSearchRequest: system-level search', () => {
  it('accepts the Resource-level parameters', () => {
    const { request } = parse(undefined, '_id=a,b&_lastUpdated=ge2024&_tag=urn:t|x&_sort=-_lastUpdated');
    expect(request.resourceType).toBeUndefined();
    expect(request.filters.map((f) => (f as ParamFilter).param.code)).toEqual(['_id', '_lastUpdated', '_tag']);
    expect(request.sort).toMatchObject([{ code: '_lastUpdated', descending: true }]);
  });

  it('accepts parameters shared by every _type, whatever the order', () => {
    const { request } = parse(undefined, 'patient=Patient/1&_type=Observation,Condition');
    expect(request.types).toEqual(['Observation', 'Condition']);
    expect(request.filters).toMatchObject([{ kind: 'param', param: { code: 'patient' }, values: [{ reference: 'Patient/1' }] }]);
  });

  it.each([
    ['name=x', /Unknown search parameter 'name' for all resource types/, 'name'],
    ['_type=Observation,Patient&code=x', /Unknown search parameter 'code' for Observation, Patient/, 'code'],
    ['_type=Observation,Nope', /Unknown resource type\(s\) in _type: Nope/, '_type'],
    ['_has:Observation:patient:code=x', /_has needs a resource type/, '_has:Observation:patient:code'],
  ])('rejects %s', (query, message, parameter) => rejects(undefined, query, message, parameter));
});

describe('parseSearchRequest: lenient mode (search.html#errors)', () => {
  it('drops bad parameters with a warning each and keeps the good ones', () => {
    const { request, warnings } = parse('Observation', 'foo=1&code=a|b|c&status=final&date=2024-13&_sort=nope&_count=5000', true);
    expect(request.filters).toMatchObject([{ param: { code: 'status' } }]);
    expect(request.sort).toEqual([]);
    expect(request.count).toBe(1000);
    expect(warnings.map((w) => [w.severity, w.expression])).toEqual([
      ['warning', ['foo']],
      ['warning', ['code']],
      ['warning', ['date']],
      ['warning', ['_sort']],
      ['warning', ['_count']],
    ]);
  });

  it('reports unsupported features as not-supported', () => {
    const { warnings } = parse('Observation', 'code:in=http://x/vs', true);
    expect(warnings).toMatchObject([{ code: 'not-supported', severity: 'warning', expression: ['code:in'] }]);
  });

  it('keeps the first of repeated single-valued parameters', () => {
    const { request, warnings } = parse('Patient', '_count=5&_count=6', true);
    expect(request.count).toBe(5);
    expect(warnings).toHaveLength(1);
  });

  it('still rejects an unknown resource type', () => {
    expect(() => parse('Nope', 'a=b', true)).toThrow(OperationOutcomeError);
  });
});
