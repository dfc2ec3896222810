import { describe, expect, it } from 'vitest';
import { resourceTypes } from '../../src/index.ts';
import { columnNameFor, expressionFor, searchParameter, searchParameters, splitUnion } from '../../src/search/parameters.ts';

describe('searchParameters', () => {
  it('gives every R4 type unique, safe column names', () => {
    for (const type of resourceTypes()) {
      const defs = [...searchParameters(type).values()];
      expect(defs.length).toBeGreaterThan(5);
      const columns = defs.map((d) => d.columnName);
      expect(new Set(columns).size).toBe(columns.length);
      for (const c of columns) expect(c).toMatch(/^[a-z_][a-z0-9_]*$/);
    }
  });

  it.each([
    ['code', 'code'],
    ['value-quantity', 'value_quantity'],
    ['_lastUpdated', 'last_updated'],
    ['_id', 'id'],
    ['_tag', '_tag'],
    ['_source', '_source'],
    ['component-code-value-quantity', 'component_code_value_quantity'],
    ['when', 'when_param'],
    ['address-postalcode', 'address_postalcode'],
  ])('columnNameFor(%s) = %s', (code, column) => {
    expect(columnNameFor(code)).toBe(column);
  });

  it('keeps _source apart from a resource own `source` parameter', () => {
    const defs = searchParameters('AuditEvent');
    expect(defs.get('source')?.columnName).toBe('source');
    expect(defs.get('_source')?.columnName).toBe('_source');
  });

  it.each([
    ['_id', 'column', 'token'],
    ['_lastUpdated', 'column', 'date'],
    ['_tag', 'meta', 'token'],
    ['_profile', 'meta', 'uri'],
    ['_security', 'meta', 'token'],
    ['_source', 'meta', 'uri'],
    ['_text', 'query', 'string'],
    ['_content', 'query', 'string'],
    ['_list', 'query', 'special'],
    ['_has', 'query', 'special'],
    ['_type', 'query', 'token'],
    ['_query', 'query', 'token'],
  ])('marks %s as special %s (%s)', (code, special, type) => {
    const def = searchParameter('Patient', code);
    expect(def?.special).toBe(special);
    expect(def?.type).toBe(type);
  });

  it('applies DomainResource parameters only to DomainResources', () => {
    expect(searchParameters('Patient').has('_text')).toBe(true);
    expect(searchParameters('Binary').has('_text')).toBe(false);
    expect(searchParameters('Bundle').has('_content')).toBe(true);
  });

  it('has system-level definitions for Resource', () => {
    const defs = searchParameters('Resource');
    expect([...defs.keys()].sort()).toEqual(['_content', '_has', '_id', '_lastUpdated', '_list', '_profile', '_query', '_security', '_source', '_tag', '_text', '_type']);
    expect(defs.get('_id')?.resourceType).toBe('Resource');
  });

  it('returns an empty map for unknown types', () => {
    expect(searchParameters('NotAType').size).toBe(0);
  });

  it.each([
    ['AllergyIntolerance', 'patient', 'AllergyIntolerance.patient'],
    ['CarePlan', 'patient', 'CarePlan.subject.where(resolve() is Patient)'],
    ['Observation', 'code', 'Observation.code'],
    ['Observation', 'value-quantity', '(Observation.value.ofType(Quantity)) | (Observation.value.ofType(SampledData))'],
    ['Condition', 'code', 'Condition.code'],
    ['DeviceRequest', 'code', '(DeviceRequest.code.ofType(CodeableConcept))'],
    ['InsurancePlan', 'name', 'name | alias'],
    ['Patient', '_tag', 'Resource.meta.tag'],
    ['Patient', 'deceased', 'Patient.deceased.exists() and Patient.deceased != false'],
  ])('%s.%s expression is cut to its own branches: %s', (type, code, expression) => {
    expect(searchParameter(type, code)?.expression).toBe(expression);
  });

  it('splits unions only at top level', () => {
    expect(splitUnion("(A.b.ofType(X)) | A.c.where(d='x|y') | B.e")).toEqual(['(A.b.ofType(X))', "A.c.where(d='x|y')", 'B.e']);
    expect(expressionFor('A.b | B.c | Resource.d | e', 'B')).toBe('B.c | Resource.d | e');
    expect(expressionFor('A.b', 'B')).toBeUndefined();
  });

  it('describes reference targets, modifiers and prefixes', () => {
    const subject = searchParameter('Observation', 'subject');
    expect(subject?.type).toBe('reference');
    expect(subject?.targets).toEqual(expect.arrayContaining(['Patient', 'Group', 'Device', 'Location']));
    expect(subject?.modifiers).toEqual(['missing', 'identifier', 'above', 'below']);
    expect(searchParameter('Observation', 'code')?.modifiers).toContain('of-type');
    expect(searchParameter('Patient', 'name')?.modifiers).toEqual(['missing', 'exact', 'contains']);
    expect(searchParameter('Observation', 'date')?.prefixes?.slice().sort()).toEqual(['ap', 'eb', 'eq', 'ge', 'gt', 'le', 'lt', 'ne', 'sa']);
    expect(searchParameter('Observation', 'value-quantity')?.prefixes?.slice().sort()).toEqual(['ap', 'eb', 'eq', 'ge', 'gt', 'le', 'lt', 'ne', 'sa']);
    expect(searchParameter('Observation', 'code')?.prefixes).toBeUndefined();
  });

  it('resolves composite components to their parameter types', () => {
    expect(searchParameter('Observation', 'component-code-value-quantity')?.components).toEqual([
      { definition: 'http://hl7.org/fhir/SearchParameter/Observation-component-code', code: 'component-code', type: 'token', expression: 'code' },
      { definition: 'http://hl7.org/fhir/SearchParameter/Observation-component-value-quantity', code: 'component-value-quantity', type: 'quantity', expression: 'value.ofType(Quantity)' },
    ]);
  });

  it('repairs the swapped components of DocumentReference relationship (R4 errata)', () => {
    const components = searchParameter('DocumentReference', 'relationship')?.components;
    expect(components?.map((c) => [c.expression, c.type])).toEqual([
      ['code', 'token'],
      ['target', 'reference'],
    ]);
  });
});
