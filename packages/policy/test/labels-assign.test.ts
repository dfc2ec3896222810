import type { Coding, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  ACT_CODE_SYSTEM,
  assignLabels,
  CONFIDE_NOTE_TYPE_SYSTEM,
  CONFIDENTIALITY_SYSTEM,
  ICD10CM_SYSTEM,
  LOINC_SYSTEM,
  PSYCHOTHERAPY_NOTE_CODE,
  RXNORM_SYSTEM,
  SNOMED_SYSTEM,
  type LabelContext,
} from '../src/index.ts';

const NO_PROGRAMS: LabelContext = { part2Programs: [], authoringOrganizations: ['org1'] };

function condition(system: string, code: string, security?: Coding[]): Resource {
  const r: Resource = { resourceType: 'Condition', subject: { reference: 'Patient/p1' }, code: { coding: [{ system, code }] } };
  if (security) r.meta = { security };
  return r;
}

function encounter(system: string, code: string): Resource {
  return { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, reasonCode: [{ coding: [{ system, code }] }] };
}

function medicationRequest(code: string): Resource {
  return {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    medicationCodeableConcept: { coding: [{ system: RXNORM_SYSTEM, code }] },
  };
}

function withContainedMedication(code: string): Resource {
  return {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/p1' },
    contained: [{ resourceType: 'Medication', id: 'm', code: { coding: [{ system: RXNORM_SYSTEM, code }] } }],
    medicationReference: { reference: '#m' },
  };
}

function withReferencedMedication(): Resource {
  return { resourceType: 'MedicationStatement', status: 'active', subject: { reference: 'Patient/p1' }, medicationReference: { reference: 'Medication/m1' } };
}

function dispense(code: string): Resource {
  return { resourceType: 'MedicationDispense', status: 'completed', medicationCodeableConcept: { coding: [{ system: RXNORM_SYSTEM, code }] } };
}

function note(type: 'DocumentReference' | 'Composition', system: string, code: string): Resource {
  if (type === 'DocumentReference') {
    return { resourceType: 'DocumentReference', status: 'current', type: { coding: [{ system, code }] }, content: [{ attachment: { contentType: 'text/plain' } }] };
  }
  return { resourceType: 'Composition', status: 'final', type: { coding: [{ system, code }] }, date: '2024-01-01', author: [{ reference: 'Practitioner/pr1' }], title: 'Note' };
}

const observation: Resource = { resourceType: 'Observation', status: 'final', code: { text: 'Progress' }, subject: { reference: 'Patient/p1' } };
const organization: Resource = { resourceType: 'Organization', name: 'Recovery Clinic' };

/** The labels after the write, as codes: confidentiality first. */
function codes(resource: Resource, context: LabelContext = NO_PROGRAMS): string[] {
  return assignLabels(resource, context).security.map((l) => l.code as string);
}

type Case = [rule: string, name: string, resource: Resource, context: LabelContext, expected: string[]];

