import type { Code } from './fhir-helpers.ts';

/** Common allergies and intolerances: the substance (SNOMED CT, plus RxNorm for drugs) and typical reactions. */
export type AllergyKey = 'penicillin' | 'sulfonamide' | 'codeine' | 'aspirin' | 'ibuprofen' | 'latex' | 'peanut' | 'shellfish' | 'bee-venom';

export interface AllergyDef {
  readonly key: AllergyKey;
  readonly snomed: Code;
  readonly rxnorm?: Code;
  readonly category: 'medication' | 'food' | 'environment' | 'biologic';
  readonly type: 'allergy' | 'intolerance';
  readonly reactions: readonly Code[];
  readonly weight: number;
}

/** SNOMED CT clinical findings used as reaction manifestations. */
export const REACTIONS = {
  rash: { code: '271807003', display: 'Eruption of skin' },
  hives: { code: '126485001', display: 'Urticaria' },
  anaphylaxis: { code: '39579001', display: 'Anaphylaxis' },
  nausea: { code: '422587007', display: 'Nausea' },
  itching: { code: '418290006', display: 'Itching' },
  dyspnea: { code: '267036007', display: 'Dyspnea' },
} as const satisfies Record<string, Code>;

export const ALLERGIES: Readonly<Record<AllergyKey, AllergyDef>> = {
  penicillin: {
    key: 'penicillin',
    snomed: { code: '764146007', display: 'Penicillin' },
    category: 'medication',
    type: 'allergy',
    reactions: [REACTIONS.hives, REACTIONS.rash, REACTIONS.anaphylaxis],
    weight: 10,
  },
  sulfonamide: {
    key: 'sulfonamide',
    snomed: { code: '387406002', display: 'Sulfonamide' },
    category: 'medication',
    type: 'allergy',
    reactions: [REACTIONS.rash, REACTIONS.itching],
    weight: 5,
  },
  codeine: {
    key: 'codeine',
    snomed: { code: '387494007', display: 'Codeine' },
    rxnorm: { code: '2670', display: 'codeine' },
    category: 'medication',
    type: 'intolerance',
    reactions: [REACTIONS.nausea, REACTIONS.itching],
    weight: 3,
  },
  aspirin: {
    key: 'aspirin',
    snomed: { code: '387458008', display: 'Aspirin' },
    rxnorm: { code: '1191', display: 'aspirin' },
    category: 'medication',
    type: 'allergy',
    reactions: [REACTIONS.hives, REACTIONS.dyspnea],
    weight: 2,
  },
  ibuprofen: {
    key: 'ibuprofen',
    snomed: { code: '387207008', display: 'Ibuprofen' },
    rxnorm: { code: '5640', display: 'ibuprofen' },
    category: 'medication',
    type: 'intolerance',
    reactions: [REACTIONS.nausea],
    weight: 2,
  },
  latex: {
    key: 'latex',
    snomed: { code: '111088007', display: 'Latex' },
    category: 'environment',
    type: 'allergy',
    reactions: [REACTIONS.hives, REACTIONS.itching],
    weight: 2,
  },
  peanut: {
    key: 'peanut',
    snomed: { code: '762952008', display: 'Peanut' },
    category: 'food',
    type: 'allergy',
    reactions: [REACTIONS.hives, REACTIONS.anaphylaxis],
    weight: 3,
  },
  shellfish: {
    key: 'shellfish',
    snomed: { code: '735029006', display: 'Shellfish' },
    category: 'food',
    type: 'allergy',
    reactions: [REACTIONS.hives, REACTIONS.nausea],
    weight: 3,
  },
  'bee-venom': {
    key: 'bee-venom',
    snomed: { code: '288328004', display: 'Bee venom' },
    category: 'environment',
    type: 'allergy',
    reactions: [REACTIONS.hives, REACTIONS.anaphylaxis],
    weight: 2,
  },
};
