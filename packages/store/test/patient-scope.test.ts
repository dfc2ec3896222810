import { describe, expect, it } from 'vitest';
import { parseSearchRequest } from '@confide/fhir';
import { heldToOnePatient } from '../src/search/patient-scope.ts';

/**
 * Which searches may run with a generic plan (db/generic-plan.ts): only those every row of which belongs to one
 * patient. A case that says yes wrongly would let PostgreSQL plan a search across all patients without its values.
 */
const cases: [query: string, compartment: string | undefined, expected: boolean][] = [
  ['subject=Patient/p1&code=http://loinc.org|8302-2&_sort=-date', undefined, true],
  ['patient=p1', undefined, true],
  ['patient=Patient/p1&date=ge2024', undefined, true],
  ['subject=p1', undefined, true], // a bare id: the parameter's target types, each with that id
  ['subject:Patient=p1', undefined, true],
  ['subject=http://other.example/fhir/Patient/p1', undefined, true],
  ['code=http://loinc.org|8302-2', 'Patient/p1', true],
  ['code=http://loinc.org|8302-2', undefined, false],
  ['subject=Group/g1', undefined, false],
  ['subject:Group=g1', undefined, false],
  ['subject=Patient/p1,Patient/p2', undefined, false],
  ['patient=p1,p2', undefined, false],
  ['subject:missing=false', undefined, false],
  ['patient:identifier=http://hospital.example/mrn|123', undefined, false],
  ['subject=Patient/p1/_history/2', undefined, true], // search matches the patient, not the version
  ['subject:Patient.name=smith', undefined, false],
  ['performer=Practitioner/d1', undefined, false],
  ['date=ge2024', 'Practitioner/d1', false],
];

describe('heldToOnePatient', () => {
  it.each(cases)('Observation?%s (compartment %s) → %s', (query, compartment, expected) => {
    const { request } = parseSearchRequest('Observation', new URLSearchParams(query));
    expect(heldToOnePatient(request, compartment)).toBe(expected);
  });

  it('answers for each type by its own parameters (Encounter.patient, Condition.subject)', () => {
    expect(heldToOnePatient(parseSearchRequest('Encounter', new URLSearchParams('patient=p1')).request, undefined)).toBe(true);
    expect(heldToOnePatient(parseSearchRequest('Condition', new URLSearchParams('subject=Patient/p1')).request, undefined)).toBe(true);
    expect(heldToOnePatient(parseSearchRequest('Patient', new URLSearchParams('name=smith')).request, undefined)).toBe(false);
    expect(heldToOnePatient(parseSearchRequest('Patient', new URLSearchParams('_has:Observation:patient:code=1234-5')).request, undefined)).toBe(false);
  });
});
