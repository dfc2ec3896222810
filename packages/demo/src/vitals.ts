import type { Code } from './fhir-helpers.ts';
import { VITAL_PROFILES } from './systems.ts';

/**
 * Vital signs, shaped after the base FHIR R4 vital-signs profiles: LOINC code, UCUM unit and profile URL.
 */
export type VitalKey = 'bp' | 'heart-rate' | 'body-weight' | 'body-height' | 'bmi' | 'body-temp';

export interface VitalDef {
  readonly key: VitalKey;
  readonly loinc: Code;
  readonly profile: string;
  /** UCUM code and human unit of the value; absent for the blood-pressure panel, which has components. */
  readonly unit?: { readonly code: string; readonly display: string };
  readonly decimals: number;
}

export const VITALS: Readonly<Record<VitalKey, VitalDef>> = {
  bp: {
    key: 'bp',
    loinc: { code: '85354-9', display: 'Blood pressure panel with all children optional' },
    profile: VITAL_PROFILES.bp,
    decimals: 0,
  },
  'heart-rate': {
    key: 'heart-rate',
    loinc: { code: '8867-4', display: 'Heart rate' },
    profile: VITAL_PROFILES.heartRate,
    unit: { code: '/min', display: 'beats/minute' },
    decimals: 0,
  },
  'body-weight': {
    key: 'body-weight',
    loinc: { code: '29463-7', display: 'Body weight' },
    profile: VITAL_PROFILES.bodyWeight,
    unit: { code: 'kg', display: 'kg' },
    decimals: 1,
  },
  'body-height': {
    key: 'body-height',
    loinc: { code: '8302-2', display: 'Body height' },
    profile: VITAL_PROFILES.bodyHeight,
    unit: { code: 'cm', display: 'cm' },
    decimals: 1,
  },
  bmi: {
    key: 'bmi',
    loinc: { code: '39156-5', display: 'Body mass index (BMI) [Ratio]' },
    profile: VITAL_PROFILES.bmi,
    unit: { code: 'kg/m2', display: 'kg/m2' },
    decimals: 1,
  },
  'body-temp': {
    key: 'body-temp',
    loinc: { code: '8310-5', display: 'Body temperature' },
    profile: VITAL_PROFILES.bodyTemp,
    unit: { code: 'Cel', display: 'C' },
    decimals: 1,
  },
};

export const BP_COMPONENTS = {
  systolic: { code: '8480-6', display: 'Systolic blood pressure' },
  diastolic: { code: '8462-4', display: 'Diastolic blood pressure' },
} as const satisfies Record<string, Code>;

export const MM_HG = { code: 'mm[Hg]', display: 'mmHg' } as const;
