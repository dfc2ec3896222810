import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { evaluateRestriction, matchesRestriction, patientCompartments, resourceFacts, type Restriction } from '../src/index.ts';
import { search } from './fixtures.ts';

const OBS: Resource = {
  resourceType: 'Observation',
  id: 'o1',
  meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] },
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' }], text: 'Hemoglobin' },
  subject: { reference: 'Patient/p1' },
  performer: [{ identifier: { system: 'urn:npi', value: '42' } }],
  effectiveDateTime: '2024-05-01',
};

const PATIENT: Resource = {
  resourceType: 'Patient',
  id: 'p1',
  name: [{ family: 'Müller', given: ['Anna'] }],
  identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:mrn', value: '1001' }],
};

const QUESTIONNAIRE: Resource = { resourceType: 'Questionnaire', id: 'q1', status: 'active', url: 'http://example.org/q/phq9' };

/** A resource stored with an absolute reference to this server. */
const ABSOLUTE: Resource = { ...OBS, id: 'o2', subject: { reference: 'https://ehr.example/fhir/Patient/p1' } };

describe('matchesRestriction: search filters evaluated in memory as the store compiles them', () => {
  it.each<[resource: Resource, query: string, match: boolean]>([
    // token
    [OBS, 'category=laboratory', true],
    [OBS, 'category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory', true],
    [OBS, 'category=http://example.org/other|laboratory', false],
    [OBS, 'category=|laboratory', false],
    [OBS, 'category=http://terminology.hl7.org/CodeSystem/observation-category|', true],
    [OBS, 'category=vital-signs', false],
    [OBS, 'category=vital-signs,laboratory', true],
    [OBS, 'category:not=laboratory', false],
    [OBS, 'category:not=vital-signs', true],
    [OBS, 'code:text=hemoglo', true],
    [OBS, 'code:text=glucose', false],
    [OBS, 'category:missing=false', true],
    [OBS, 'data-absent-reason:missing=true', true],
    [OBS, 'data-absent-reason:missing=false', false],
    [OBS, '_security=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R', true],
    [OBS, '_security:not=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R', false],
    [OBS, '_id=o1', true],
    [OBS, '_id=o2,o3', false],
    [PATIENT, 'identifier=urn:mrn|1001', true],
    [PATIENT, 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|1001', true],
    [PATIENT, 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|999', false],
    // reference
    [OBS, 'subject=Patient/p1', true],
    [OBS, 'subject=Patient/p2', false],
    [OBS, 'subject=p1', true],
    [OBS, 'subject:Patient=p1', true],
    [OBS, 'subject:Group=p1', false],
    [OBS, 'patient=p1', true],
    [OBS, 'performer:identifier=urn:npi|42', true],
    [OBS, 'performer:identifier=42', true],
    [OBS, 'performer:identifier=urn:other|42', false],
    [OBS, 'subject:missing=false', true],
    [OBS, 'specimen:missing=true', true],
    // string: starts with, accent and case insensitive; :exact; :contains
    [PATIENT, 'name=mul', true],
    [PATIENT, 'family=MÜLLER', true],
    [PATIENT, 'name=ller', false],
    [PATIENT, 'name:contains=ller', true],
    [PATIENT, 'family:exact=Müller', true],
    [PATIENT, 'family:exact=muller', false],
    [PATIENT, 'family:missing=false', true],
    // uri
    [QUESTIONNAIRE, 'url=http://example.org/q/phq9', true],
    [QUESTIONNAIRE, 'url=http://example.org/q', false],
    [QUESTIONNAIRE, 'url:below=http://example.org/q', true],
    [QUESTIONNAIRE, 'url:above=http://example.org/q/phq9/v2', true],
    [QUESTIONNAIRE, 'url:above=http://example.org/other', false],
    // several filters are AND-ed
    [OBS, 'category=laboratory&subject=Patient/p1', true],
    [OBS, 'category=laboratory&subject=Patient/p2', false],
  ])('%# %s?%s → %s', (resource, query, match) => {
    const r = search(resource.resourceType, query);
    const result = evaluateRestriction(resource, r, resourceFacts(resource));
    expect(result).toEqual({ match, unsupported: [] });
  });

  it('absolute references to this server match relative ones when the base URL is known', () => {
    const r = search('Observation', 'subject=Patient/p1');
    expect(matchesRestriction(ABSOLUTE, r, resourceFacts(ABSOLUTE, { baseUrl: 'https://ehr.example/fhir' }))).toBe(true);
    expect(matchesRestriction(ABSOLUTE, r, resourceFacts(ABSOLUTE))).toBe(false);
  });

  it('extracts search values on demand when the context has none', () => {
    expect(matchesRestriction(OBS, search('Observation', 'category=laboratory'), { compartments: [] })).toBe(true);
  });

  it('a search restriction matches only its own type', () => {
    expect(matchesRestriction(PATIENT, search('Observation', 'category=laboratory'), resourceFacts(PATIENT))).toBe(false);
  });

  it.each([
    ['date=2024', 'date (date)'],
    ['value-quantity=5', 'value-quantity (quantity)'],
    ['subject:Patient.name=anna', 'chain filter on subject'],
    ['_lastUpdated=2024', '_lastUpdated'],
  ])('%s cannot be evaluated in memory: no match, reported', (query, what) => {
    const result = evaluateRestriction(OBS, search('Observation', query), resourceFacts(OBS));
    expect(result).toEqual({ match: false, unsupported: [what] });
  });
});

describe('matchesRestriction: compartments, organizations, combinations', () => {
  const facts = { compartments: ['Patient/p1'], organizations: ['Organization/org1'] };
  it.each<[restriction: Restriction | undefined, match: boolean]>([
    [undefined, true],
    [{ kind: 'none' }, false],
    [{ kind: 'compartment', patientIds: ['p1'] }, true],
    [{ kind: 'compartment', patientIds: ['p2', 'p1'] }, true],
    [{ kind: 'compartment', patientIds: ['p2'] }, false],
    [{ kind: 'organization', organizationIds: ['org1'] }, true],
    [{ kind: 'organization', organizationIds: ['org2'] }, false],
    [{ kind: 'and', parts: [{ kind: 'compartment', patientIds: ['p1'] }, { kind: 'organization', organizationIds: ['org1'] }] }, true],
    [{ kind: 'and', parts: [{ kind: 'compartment', patientIds: ['p1'] }, { kind: 'organization', organizationIds: ['org2'] }] }, false],
    [{ kind: 'or', parts: [{ kind: 'compartment', patientIds: ['p2'] }, { kind: 'organization', organizationIds: ['org1'] }] }, true],
    [{ kind: 'or', parts: [{ kind: 'none' }, { kind: 'compartment', patientIds: ['p2'] }] }, false],
  ])('%j → %s', (restriction, match) => {
    expect(matchesRestriction(OBS, restriction, facts)).toBe(match);
  });

  it('unknown organizations never match an organization restriction (fail closed)', () => {
    expect(matchesRestriction(OBS, { kind: 'organization', organizationIds: ['org1'] }, { compartments: ['Patient/p1'] })).toBe(false);
  });
});

describe('patientCompartments (the rule of the store’s compartments column)', () => {
  it.each<[resource: Resource, compartments: string[]]>([
    [PATIENT, ['Patient/p1']],
    [OBS, ['Patient/p1']],
    [ABSOLUTE, []],
    [{ resourceType: 'Observation', status: 'final', code: {}, subject: { reference: 'Group/g1' } }, []],
    [
      { resourceType: 'Communication', status: 'completed', subject: { reference: 'Patient/p1' }, recipient: [{ reference: 'Patient/p2' }] },
      ['Patient/p1', 'Patient/p2'],
    ],
    [{ resourceType: 'Practitioner', id: 'pr1' }, []],
  ])('%# %j', (resource, compartments) => {
    expect(patientCompartments(resource).sort()).toEqual(compartments);
  });
});
