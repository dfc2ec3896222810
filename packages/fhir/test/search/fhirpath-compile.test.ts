import type { Resource } from '@medplum/fhirtypes';
import { afterEach, describe, expect, it } from 'vitest';
import { compileParam } from '../../src/search/extract.ts';
import { compileFhirPath, UnsupportedExpressionError } from '../../src/search/fhirpath/compile.ts';
import { FhirPathSyntaxError } from '../../src/search/fhirpath/lexer.ts';
import { parseFhirPath } from '../../src/search/fhirpath/parser.ts';
import { setFhirPathFallback, useMedplumFhirPathFallback } from '../../src/search/fhirpath-fallback.ts';
import type { IndexValue } from '../../src/search/index-value.ts';
import type { SearchParamDef, SearchParamType } from '../../src/search/parameters.ts';

/** Runs an expression through the compiler; returns [type, value] pairs in output order. */
function run(expression: string, resource: Resource): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const plan of compileFhirPath(expression, resource.resourceType)) {
    for (const v of plan.fn([resource], { root: resource, rootInput: [resource] })) out.push([plan.type, v]);
  }
  return out;
}

function customParam(resourceType: string, type: SearchParamType, expression: string): SearchParamDef {
  return { code: 'custom', url: 'urn:test', resourceType, type, expression, modifiers: [], columnName: 'custom' };
}

function extractWith(def: SearchParamDef, resource: Resource): IndexValue[] {
  const out: IndexValue[] = [];
  compileParam(def)({ root: resource, rootInput: [resource], memo: new Map() }, out);
  return out;
}

const observation = {
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }], text: 'BP' },
  subject: { reference: 'Patient/1' },
  performer: [{ reference: 'Practitioner/2' }, { reference: '#org' }, { reference: 'urn:uuid:abc' }, { reference: 'Patient/9', type: 'Patient' }],
  contained: [{ resourceType: 'Organization', id: 'org' }],
  valueQuantity: { value: 5, unit: 'mg' },
  component: [
    { code: { text: 'a' }, valueQuantity: { value: 1 } },
    { code: { text: 'b' }, valueString: 'x' },
    { code: { text: 'c' }, valueQuantity: { value: 3 } },
  ],
  extension: [
    { url: 'http://example.org/a', valueString: 'A' },
    { url: 'http://example.org/b', valueCodeableConcept: { text: 'B' } },
  ],
} as unknown as Resource;

