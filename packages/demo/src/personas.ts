import type { ConditionKey } from './conditions.ts';
import type { PayerKey } from './coverage.ts';
import type { Code } from './fhir-helpers.ts';
import type { MedicationKey } from './medications.ts';
import type { Program, Sex } from './model.ts';
import type { PersonName } from './names.ts';

/**
 * The first patients are fixed personas, so that demos and the patient portal have known people to show.
 * Everything not fixed here (address, visit dates, lab values...) still comes from the seed.
 */
export interface Persona {
  readonly username: string;
  readonly name: PersonName;
  readonly sex: Sex;
  readonly age: number;
  readonly program: Program;
  readonly conditions: readonly ConditionKey[];
  readonly medications: ReadonlyArray<{ readonly key: MedicationKey; readonly conditions: readonly ConditionKey[] }>;
  readonly payer: PayerKey;
  readonly language: Code;
  readonly summary: string;
}

const ENGLISH: Code = { code: 'en-US', display: 'English (United States)' };

export const PERSONAS: readonly Persona[] = [
  {
    username: 'maya.thompson',
    name: { given: ['Maya', 'Rose'], family: 'Thompson' },
    sex: 'female',
    age: 34,
    program: 'mental-health',
    conditions: ['mdd-recurrent-moderate', 'gad'],
    medications: [{ key: 'sertraline-50', conditions: ['mdd-recurrent-moderate', 'gad'] }],
    payer: 'evergreen',
    language: ENGLISH,
    summary: 'Recurrent depression and generalized anxiety; weekly-to-biweekly therapy and psychiatric medication management.',
  },
  {
    username: 'daniel.reyes',
    name: { given: ['Daniel'], family: 'Reyes' },
    sex: 'male',
    age: 41,
    program: 'substance-use',
    conditions: ['oud', 'tobacco', 'gad'],
    medications: [
      { key: 'buprenorphine-naloxone-8-2', conditions: ['oud'] },
      { key: 'nicotine-patch-21', conditions: ['tobacco'] },
    ],
    payer: 'medicaid',
    language: ENGLISH,
    summary: 'Opioid use disorder on buprenorphine/naloxone in the Riverside Recovery (42 CFR Part 2) program.',
  },
  {
    username: 'linda.brooks',
    name: { given: ['Linda', 'Marie'], family: 'Brooks' },
    sex: 'female',
    age: 58,
    program: 'integrated',
    conditions: ['t2dm', 'htn', 'hld', 'mdd-single-moderate'],
    medications: [
      { key: 'metformin-500', conditions: ['t2dm'] },
      { key: 'lisinopril-10', conditions: ['htn'] },
      { key: 'atorvastatin-20', conditions: ['hld'] },
      { key: 'escitalopram-10', conditions: ['mdd-single-moderate'] },
    ],
    payer: 'summit',
    language: ENGLISH,
    summary: 'Type 2 diabetes, hypertension and hyperlipidemia in primary care, with depression treated in integrated behavioral health.',
  },
];

export function patientId(index: number): string {
  return `demo-patient-${String(index).padStart(3, '0')}`;
}

/** The patients who will get patient-portal accounts (plain data: no passwords). */
export const demoPatientUsers: Array<{ username: string; display: string; patientId: string; email: string }> = PERSONAS.map(
  (p, i) => ({
    username: p.username,
    display: `${p.name.given[0]} ${p.name.family}`,
    patientId: patientId(i + 1),
    email: `${p.username}@example.com`,
  }),
);
