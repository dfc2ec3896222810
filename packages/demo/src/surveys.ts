import type { Code } from './fhir-helpers.ts';

/**
 * Standardized screening instruments, recorded as their LOINC total-score observations (category survey).
 * Note: 44249-1 is the PHQ-9 *panel*; the total score is 44261-6.
 */
export type SurveyKey = 'phq9' | 'gad7';

export interface SurveyDef {
  readonly key: SurveyKey;
  readonly loinc: Code;
  readonly panel: Code;
  readonly max: number;
  /** Severity bands: [lowest score, label]. */
  readonly bands: ReadonlyArray<readonly [number, string]>;
}

export const SURVEYS: Readonly<Record<SurveyKey, SurveyDef>> = {
  phq9: {
    key: 'phq9',
    loinc: { code: '44261-6', display: 'Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]' },
    panel: { code: '44249-1', display: 'PHQ-9 quick depression assessment panel [Reported.PHQ]' },
    max: 27,
    bands: [
      [0, 'Minimal depression'],
      [5, 'Mild depression'],
      [10, 'Moderate depression'],
      [15, 'Moderately severe depression'],
      [20, 'Severe depression'],
    ],
  },
  gad7: {
    key: 'gad7',
    loinc: { code: '70274-6', display: 'Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]' },
    panel: { code: '69737-5', display: 'Generalized anxiety disorder 7 item (GAD-7)' },
    max: 21,
    bands: [
      [0, 'Minimal anxiety'],
      [5, 'Mild anxiety'],
      [10, 'Moderate anxiety'],
      [15, 'Severe anxiety'],
    ],
  },
};

export function severity(survey: SurveyDef, score: number): string {
  let label = survey.bands[0][1];
  for (const [min, text] of survey.bands) if (score >= min) label = text;
  return label;
}
