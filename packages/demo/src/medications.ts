import type { ConditionKey } from './conditions.ts';
import type { Code } from './fhir-helpers.ts';

/** SNOMED CT routes of administration. */
export const ROUTES = {
  oral: { code: '26643006', display: 'Oral route' },
  sublingual: { code: '37839007', display: 'Sublingual route' },
  inhaled: { code: '447694001', display: 'Respiratory tract route' },
  transdermal: { code: '45890007', display: 'Transdermal route' },
} as const satisfies Record<string, Code>;

export type MedicationKey =
  | 'sertraline-50'
  | 'escitalopram-10'
  | 'fluoxetine-20'
  | 'bupropion-xl-150'
  | 'trazodone-50'
  | 'atomoxetine-40'
  | 'methylphenidate-er-36'
  | 'lithium-300'
  | 'buprenorphine-naloxone-8-2'
  | 'naltrexone-50'
  | 'acamprosate-333'
  | 'nicotine-patch-21'
  | 'varenicline-1'
  | 'metformin-500'
  | 'lisinopril-10'
  | 'amlodipine-5'
  | 'atorvastatin-20'
  | 'albuterol-hfa';

export interface MedicationDef {
  readonly key: MedicationKey;
  /** RxNorm semantic clinical drug (SCD): RXCUI and its normalized name. */
  readonly rxnorm: Code;
  readonly sig: string;
  readonly route: Code;
  readonly dose: { readonly value: number; readonly unit: string };
  readonly timing: { readonly frequency: number; readonly period: number; readonly periodUnit: 'h' | 'd' | 'wk' };
  readonly asNeeded?: boolean;
  readonly dispense: { readonly value: number; readonly unit: string };
  readonly supplyDays: number;
  readonly refills: number;
  /** A time-limited course (days), after which the order is completed; otherwise continuous therapy. */
  readonly courseDays?: number;
  readonly classes: readonly ('ssri' | 'antidepressant' | 'stimulant' | 'controlled' | 'mat')[];
}

const daily = { frequency: 1, period: 1, periodUnit: 'd' } as const;
const twiceDaily = { frequency: 2, period: 1, periodUnit: 'd' } as const;

