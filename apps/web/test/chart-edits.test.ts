import type { AllergyIntolerance, Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { allergyStatus, correctedObservation, isActiveAllergy, isShownObservation, measuredValues, observationEnteredInError, withAllergyStatus } from '../src/lib/chart-edits.ts';
import { latest, seriesOf } from '../src/lib/chart-data.ts';

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';
const allergy = (clinical?: string, verification?: string): AllergyIntolerance => ({
  resourceType: 'AllergyIntolerance',
  id: 'a1',
  meta: { versionId: '3' },
  patient: { reference: 'Patient/p1' },
  code: { text: 'Penicillin' },
  ...(clinical ? { clinicalStatus: { coding: [{ system: CLINICAL, code: clinical }] } } : {}),
  ...(verification ? { verificationStatus: { coding: [{ system: VERIFICATION, code: verification }] } } : {}),
});

describe('allergy status', () => {
  it.each([
    ['active', undefined, 'active', true],
    ['inactive', 'confirmed', 'inactive', false],
    ['resolved', 'confirmed', 'resolved', false],
    [undefined, undefined, 'unknown', true],
    [undefined, 'entered-in-error', 'entered-in-error', false],
    ['active', 'refuted', 'refuted', false],
  ] as const)('clinical %s, verification %s → %s (warn: %s)', (clinical, verification, status, active) => {
    const a = allergy(clinical, verification);
    expect(allergyStatus(a)).toBe(status);
    expect(isActiveAllergy(a)).toBe(active);
  });

  it('entered in error drops the clinical status (R4 ait-2) and keeps id and version for If-Match', () => {
    const out = withAllergyStatus(allergy('active', 'confirmed'), 'entered-in-error');
    expect(out.clinicalStatus).toBeUndefined();
    expect(out.verificationStatus?.coding?.[0]).toEqual({ system: VERIFICATION, code: 'entered-in-error' });
    expect(out).toMatchObject({ id: 'a1', meta: { versionId: '3' } });
  });

  it.each([
    ['active', 'confirmed', 'resolved', 'confirmed'],
    [undefined, 'entered-in-error', 'active', 'confirmed'],
    ['active', 'unconfirmed', 'inactive', 'unconfirmed'],
  ] as const)('from %s/%s to %s keeps or restores verification %s', (clinical, verification, to, expected) => {
    const out = withAllergyStatus(allergy(clinical, verification), to);
    expect(out.clinicalStatus?.coding?.[0]).toEqual({ system: CLINICAL, code: to });
    expect(out.verificationStatus?.coding?.[0]?.code).toBe(expected);
  });
});

const LOINC = 'http://loinc.org';
const weight: Observation = {
  resourceType: 'Observation',
  id: 'w1',
  status: 'final',
  code: { coding: [{ system: LOINC, code: '29463-7' }], text: 'Body weight' },
  effectiveDateTime: '2026-11-01T10:00:00Z',
  valueQuantity: { value: 812, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
};
const bp: Observation = {
  resourceType: 'Observation',
  id: 'bp1',
  status: 'final',
  code: { coding: [{ system: LOINC, code: '85354-9' }], text: 'Blood pressure panel' },
  effectiveDateTime: '2026-11-01T10:00:00Z',
  component: [
    { code: { coding: [{ system: LOINC, code: '8480-6' }], text: 'Systolic' }, valueQuantity: { value: 210, unit: 'mmHg' } },
    { code: { coding: [{ system: LOINC, code: '8462-4' }], text: 'Diastolic' }, valueQuantity: { value: 80, unit: 'mmHg' } },
  ],
};

describe('measurement corrections', () => {
  it.each([
    ['final', true],
    ['amended', true],
    ['preliminary', true],
    ['entered-in-error', false],
    ['cancelled', false],
  ] as const)('an observation with status %s is shown: %s', (status, shown) => {
    expect(isShownObservation({ ...weight, status })).toBe(shown);
  });

  it('lists one number per value, components for a panel', () => {
    expect(measuredValues(weight)).toEqual([{ label: 'Body weight', unit: 'kg', value: 812 }]);
    expect(measuredValues(bp).map((m) => [m.label, m.value])).toEqual([
      ['Systolic', 210],
      ['Diastolic', 80],
    ]);
  });

  it('corrects the numbers in place and marks the observation amended', () => {
    const w = correctedObservation(weight, [81.2]);
    expect(w).toMatchObject({ id: 'w1', status: 'amended', valueQuantity: { value: 81.2, unit: 'kg', code: 'kg' } });
    const p = correctedObservation(bp, [120, 80]);
    expect(p.status).toBe('amended');
    expect(p.component?.map((c) => c.valueQuantity?.value)).toEqual([120, 80]);
    expect(bp.component?.[0].valueQuantity?.value).toBe(210);
  });

  it.each([[[]], [[1, 2]], [[Number.NaN]]])('refuses %j for a single value', (values) => {
    expect(() => correctedObservation(weight, values)).toThrow(RangeError);
  });

  it('a measurement entered in error leaves the trends and the latest values', () => {
    const older = { ...weight, id: 'w0', effectiveDateTime: '2026-10-01T10:00:00Z', valueQuantity: { ...weight.valueQuantity, value: 80 } };
    expect(latest(seriesOf([older, weight]))[0].value).toBe('812 kg');
    expect(latest(seriesOf([older, observationEnteredInError(weight)]))[0].value).toBe('80 kg');
  });
});
