import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { resourceDefinitions, typeDefinitions } from '../../src/index.ts';
import { SchemaRegistry } from '../../src/validation/schema-registry.ts';
import { validateWithRegistry } from '../../src/validation/walker.ts';

// No element of the base R4 resources has fixed[x] or pattern[x], so the rule is exercised on a Patient
// definition with two added: gender fixed to 'female', maritalStatus with a CodeableConcept pattern.
function patientWith(changes: Record<string, Partial<ElementDefinition>>): StructureDefinition {
  const sd = structuredClone(resourceDefinitions().get('Patient')) as StructureDefinition;
  for (const element of sd.snapshot?.element ?? []) Object.assign(element, changes[element.path as string] ?? {});
  return sd;
}

const MARITAL = 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus';
const registry = new SchemaRegistry(
  new Map([
    ...resourceDefinitions(),
    [
      'Patient',
      patientWith({
        'Patient.gender': { fixedCode: 'female' },
        'Patient.maritalStatus': { patternCodeableConcept: { coding: [{ system: MARITAL, code: 'M' }] } },
      }),
    ],
  ]),
  typeDefinitions(),
);

describe('fixed[x] and pattern[x]', () => {
  it.each([
    ['the fixed value', { gender: 'female' }, []],
    ['another value than the fixed one', { gender: 'male' }, [['value', 'Patient.gender']]],
    ['a value matching the pattern, with more', { maritalStatus: { coding: [{ system: 'x', code: 'y' }, { system: MARITAL, code: 'M', display: 'Married' }], text: 'm' } }, []],
    ['a value not matching the pattern', { maritalStatus: { coding: [{ system: MARITAL, code: 'S' }] } }, [['value', 'Patient.maritalStatus']]],
  ])('%s', (_name, content, expected) => {
    const issues = validateWithRegistry(registry, { resourceType: 'Patient', ...content });
    expect(issues.map((i) => [i.code, i.expression?.[0]])).toEqual(expected);
  });
});
