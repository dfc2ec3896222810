import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { extractSearchValues } from '../../src/search/extract.ts';
import type { IndexValue } from '../../src/search/index-value.ts';

type Case = [description: string, resource: Record<string, unknown>, code: string, expected: IndexValue[] | undefined];

function values(resource: Record<string, unknown>, code: string): IndexValue[] | undefined {
  return extractSearchValues(resource as unknown as Resource).get(code);
}

const date = (start: string, end: string): IndexValue => ({ kind: 'date', start, end });
const patient = (extra: Record<string, unknown>): Record<string, unknown> => ({ resourceType: 'Patient', id: 'p', ...extra });
const observation = (extra: Record<string, unknown>): Record<string, unknown> => ({ resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, ...extra });

describe('extractSearchValues: date (search.html#date)', () => {
  it.each<Case>([
    ['year precision', patient({ birthDate: '1974' }), 'birthdate', [date('1974-01-01T00:00:00.000Z', '1975-01-01T00:00:00.000Z')]],
    ['month precision', patient({ birthDate: '1974-12' }), 'birthdate', [date('1974-12-01T00:00:00.000Z', '1975-01-01T00:00:00.000Z')]],
    ['day precision', patient({ birthDate: '1974-12-25' }), 'birthdate', [date('1974-12-25T00:00:00.000Z', '1974-12-26T00:00:00.000Z')]],
    ['seconds with offset', observation({ effectiveDateTime: '2024-03-05T10:00:00+01:00' }), 'date', [date('2024-03-05T09:00:00.000Z', '2024-03-05T09:00:01.000Z')]],
    ['negative offset crossing midnight', observation({ effectiveDateTime: '2024-12-31T22:00:00-05:00' }), 'date', [date('2025-01-01T03:00:00.000Z', '2025-01-01T03:00:01.000Z')]],
    ['instant with milliseconds', observation({ effectiveInstant: '2024-03-05T10:00:00.250Z' }), 'date', [date('2024-03-05T10:00:00.250Z', '2024-03-05T10:00:00.251Z')]],
    ['Period with both ends', observation({ effectivePeriod: { start: '2024-01-01', end: '2024-01-31' } }), 'date', [date('2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z')]],
    ['Period open end', observation({ effectivePeriod: { start: '2024-01-01T08:00:00Z' } }), 'date', [date('2024-01-01T08:00:00.000Z', 'infinity')]],
    ['Period open start', observation({ effectivePeriod: { end: '2024' } }), 'date', [date('-infinity', '2025-01-01T00:00:00.000Z')]],
    ['empty Period', observation({ effectivePeriod: {} }), 'date', undefined],
    ['Timing: outer limits of the events', observation({ effectiveTiming: { event: ['2024-05-03', '2024-05-01T10:00:00Z', '2024-05-02'] } }), 'date', [date('2024-05-01T10:00:00.000Z', '2024-05-04T00:00:00.000Z')]],
    ['Timing: repeat.boundsPeriod', { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: 'Patient/1' }, activity: [{ detail: { status: 'scheduled', scheduledTiming: { repeat: { boundsPeriod: { start: '2024-01-01', end: '2024-06-30' } } } } }] }, 'activity-date', [date('2024-01-01T00:00:00.000Z', '2024-07-01T00:00:00.000Z')]],
    ['multiple values', { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, location: [{ location: { reference: 'Location/1' }, period: { start: '2024-01-01' } }, { location: { reference: 'Location/2' }, period: { end: '2024-02-01' } }] }, 'location-period', [date('2024-01-01T00:00:00.000Z', 'infinity'), date('-infinity', '2024-02-02T00:00:00.000Z')]],
    ['choice type: only the dateTime alternative of Condition.onset', { resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetString: 'childhood' }, 'onset-date', undefined],
    ['malformed dates are skipped, not thrown', patient({ birthDate: 'yesterday' }), 'birthdate', undefined],
    ['deceasedDateTime as death-date', patient({ deceasedDateTime: '2020-02-03' }), 'death-date', [date('2020-02-03T00:00:00.000Z', '2020-02-04T00:00:00.000Z')]],
  ])('%s', (_d, resource, code, expected) => {
    expect(values(resource, code)).toEqual(expected);
  });
});