describe('FHIRPath compiler', () => {
  it.each<[string, Array<[string, unknown]>]>([
    ['Observation.status', [['code', 'final']]],
    ['Patient.gender', []],
    ['Observation.value', [['Quantity', { value: 5, unit: 'mg' }]]],
    ['Observation.component.value.ofType(Quantity).value', [['decimal', 1], ['decimal', 3]]],
    ['Observation.component.value.ofType(string)', [['string', 'x']]],
    ['(Observation.value as Quantity).unit', [['string', 'mg']]],
    ['Observation.value.as(Quantity).unit', [['string', 'mg']]],
    ['Observation.value.ofType(FHIR.Quantity).unit', [['string', 'mg']]],
    ['Observation.component.code.text | Observation.code.text', [['string', 'a'], ['string', 'b'], ['string', 'c'], ['string', 'BP']]],
    ['Observation.component[1].code.text', [['string', 'b']]],
    ['Observation.component.first().code.text', [['string', 'a']]],
    ['Observation.component.last().code.text', [['string', 'c']]],
    ["Observation.component.where(code.text = 'c').value.ofType(Quantity).value", [['decimal', 3]]],
    ["Observation.component.where(value.exists() and code.text != 'a').code.text", [['string', 'b'], ['string', 'c']]],
    ["Observation.extension('http://example.org/a').value", [['string', 'A']]],
    ["Observation.extension.where(url = 'http://example.org/b').value.ofType(CodeableConcept).text", [['string', 'B']]],
    ['Observation.performer.where(resolve() is Practitioner).reference', [['string', 'Practitioner/2']]],
    ['Observation.performer.where(resolve() is Organization).reference', [['string', '#org']]],
    ['Observation.performer.where(resolve() is Patient).reference', [['string', 'Patient/9']]],
    ['Observation.value.exists()', [['boolean', true]]],
    ['Observation.dataAbsentReason.exists()', [['boolean', false]]],
    ['Observation.value.exists() and Observation.status = \'final\'', [['boolean', true]]],
    ['Observation.issued.exists() or Observation.status = \'final\'', [['boolean', true]]],
    ['Observation.component.count()', [['integer', 3]]],
    ['Observation.value is Quantity', [['boolean', true]]],
    ['Resource.id', []],
    ['%resource.status', [['code', 'final']]],
  ])('%s', (expression, expected) => {
    expect(run(expression, observation)).toEqual(expected);
  });

  it('expands a choice element into one plan per type', () => {
    const plans = compileFhirPath('Observation.value', 'Observation');
    expect(plans.map((p) => p.type)).toEqual(['Quantity', 'CodeableConcept', 'string', 'boolean', 'integer', 'Range', 'Ratio', 'SampledData', 'time', 'dateTime', 'Period']);
  });

  it('follows contentReference elements (Questionnaire.item.item)', () => {
    const q = { resourceType: 'Questionnaire', item: [{ linkId: '1', item: [{ linkId: '1.1', code: [{ code: 'x' }] }] }] } as unknown as Resource;
    expect(run('Questionnaire.item.item.code.code', q)).toEqual([['code', 'x']]);
  });

  it.each([
    ['Observation.code.select(text)', UnsupportedExpressionError],
    ['Observation.code.memberOf(%vs)', UnsupportedExpressionError],
    ['Observation.nonsense', UnsupportedExpressionError],
    ['Observation.value.ofType(NoSuchType)', UnsupportedExpressionError],
    ['Observation.code.', FhirPathSyntaxError],
    ["Observation.code.where(text = 'x'", FhirPathSyntaxError],
  ])('rejects %s at compile time', (expression, error) => {
    expect(() => compileFhirPath(expression, 'Observation')).toThrow(error);
  });

  it('parses operator precedence', () => {
    expect(parseFhirPath('a | b and c = d')).toEqual({
      kind: 'binary',
      op: 'and',
      left: { kind: 'binary', op: '|', left: { kind: 'identifier', name: 'a' }, right: { kind: 'identifier', name: 'b' } },
      right: { kind: 'binary', op: '=', left: { kind: 'identifier', name: 'c' }, right: { kind: 'identifier', name: 'd' } },
    });
  });
});

describe('compileParam for custom parameters', () => {
  afterEach(() => setFhirPathFallback(undefined));

  it('indexes extension values', () => {
    const def = customParam('Observation', 'string', "Observation.extension('http://example.org/a').value");
    expect(extractWith(def, observation)).toEqual([{ kind: 'string', value: 'A' }]);
  });

  it('falls back to the registered FHIRPath engine for unsupported expressions', () => {
    const def = customParam('Observation', 'token', 'Observation.code.coding.select(code)');
    expect(extractWith(def, observation)).toEqual([]); // nothing registered: no values, no exception
    setFhirPathFallback((expression, resource) => {
      expect(expression).toBe('Observation.code.coding.select(code)');
      return ((resource as { code: { coding: Array<{ code: string }> } }).code.coding).map((c) => ({ type: 'code', value: c.code }));
    });
    expect(extractWith(def, observation)).toEqual([{ kind: 'token', code: '85354-9' }]);
  });

  it('can use @medplum/core as the fallback engine', async () => {
    // @medplum/core reads the global WebSocket at import time; Node 20 has none (this test file runs in its own process).
    const g = globalThis as { WebSocket?: unknown };
    const hadWebSocket = 'WebSocket' in g;
    if (!hadWebSocket) await expect(useMedplumFhirPathFallback()).rejects.toThrow(/needs a global WebSocket/);
    g.WebSocket ??= class {
      static CLOSING = 2;
      static CLOSED = 3;
    };
    await useMedplumFhirPathFallback();
    const def = customParam('Observation', 'token', 'Observation.code.coding.select(code)');
    expect(extractWith(def, observation)).toEqual([{ kind: 'token', code: '85354-9' }]);
    if (!hadWebSocket) delete g.WebSocket;
  });
});