describe('assignLabels: each default rule applies, and does not apply', () => {
  it.each<Case>([
    // sud-diagnosis-icd10cm
    ['sud-diagnosis-icd10cm', 'Condition F11.20 opioid dependence', condition(ICD10CM_SYSTEM, 'F11.20'), NO_PROGRAMS, ['R', 'SUD']],
    ['sud-diagnosis-icd10cm', 'Encounter for F10.20 alcohol dependence', encounter(ICD10CM_SYSTEM, 'F10.20'), NO_PROGRAMS, ['R', 'SUD']],
    ['sud-diagnosis-icd10cm', 'F17.210 nicotine dependence is not SUD (42 CFR 2.11)', condition(ICD10CM_SYSTEM, 'F17.210'), NO_PROGRAMS, []],
    ['sud-diagnosis-icd10cm', 'J45.909 asthma', condition(ICD10CM_SYSTEM, 'J45.909'), NO_PROGRAMS, []],
    ['sud-diagnosis-icd10cm', 'F11.20 in another code system', condition('http://hl7.org/fhir/sid/icd-10', 'F11.20'), NO_PROGRAMS, []],
    // sud-diagnosis-snomed
    ['sud-diagnosis-snomed', 'Condition 5602001 opioid abuse', condition(SNOMED_SYSTEM, '5602001'), NO_PROGRAMS, ['R', 'SUD']],
    ['sud-diagnosis-snomed', 'Condition 66590003 alcohol dependence', condition(SNOMED_SYSTEM, '66590003'), NO_PROGRAMS, ['R', 'SUD']],
    ['sud-diagnosis-snomed', 'Condition 38341003 hypertension', condition(SNOMED_SYSTEM, '38341003'), NO_PROGRAMS, []],
    // sud-medication-rxnorm
    ['sud-medication-rxnorm', 'buprenorphine/naloxone sublingual tablet', medicationRequest('351266'), NO_PROGRAMS, ['R', 'SUD']],
    ['sud-medication-rxnorm', 'dispense of methadone, coded by ingredient', dispense('6813'), NO_PROGRAMS, ['R', 'SUD']],
    ['sud-medication-rxnorm', 'contained Medication buprenorphine', withContainedMedication('1819'), NO_PROGRAMS, ['R', 'SUD']],
    ['sud-medication-rxnorm', 'referenced Medication, codes resolved by the caller', withReferencedMedication(), { ...NO_PROGRAMS, resolvedCodes: [{ system: RXNORM_SYSTEM, code: '1010600' }] }, ['R', 'SUD']],
    ['sud-medication-rxnorm', 'referenced Medication, not resolved', withReferencedMedication(), NO_PROGRAMS, []],
    ['sud-medication-rxnorm', 'amoxicillin', medicationRequest('723'), NO_PROGRAMS, []],
    ['sud-medication-rxnorm', 'resolved codes do not label a Condition', condition(SNOMED_SYSTEM, '38341003'), { ...NO_PROGRAMS, resolvedCodes: [{ system: RXNORM_SYSTEM, code: '1819' }] }, []],
    // mental-health-icd10cm
    ['mental-health-icd10cm', 'F32.9 major depressive disorder', condition(ICD10CM_SYSTEM, 'F32.9'), NO_PROGRAMS, ['R', 'MH', 'PSY']],
    ['mental-health-icd10cm', 'F60.3 borderline personality disorder', condition(ICD10CM_SYSTEM, 'F60.3'), NO_PROGRAMS, ['R', 'MH', 'PSY']],
    ['mental-health-icd10cm', 'F99 mental disorder NOS', condition(ICD10CM_SYSTEM, 'F99'), NO_PROGRAMS, ['R', 'MH', 'PSY']],
    ['mental-health-icd10cm', 'F03.90 dementia is not labelled', condition(ICD10CM_SYSTEM, 'F03.90'), NO_PROGRAMS, []],
    ['mental-health-icd10cm', 'F70 intellectual disability is not labelled', condition(ICD10CM_SYSTEM, 'F70'), NO_PROGRAMS, []],
    // behavioral-health-icd10cm
    ['behavioral-health-icd10cm', 'F90.0 ADHD', condition(ICD10CM_SYSTEM, 'F90.0'), NO_PROGRAMS, ['R', 'BH']],
    ['behavioral-health-icd10cm', 'F84.0 autism is not labelled', condition(ICD10CM_SYSTEM, 'F84.0'), NO_PROGRAMS, []],
    // hiv-icd10cm
    ['hiv-icd10cm', 'B20 HIV disease', condition(ICD10CM_SYSTEM, 'B20'), NO_PROGRAMS, ['R', 'HIV']],
    ['hiv-icd10cm', 'Z21 asymptomatic HIV', condition(ICD10CM_SYSTEM, 'Z21'), NO_PROGRAMS, ['R', 'HIV']],
    ['hiv-icd10cm', 'O98.711 HIV complicating pregnancy', condition(ICD10CM_SYSTEM, 'O98.711'), NO_PROGRAMS, ['R', 'HIV']],
    ['hiv-icd10cm', 'Z20.6 contact with HIV is not HIV', condition(ICD10CM_SYSTEM, 'Z20.6'), NO_PROGRAMS, []],
    // hiv-snomed
    ['hiv-snomed', 'SNOMED 86406008 HIV infection', condition(SNOMED_SYSTEM, '86406008'), NO_PROGRAMS, ['R', 'HIV']],
    ['hiv-snomed', 'SNOMED 44054006 diabetes', condition(SNOMED_SYSTEM, '44054006'), NO_PROGRAMS, []],
    // psychotherapy-note
    ['psychotherapy-note', 'DocumentReference typed psychotherapy-note', note('DocumentReference', CONFIDE_NOTE_TYPE_SYSTEM, PSYCHOTHERAPY_NOTE_CODE), NO_PROGRAMS, ['V', 'PSYTHPN', 'HIPAAPsyNotes']],
    ['psychotherapy-note', 'Composition typed psychotherapy-note', note('Composition', CONFIDE_NOTE_TYPE_SYSTEM, PSYCHOTHERAPY_NOTE_CODE), NO_PROGRAMS, ['V', 'PSYTHPN', 'HIPAAPsyNotes']],
    ['psychotherapy-note', 'a consult note (LOINC 11488-4) is not', note('DocumentReference', LOINC_SYSTEM, '11488-4'), NO_PROGRAMS, []],
    // part2-program
    ['part2-program', 'an Observation kept by a Part 2 program', observation, { part2Programs: ['org-sud'], authoringOrganizations: ['org-sud'] }, ['R', '42CFRPart2', 'NORDSCLCD']],
    ['part2-program', 'references and bare ids mix', observation, { part2Programs: ['Organization/org-sud'], authoringOrganizations: ['org1', 'https://ehr.example/fhir/Organization/org-sud'] }, ['R', '42CFRPart2', 'NORDSCLCD']],
    ['part2-program', 'kept by another organization', observation, { part2Programs: ['org-sud'], authoringOrganizations: ['org1'] }, []],
    ['part2-program', 'directory data is not a patient record', organization, { part2Programs: ['org-sud'], authoringOrganizations: ['org-sud'] }, []],
    ['part2-program', 'together with a content rule', condition(ICD10CM_SYSTEM, 'F11.20'), { part2Programs: ['org-sud'], authoringOrganizations: ['org-sud'] }, ['R', 'SUD', '42CFRPart2', 'NORDSCLCD']],
  ])('%s: %s', (rule, _name, resource, context, expected) => {
    const result = assignLabels(resource, context);
    expect(result.security.map((l) => l.code)).toEqual(expected);
    if (expected.length) expect(result.reasons.some((r) => r.startsWith(`${rule}:`)), result.reasons.join('\n')).toBe(true);
    else expect(result.reasons).toEqual([]);
  });
});