describe('extractSearchValues: token (search.html#token)', () => {
  it.each<Case>([
    [
      'CodeableConcept: each coding, plus text',
      observation({ code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic' }, { system: 'http://snomed.info/sct', code: '271649006' }], text: 'Systolic BP' } }),
      'code',
      [
        { kind: 'token', system: 'http://loinc.org', code: '8480-6', display: 'Systolic' },
        { kind: 'token', system: 'http://snomed.info/sct', code: '271649006' },
        { kind: 'token', display: 'Systolic BP' },
      ],
    ],
    ['Coding (meta.tag)', patient({ meta: { tag: [{ system: 'urn:t', code: 'a' }] } }), '_tag', [{ kind: 'token', system: 'urn:t', code: 'a' }]],
    ['Coding (meta.security)', patient({ meta: { security: [{ system: 'urn:s', code: 'R', display: 'restricted' }] } }), '_security', [{ kind: 'token', system: 'urn:s', code: 'R', display: 'restricted' }]],
    [
      'Identifier with a type of two codings',
      patient({ identifier: [{ system: 'urn:mrn', value: '123', type: { text: 'MRN', coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }, { system: 'urn:local', code: 'chart' }] } }] }),
      'identifier',
      [
        { kind: 'token', system: 'urn:mrn', code: '123', display: 'MRN', typeSystem: 'http://terminology.hl7.org/CodeSystem/v2-0203', typeCode: 'MR' },
        { kind: 'token', system: 'urn:mrn', code: '123', display: 'MRN', typeSystem: 'urn:local', typeCode: 'chart' },
      ],
    ],
    ['Identifier without system', patient({ identifier: [{ value: 'abc' }, { system: 'urn:x' }, {}] }), 'identifier', [{ kind: 'token', code: 'abc' }, { kind: 'token', system: 'urn:x' }]],
    ['ContactPoint: the value', patient({ telecom: [{ system: 'phone', value: '555-1234' }, { system: 'email', value: 'a@b.org' }] }), 'telecom', [{ kind: 'token', code: '555-1234' }, { kind: 'token', code: 'a@b.org' }]],
    ["ContactPoint where(system='email')", patient({ telecom: [{ system: 'phone', value: '555-1234' }, { system: 'email', value: 'a@b.org' }] }), 'email', [{ kind: 'token', code: 'a@b.org' }]],
    ['code primitive: system implicit in its required binding', patient({ gender: 'female' }), 'gender', [{ kind: 'token', system: 'http://hl7.org/fhir/administrative-gender', code: 'female' }]],
    ['code primitive: Observation.status', observation({ status: 'amended' }), 'status', [{ kind: 'token', system: 'http://hl7.org/fhir/observation-status', code: 'amended' }]],
    ['code primitive without a binding: code only', { resourceType: 'CodeSystem', status: 'active', content: 'complete', concept: [{ code: 'A' }] }, 'code', [{ kind: 'token', code: 'A' }]],
    ['boolean primitive', patient({ active: false }), 'active', [{ kind: 'token', code: 'false' }]],
    ['deceased: absent is false', patient({}), 'deceased', [{ kind: 'token', code: 'false' }]],
    ['deceased: deceasedBoolean true', patient({ deceasedBoolean: true }), 'deceased', [{ kind: 'token', code: 'true' }]],
    ['deceased: deceasedBoolean false', patient({ deceasedBoolean: false }), 'deceased', [{ kind: 'token', code: 'false' }]],
    ['deceased: deceasedDateTime', patient({ deceasedDateTime: '2020' }), 'deceased', [{ kind: 'token', code: 'true' }]],
    ['choice type: value-concept only from valueCodeableConcept', observation({ valueQuantity: { value: 1 } }), 'value-concept', undefined],
    ['choice type: value-concept', observation({ valueCodeableConcept: { coding: [{ system: 'urn:v', code: 'pos' }] } }), 'value-concept', [{ kind: 'token', system: 'urn:v', code: 'pos' }]],
  ])('%s', (_d, resource, code, expected) => {
    expect(values(resource, code)).toEqual(expected);
  });
});