export const MEDICATIONS: Readonly<Record<MedicationKey, MedicationDef>> = {
  'sertraline-50': {
    key: 'sertraline-50',
    rxnorm: { code: '312941', display: 'sertraline 50 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth once daily.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: daily,
    dispense: { value: 30, unit: 'tablet' },
    supplyDays: 30,
    refills: 5,
    classes: ['ssri', 'antidepressant'],
  },
  'escitalopram-10': {
    key: 'escitalopram-10',
    rxnorm: { code: '349332', display: 'escitalopram 10 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth once daily.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: daily,
    dispense: { value: 30, unit: 'tablet' },
    supplyDays: 30,
    refills: 5,
    classes: ['ssri', 'antidepressant'],
  },
  'fluoxetine-20': {
    key: 'fluoxetine-20',
    rxnorm: { code: '310385', display: 'fluoxetine 20 MG Oral Capsule' },
    sig: 'Take 1 capsule by mouth every morning.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'capsule' },
    timing: daily,
    dispense: { value: 30, unit: 'capsule' },
    supplyDays: 30,
    refills: 5,
    classes: ['ssri', 'antidepressant'],
  },
  'bupropion-xl-150': {
    key: 'bupropion-xl-150',
    rxnorm: { code: '993541', display: '24 HR bupropion hydrochloride 150 MG Extended Release Oral Tablet' },
    sig: 'Take 1 tablet by mouth every morning. Do not crush or chew.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: daily,
    dispense: { value: 30, unit: 'tablet' },
    supplyDays: 30,
    refills: 5,
    classes: ['antidepressant'],
  },
  'trazodone-50': {
    key: 'trazodone-50',
    rxnorm: { code: '856377', display: 'trazodone hydrochloride 50 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth at bedtime as needed for sleep.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: daily,
    asNeeded: true,
    dispense: { value: 30, unit: 'tablet' },
    supplyDays: 30,
    refills: 2,
    classes: [],
  },
  'atomoxetine-40': {
    key: 'atomoxetine-40',
    rxnorm: { code: '349594', display: 'atomoxetine 40 MG Oral Capsule' },
    sig: 'Take 1 capsule by mouth once daily.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'capsule' },
    timing: daily,
    dispense: { value: 30, unit: 'capsule' },
    supplyDays: 30,
    refills: 5,
    classes: [],
  },
  'methylphenidate-er-36': {
    key: 'methylphenidate-er-36',
    rxnorm: { code: '1091185', display: '24 HR methylphenidate hydrochloride 36 MG Extended Release Oral Tablet' },
    sig: 'Take 1 tablet by mouth every morning.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: daily,
    dispense: { value: 30, unit: 'tablet' },
    supplyDays: 30,
    refills: 0,
    classes: ['stimulant', 'controlled'],
  },
  'lithium-300': {
    key: 'lithium-300',
    rxnorm: { code: '197890', display: 'lithium carbonate 300 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth twice daily. Keep well hydrated; lithium level in 3 months.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: twiceDaily,
    dispense: { value: 60, unit: 'tablet' },
    supplyDays: 30,
    refills: 2,
    classes: [],
  },
  'buprenorphine-naloxone-8-2': {
    key: 'buprenorphine-naloxone-8-2',
    rxnorm: { code: '1010604', display: 'buprenorphine 8 MG / naloxone 2 MG Sublingual Film' },
    sig: 'Dissolve 1 film under the tongue once daily.',
    route: ROUTES.sublingual,
    dose: { value: 1, unit: 'film' },
    timing: daily,
    dispense: { value: 14, unit: 'film' },
    supplyDays: 14,
    refills: 1,
    classes: ['controlled', 'mat'],
  },
  'naltrexone-50': {
    key: 'naltrexone-50',
    rxnorm: { code: '1483744', display: 'naltrexone hydrochloride 50 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth once daily.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: daily,
    dispense: { value: 30, unit: 'tablet' },
    supplyDays: 30,
    refills: 3,
    classes: ['mat'],
  },
  'acamprosate-333': {
    key: 'acamprosate-333',
    rxnorm: { code: '835726', display: 'acamprosate calcium 333 MG Delayed Release Oral Tablet' },
    sig: 'Take 2 tablets by mouth three times daily.',
    route: ROUTES.oral,
    dose: { value: 2, unit: 'tablet' },
    timing: { frequency: 3, period: 1, periodUnit: 'd' },
    dispense: { value: 180, unit: 'tablet' },
    supplyDays: 30,
    refills: 3,
    classes: ['mat'],
  },
  'nicotine-patch-21': {
    key: 'nicotine-patch-21',
    rxnorm: { code: '198030', display: '24 HR nicotine 0.875 MG/HR Transdermal System' },
    sig: 'Apply 1 patch to clean, dry skin once daily; rotate sites.',
    route: ROUTES.transdermal,
    dose: { value: 1, unit: 'patch' },
    timing: daily,
    dispense: { value: 28, unit: 'patch' },
    supplyDays: 28,
    refills: 1,
    courseDays: 84,
    classes: [],
  },
  'varenicline-1': {
    key: 'varenicline-1',
    rxnorm: { code: '636676', display: 'varenicline 1 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth twice daily after meals.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: twiceDaily,
    dispense: { value: 56, unit: 'tablet' },
    supplyDays: 28,
    refills: 2,
    courseDays: 84,
    classes: [],
  },
  'metformin-500': {
    key: 'metformin-500',
    rxnorm: { code: '861007', display: 'metformin hydrochloride 500 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth twice daily with meals.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: twiceDaily,
    dispense: { value: 180, unit: 'tablet' },
    supplyDays: 90,
    refills: 3,
    classes: [],
  },
  'lisinopril-10': {
    key: 'lisinopril-10',
    rxnorm: { code: '314076', display: 'lisinopril 10 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth once daily.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: daily,
    dispense: { value: 90, unit: 'tablet' },
    supplyDays: 90,
    refills: 3,
    classes: [],
  },
  'amlodipine-5': {
    key: 'amlodipine-5',
    rxnorm: { code: '197361', display: 'amlodipine 5 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth once daily.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: daily,
    dispense: { value: 90, unit: 'tablet' },
    supplyDays: 90,
    refills: 3,
    classes: [],
  },
  'atorvastatin-20': {
    key: 'atorvastatin-20',
    rxnorm: { code: '617310', display: 'atorvastatin 20 MG Oral Tablet' },
    sig: 'Take 1 tablet by mouth once daily.',
    route: ROUTES.oral,
    dose: { value: 1, unit: 'tablet' },
    timing: daily,
    dispense: { value: 90, unit: 'tablet' },
    supplyDays: 90,
    refills: 3,
    classes: [],
  },
  'albuterol-hfa': {
    key: 'albuterol-hfa',
    rxnorm: { code: '745679', display: '200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler' },
    sig: 'Inhale 2 puffs every 4 to 6 hours as needed for wheezing or shortness of breath.',
    route: ROUTES.inhaled,
    dose: { value: 2, unit: 'puff' },
    timing: { frequency: 1, period: 4, periodUnit: 'h' },
    asNeeded: true,
    dispense: { value: 1, unit: 'inhaler' },
    supplyDays: 30,
    refills: 3,
    classes: [],
  },
};

/** First-line choices per diagnosis; the generator picks one and reuses an antidepressant across diagnoses. */
export const TREATMENTS: Readonly<Partial<Record<ConditionKey, readonly MedicationKey[]>>> = {
  'mdd-single-moderate': ['sertraline-50', 'escitalopram-10', 'fluoxetine-20', 'bupropion-xl-150'],
  'mdd-recurrent-moderate': ['sertraline-50', 'escitalopram-10', 'fluoxetine-20', 'bupropion-xl-150'],
  gad: ['escitalopram-10', 'sertraline-50'],
  panic: ['sertraline-50', 'escitalopram-10'],
  ptsd: ['sertraline-50'],
  'adhd-inattentive': ['atomoxetine-40', 'methylphenidate-er-36'],
  'bipolar-2': ['lithium-300'],
  insomnia: ['trazodone-50'],
  oud: ['buprenorphine-naloxone-8-2'],
  aud: ['naltrexone-50', 'acamprosate-333'],
  tobacco: ['nicotine-patch-21', 'varenicline-1'],
  t2dm: ['metformin-500'],
  htn: ['lisinopril-10', 'amlodipine-5'],
  hld: ['atorvastatin-20'],
  asthma: ['albuterol-hfa'],
};

export const MEDICATION_KEYS = Object.keys(MEDICATIONS) as MedicationKey[];