describe('assignLabels: union with the existing labels, confidentiality never lowered', () => {
  const R = { system: CONFIDENTIALITY_SYSTEM, code: 'R' };
  const V = { system: CONFIDENTIALITY_SYSTEM, code: 'V', display: 'very restricted' };
  const N = { system: CONFIDENTIALITY_SYSTEM, code: 'N' };
  const HIV = { system: ACT_CODE_SYSTEM, code: 'HIV' };

  it('keeps a higher confidentiality set by hand', () => {
    const result = assignLabels(condition(ICD10CM_SYSTEM, 'F11.20', [V]), NO_PROGRAMS);
    expect(result.security.map((l) => l.code)).toEqual(['V', 'SUD']);
    expect(result.added.map((l) => l.code)).toEqual(['SUD']);
    expect(result.required.map((l) => l.code)).toEqual(['R', 'SUD']);
  });

  it('raises a lower confidentiality and replaces it', () => {
    const result = assignLabels(condition(ICD10CM_SYSTEM, 'F11.20', [N]), NO_PROGRAMS);
    expect(result.security).toEqual([
      { system: CONFIDENTIALITY_SYSTEM, code: 'R', display: 'restricted' },
      { system: ACT_CODE_SYSTEM, code: 'SUD', display: 'substance use disorder information sensitivity' },
    ]);
    expect(result.added.map((l) => l.code)).toEqual(['R', 'SUD']);
  });

  it('keeps labels set by hand and removes duplicates', () => {
    const result = assignLabels(condition(ICD10CM_SYSTEM, 'F11.20', [HIV, R, HIV, { system: ACT_CODE_SYSTEM, code: 'SUD' }]), NO_PROGRAMS);
    expect(result.security.map((l) => l.code)).toEqual(['R', 'HIV', 'SUD']);
    expect(result.added).toEqual([]);
  });

  it('keeps several confidentiality codes down to the highest one', () => {
    expect(codes(condition(SNOMED_SYSTEM, '38341003', [N, V, R]))).toEqual(['V']);
  });

  it('adds nothing when no rule applies and leaves a missing confidentiality missing', () => {
    const result = assignLabels(condition(SNOMED_SYSTEM, '38341003'), NO_PROGRAMS);
    expect(result).toEqual({ security: [], added: [], reasons: [], required: [] });
  });

  it('uses the rules it is given', () => {
    expect(codes(condition(ICD10CM_SYSTEM, 'F11.20'), { ...NO_PROGRAMS, rules: { version: 1, rules: [] } })).toEqual([]);
  });

  it('is deterministic and says why', () => {
    const resource = condition(ICD10CM_SYSTEM, 'F11.20', [HIV]);
    const context: LabelContext = { part2Programs: ['org-sud'], authoringOrganizations: ['org-sud'] };
    const a = assignLabels(resource, context);
    expect(assignLabels(resource, context)).toEqual(a);
    expect(a.reasons).toEqual([
      'sud-diagnosis-icd10cm: Condition.code http://hl7.org/fhir/sid/icd-10-cm|F11.20 → SUD, confidentiality ≥ R',
      'part2-program: kept by Part 2 program Organization/org-sud → 42CFRPart2, NORDSCLCD, confidentiality ≥ R',
    ]);
    expect(resource.meta?.security).toEqual([HIV]); // the input is not modified
  });
});