describe('extractSearchValues: string (search.html#string)', () => {
  it.each<Case>([
    [
      'HumanName: every part and the text',
      patient({ name: [{ family: 'Müller', given: ['Zoë', 'Anne'], prefix: ['Dr.'], suffix: ['PhD'], text: 'Dr. Zoë Müller' }] }),
      'name',
      ['Müller', 'Zoë', 'Anne', 'Dr.', 'PhD', 'Dr. Zoë Müller'].map((value) => ({ kind: 'string', value })),
    ],
    ['family of several names', patient({ name: [{ family: 'A' }, { family: 'B', given: ['x'] }] }), 'family', [{ kind: 'string', value: 'A' }, { kind: 'string', value: 'B' }]],
    [
      'Address: lines, city, district, state, postal code, country, text',
      patient({ address: [{ line: ['1 Main St', 'Apt 2'], city: 'Boston', district: 'Suffolk', state: 'MA', postalCode: '02101', country: 'US', text: 'somewhere' }] }),
      'address',
      ['1 Main St', 'Apt 2', 'Boston', 'Suffolk', 'MA', '02101', 'US', 'somewhere'].map((value) => ({ kind: 'string', value })),
    ],
    ['address-city', patient({ address: [{ city: 'Boston' }, { city: 'Québec' }] }), 'address-city', [{ kind: 'string', value: 'Boston' }, { kind: 'string', value: 'Québec' }]],
    ['valueString', observation({ valueString: 'positive' }), 'value-string', [{ kind: 'string', value: 'positive' }]],
    ['valueCodeableConcept.text as value-string', observation({ valueCodeableConcept: { text: 'Positive' } }), 'value-string', [{ kind: 'string', value: 'Positive' }]],
    ['relative paths (InsurancePlan name | alias)', { resourceType: 'InsurancePlan', name: 'Gold', alias: ['G1', 'G2'] }, 'name', [{ kind: 'string', value: 'Gold' }, { kind: 'string', value: 'G1' }, { kind: 'string', value: 'G2' }]],
    ['empty strings are ignored', patient({ name: [{ family: '', given: [''] }] }), 'name', undefined],
  ])('%s', (_d, resource, code, expected) => {
    expect(values(resource, code)).toEqual(expected);
  });
});

