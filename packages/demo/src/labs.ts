import type { Code } from './fhir-helpers.ts';

/** Laboratory tests (LOINC, UCUM units, adult reference ranges) and the panels that group them. */
export type LabTestKey =
  | 'hba1c'
  | 'glucose'
  | 'bun'
  | 'creatinine'
  | 'sodium'
  | 'potassium'
  | 'chloride'
  | 'co2'
  | 'calcium'
  | 'wbc'
  | 'hemoglobin'
  | 'hematocrit'
  | 'platelets'
  | 'cholesterol'
  | 'triglycerides'
  | 'hdl'
  | 'ldl'
  | 'alt'
  | 'ast'
  | 'tsh'
  | 'lithium';

export interface Range {
  readonly low?: number;
  readonly high?: number;
}

export interface LabTestDef {
  readonly key: LabTestKey;
  readonly loinc: Code;
  readonly unit: { readonly code: string; readonly display: string };
  readonly decimals: number;
  /** Reference range; `female`/`male` override it where it differs by sex. */
  readonly range: Range;
  readonly female?: Range;
  readonly male?: Range;
  /** Text for the range, e.g. a therapeutic range. */
  readonly rangeText?: string;
}

const u = (code: string, display = code) => ({ code, display });

export const LAB_TESTS: Readonly<Record<LabTestKey, LabTestDef>> = {
  hba1c: { key: 'hba1c', loinc: { code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }, unit: u('%'), decimals: 1, range: { low: 4.0, high: 5.6 } },
  glucose: { key: 'glucose', loinc: { code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' }, unit: u('mg/dL'), decimals: 0, range: { low: 70, high: 99 } },
  bun: { key: 'bun', loinc: { code: '3094-0', display: 'Urea nitrogen [Mass/volume] in Serum or Plasma' }, unit: u('mg/dL'), decimals: 0, range: { low: 7, high: 20 } },
  creatinine: {
    key: 'creatinine',
    loinc: { code: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma' },
    unit: u('mg/dL'),
    decimals: 2,
    range: { low: 0.59, high: 1.35 },
    female: { low: 0.59, high: 1.04 },
    male: { low: 0.74, high: 1.35 },
  },
  sodium: { key: 'sodium', loinc: { code: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma' }, unit: u('mmol/L'), decimals: 0, range: { low: 136, high: 145 } },
  potassium: { key: 'potassium', loinc: { code: '2823-3', display: 'Potassium [Moles/volume] in Serum or Plasma' }, unit: u('mmol/L'), decimals: 1, range: { low: 3.5, high: 5.1 } },
  chloride: { key: 'chloride', loinc: { code: '2075-0', display: 'Chloride [Moles/volume] in Serum or Plasma' }, unit: u('mmol/L'), decimals: 0, range: { low: 98, high: 107 } },
  co2: { key: 'co2', loinc: { code: '2028-9', display: 'Carbon dioxide, total [Moles/volume] in Serum or Plasma' }, unit: u('mmol/L'), decimals: 0, range: { low: 22, high: 29 } },
  calcium: { key: 'calcium', loinc: { code: '17861-6', display: 'Calcium [Mass/volume] in Serum or Plasma' }, unit: u('mg/dL'), decimals: 1, range: { low: 8.6, high: 10.3 } },
  wbc: { key: 'wbc', loinc: { code: '6690-2', display: 'Leukocytes [#/volume] in Blood by Automated count' }, unit: u('10*3/uL'), decimals: 1, range: { low: 4.5, high: 11.0 } },
  hemoglobin: {
    key: 'hemoglobin',
    loinc: { code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' },
    unit: u('g/dL'),
    decimals: 1,
    range: { low: 12.0, high: 17.5 },
    female: { low: 12.0, high: 15.5 },
    male: { low: 13.5, high: 17.5 },
  },
  hematocrit: {
    key: 'hematocrit',
    loinc: { code: '4544-3', display: 'Hematocrit [Volume Fraction] of Blood by Automated count' },
    unit: u('%'),
    decimals: 1,
    range: { low: 36, high: 53 },
    female: { low: 36, high: 46 },
    male: { low: 41, high: 53 },
  },
  platelets: { key: 'platelets', loinc: { code: '777-3', display: 'Platelets [#/volume] in Blood by Automated count' }, unit: u('10*3/uL'), decimals: 0, range: { low: 150, high: 400 } },
  cholesterol: { key: 'cholesterol', loinc: { code: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma' }, unit: u('mg/dL'), decimals: 0, range: { high: 199 } },
  triglycerides: { key: 'triglycerides', loinc: { code: '2571-8', display: 'Triglyceride [Mass/volume] in Serum or Plasma' }, unit: u('mg/dL'), decimals: 0, range: { high: 149 } },
  hdl: { key: 'hdl', loinc: { code: '2085-9', display: 'Cholesterol in HDL [Mass/volume] in Serum or Plasma' }, unit: u('mg/dL'), decimals: 0, range: { low: 40 } },
  ldl: { key: 'ldl', loinc: { code: '13457-7', display: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation' }, unit: u('mg/dL'), decimals: 0, range: { high: 99 } },
  alt: { key: 'alt', loinc: { code: '1742-6', display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma' }, unit: u('U/L'), decimals: 0, range: { low: 7, high: 56 } },
  ast: { key: 'ast', loinc: { code: '1920-8', display: 'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma' }, unit: u('U/L'), decimals: 0, range: { low: 10, high: 40 } },
  tsh: { key: 'tsh', loinc: { code: '3016-3', display: 'Thyrotropin [Units/volume] in Serum or Plasma' }, unit: u('m[IU]/L', 'mIU/L'), decimals: 2, range: { low: 0.45, high: 4.5 } },
  lithium: {
    key: 'lithium',
    loinc: { code: '14334-7', display: 'Lithium [Moles/volume] in Serum or Plasma' },
    unit: u('mmol/L'),
    decimals: 2,
    range: { low: 0.6, high: 1.2 },
    rangeText: 'Therapeutic range 0.6-1.2 mmol/L (12 hours post-dose)',
  },
};

export type LabPanelKey = 'bmp' | 'cbc' | 'lipid' | 'hepatic' | 'a1c' | 'tsh' | 'lithium';

export interface LabPanelDef {
  readonly key: LabPanelKey;
  /** LOINC code of the order / DiagnosticReport. */
  readonly loinc: Code;
  readonly tests: readonly LabTestKey[];
  /** HL7 v2 table 0074 diagnostic service section. */
  readonly section: Code;
}

const CHEMISTRY: Code = { code: 'CH', display: 'Chemistry' };
const HEMATOLOGY: Code = { code: 'HM', display: 'Hematology' };

export const LAB_PANELS: Readonly<Record<LabPanelKey, LabPanelDef>> = {
  bmp: {
    key: 'bmp',
    loinc: { code: '51990-0', display: 'Basic metabolic panel - Blood' },
    tests: ['glucose', 'bun', 'creatinine', 'sodium', 'potassium', 'chloride', 'co2', 'calcium'],
    section: CHEMISTRY,
  },
  cbc: {
    key: 'cbc',
    loinc: { code: '58410-2', display: 'CBC panel - Blood by Automated count' },
    tests: ['wbc', 'hemoglobin', 'hematocrit', 'platelets'],
    section: HEMATOLOGY,
  },
  lipid: {
    key: 'lipid',
    loinc: { code: '24331-1', display: 'Lipid 1996 panel - Serum or Plasma' },
    tests: ['cholesterol', 'triglycerides', 'hdl', 'ldl'],
    section: CHEMISTRY,
  },
  hepatic: {
    key: 'hepatic',
    loinc: { code: '24325-3', display: 'Hepatic function 2000 panel - Serum or Plasma' },
    tests: ['alt', 'ast'],
    section: CHEMISTRY,
  },
  a1c: { key: 'a1c', loinc: LAB_TESTS.hba1c.loinc, tests: ['hba1c'], section: CHEMISTRY },
  tsh: { key: 'tsh', loinc: LAB_TESTS.tsh.loinc, tests: ['tsh'], section: CHEMISTRY },
  lithium: { key: 'lithium', loinc: LAB_TESTS.lithium.loinc, tests: ['lithium'], section: CHEMISTRY },
};

export function rangeFor(test: LabTestDef, sex: 'female' | 'male'): Range {
  return (sex === 'female' ? test.female : test.male) ?? test.range;
}

/** HL7 v3 ObservationInterpretation for a value against a range. */
export function interpretationCode(value: number, range: Range): { code: string; display: string } {
  if (range.low !== undefined && value < range.low) return { code: 'L', display: 'Low' };
  if (range.high !== undefined && value > range.high) return { code: 'H', display: 'High' };
  return { code: 'N', display: 'Normal' };
}