describe('extractSearchValues: number and quantity (search.html#number, #quantity)', () => {
  it.each<Case>([
    ['decimal with its precision', { resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/1' }, prediction: [{ probabilityDecimal: 0.25 }] }, 'probability', [{ kind: 'number', value: 0.25, low: 0.245, high: 0.255 }]],
    ['Range as number', { resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/1' }, prediction: [{ probabilityRange: { low: { value: 0.1 }, high: { value: 0.2 } } }] }, 'probability', [{ kind: 'number', value: 0.1, low: 0.05, high: 0.25 }]],
    ['integer', { resourceType: 'MolecularSequence', coordinateSystem: 0, variant: [{ start: 100 }] }, 'variant-start', [{ kind: 'number', value: 100, low: 99.5, high: 100.5 }]],
    ['Quantity with UCUM', observation({ valueQuantity: { value: 120, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }), 'value-quantity', [{ kind: 'quantity', value: 120, low: 119.5, high: 120.5, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }]],
    ['Quantity with a < comparator opens the low end', observation({ valueQuantity: { value: 5.0, comparator: '<', unit: 'mg' } }), 'value-quantity', [{ kind: 'quantity', value: 5, low: -Infinity, high: 5.5, unit: 'mg' }]],
    ['Quantity with a >= comparator opens the high end', observation({ valueQuantity: { value: 2.5, comparator: '>=' } }), 'value-quantity', [{ kind: 'quantity', value: 2.5, low: 2.45, high: Infinity }]],
    ['SampledData is not indexed', observation({ valueSampledData: { origin: { value: 0 }, period: 1, dimensions: 1, data: '1 2' } }), 'value-quantity', undefined],
    ['Age (Condition.onsetAge)', { resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetAge: { value: 52, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' } }, 'onset-age', [{ kind: 'quantity', value: 52, low: 51.5, high: 52.5, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' }]],
    ['Range (Condition.onsetRange) with an open end', { resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetRange: { low: { value: 40, unit: 'a' } } }, 'onset-age', [{ kind: 'quantity', value: 40, low: 39.5, high: Infinity, unit: 'a' }]],
    ['Money', { resourceType: 'ChargeItem', status: 'billed', code: { text: 'x' }, subject: { reference: 'Patient/1' }, priceOverride: { value: 40.0, currency: 'EUR' } }, 'price-override', [{ kind: 'quantity', value: 40, low: 39.5, high: 40.5, system: 'urn:iso:std:iso:4217', code: 'EUR' }]],
    ['Duration (Encounter.length)', { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, length: { value: 1.5, unit: 'h' } }, 'length', [{ kind: 'quantity', value: 1.5, low: 1.45, high: 1.55, unit: 'h' }]],
  ])('%s', (_d, resource, code, expected) => {
    expect(values(resource, code)).toEqual(expected);
  });
});

describe('extractSearchValues: reference (search.html#reference)', () => {
  it.each<Case>([
    ['relative', observation({ subject: { reference: 'Patient/123' } }), 'subject', [{ kind: 'reference', reference: 'Patient/123', type: 'Patient', id: '123' }]],
    ['version-specific: _history dropped', observation({ subject: { reference: 'Patient/123/_history/2' } }), 'subject', [{ kind: 'reference', reference: 'Patient/123', type: 'Patient', id: '123' }]],
    ['absolute', observation({ subject: { reference: 'https://other.org/fhir/Patient/9' } }), 'subject', [{ kind: 'reference', reference: 'https://other.org/fhir/Patient/9', type: 'Patient', id: '9' }]],
    ['urn:uuid without a type', observation({ subject: { reference: 'urn:uuid:1234' } }), 'subject', [{ kind: 'reference', reference: 'urn:uuid:1234' }]],
    ['urn:uuid with Reference.type', observation({ subject: { reference: 'urn:uuid:1234', type: 'Patient' } }), 'subject', [{ kind: 'reference', reference: 'urn:uuid:1234', type: 'Patient' }]],
    [
      'contained: type from the contained resource',
      observation({ contained: [{ resourceType: 'Practitioner', id: 'pr1' }], performer: [{ reference: '#pr1' }] }),
      'performer',
      [{ kind: 'reference', reference: '#pr1', type: 'Practitioner' }],
    ],
    ['logical reference (identifier only)', observation({ subject: { type: 'Patient', identifier: { system: 'urn:mrn', value: '7' } } }), 'subject', [{ kind: 'reference', type: 'Patient', identifier: { system: 'urn:mrn', value: '7' } }]],
    ['display-only reference gives nothing', observation({ subject: { display: 'John' } }), 'subject', undefined],
    ['where(resolve() is Patient): a Patient subject', observation({ subject: { reference: 'Patient/1' } }), 'patient', [{ kind: 'reference', reference: 'Patient/1', type: 'Patient', id: '1' }]],
    ['where(resolve() is Patient): a Group subject is not a patient', observation({ subject: { reference: 'Group/1' } }), 'patient', undefined],
    ['where(resolve() is Patient): contained patient', observation({ contained: [{ resourceType: 'Patient', id: 'c' }], subject: { reference: '#c' } }), 'patient', [{ kind: 'reference', reference: '#c', type: 'Patient' }]],
    [
      'canonical with version and relatedArtifact.where(type=...)',
      { resourceType: 'PlanDefinition', status: 'active', library: ['http://example.org/Library/lib|1.2'], relatedArtifact: [{ type: 'depends-on', resource: 'http://example.org/Library/other' }, { type: 'citation', resource: 'http://example.org/Library/no' }] },
      'depends-on',
      [
        { kind: 'reference', reference: 'http://example.org/Library/other', type: 'Library', id: 'other' },
        { kind: 'reference', reference: 'http://example.org/Library/lib', type: 'Library', id: 'lib', version: '1.2' },
      ],
    ],
    [
      'a resource as reference (Bundle composition = entry[0].resource)',
      { resourceType: 'Bundle', type: 'document', entry: [{ resource: { resourceType: 'Composition', id: 'c1' } }, { resource: { resourceType: 'Patient', id: 'p1' } }] },
      'composition',
      [{ kind: 'reference', reference: 'Composition/c1', type: 'Composition', id: 'c1' }],
    ],
    ['Bundle message only for a MessageHeader', { resourceType: 'Bundle', type: 'document', entry: [{ resource: { resourceType: 'Composition', id: 'c1' } }] }, 'message', undefined],
  ])('%s', (_d, resource, code, expected) => {
    expect(values(resource, code)).toEqual(expected);
  });
});

describe('extractSearchValues: uri (search.html#uri)', () => {
  it.each<Case>([
    ['meta.profile', patient({ meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] } }), '_profile', [{ kind: 'uri', value: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient' }]],
    ['meta.source', patient({ meta: { source: 'urn:uuid:x#y' } }), '_source', [{ kind: 'uri', value: 'urn:uuid:x#y' }]],
    ['url', { resourceType: 'Questionnaire', status: 'active', url: 'http://example.org/Questionnaire/q' }, 'url', [{ kind: 'uri', value: 'http://example.org/Questionnaire/q' }]],
  ])('%s', (_d, resource, code, expected) => {
    expect(values(resource, code)).toEqual(expected);
  });
});

describe('extractSearchValues: composite (search.html#composite)', () => {
  const loinc = (code: string): IndexValue => ({ kind: 'token', system: 'http://loinc.org', code });
  const q = (value: number, low: number, high: number): IndexValue => ({ kind: 'quantity', value, low, high, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
  const bp = observation({
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 80, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '9999-9' }] }, dataAbsentReason: { text: 'n/a' } },
    ],
  });

  it.each<Case>([
    [
      'component-code-value-quantity: one tuple per component that has both parts',
      bp,
      'component-code-value-quantity',
      [
        { kind: 'composite', components: [[loinc('8480-6')], [q(120, 119.5, 120.5)]] },
        { kind: 'composite', components: [[loinc('8462-4')], [q(80, 79.5, 80.5)]] },
      ],
    ],
    ['code-value-quantity needs Observation.valueQuantity', bp, 'code-value-quantity', undefined],
    [
      'combo-code-value-quantity: the observation and its components',
      observation({ code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] }, valueQuantity: { value: 95, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }, component: [{ code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 120, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }] }),
      'combo-code-value-quantity',
      [
        { kind: 'composite', components: [[loinc('2339-0')], [q(95, 94.5, 95.5)]] },
        { kind: 'composite', components: [[loinc('8480-6')], [q(120, 119.5, 120.5)]] },
      ],
    ],
    [
      'code-value-date with a Period',
      observation({ code: { coding: [{ system: 'http://loinc.org', code: '1-8' }] }, valuePeriod: { start: '2024-01-01' } }),
      'code-value-date',
      [{ kind: 'composite', components: [[loinc('1-8')], [date('2024-01-01T00:00:00.000Z', 'infinity')]] }],
    ],
    [
      'code-value-concept',
      observation({ code: { coding: [{ system: 'http://loinc.org', code: '1-8' }], text: 'c' }, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '10828004' }] } }),
      'code-value-concept',
      [{ kind: 'composite', components: [[loinc('1-8'), { kind: 'token', display: 'c' }], [{ kind: 'token', system: 'http://snomed.info/sct', code: '10828004' }]] }],
    ],
  ])('%s', (_d, resource, code, expected) => {
    expect(values(resource, code)).toEqual(expected);
  });
});

describe('extractSearchValues: what is not extracted', () => {
  const resource = patient({ meta: { lastUpdated: '2024-01-01T00:00:00Z', versionId: '1' }, text: { status: 'generated', div: '<div>x</div>' } });

  it.each(['_id', '_lastUpdated', '_text', '_content', '_list', '_has', '_type', '_query'])('%s', (code) => {
    expect(extractSearchValues(resource as unknown as Resource).has(code)).toBe(false);
  });

  it('skips special parameters such as Location near', () => {
    const location = { resourceType: 'Location', position: { longitude: 1, latitude: 2 } } as unknown as Resource;
    expect(extractSearchValues(location).has('near')).toBe(false);
  });

  it('returns an empty map for an unknown resource type', () => {
    expect(extractSearchValues({ resourceType: 'Nope' } as unknown as Resource).size).toBe(0);
  });
});
