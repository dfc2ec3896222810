import type { Code } from './fhir-helpers.ts';

/**
 * Diagnoses the demo practice treats. ICD-10-CM codes carry their official long descriptions; SNOMED CT
 * codings (fully specified names without the semantic tag) are added where the mapping is unambiguous.
 */
export type ConditionKey =
  | 'mdd-single-moderate'
  | 'mdd-recurrent-moderate'
  | 'gad'
  | 'panic'
  | 'ptsd'
  | 'adjustment'
  | 'adhd-inattentive'
  | 'bipolar-2'
  | 'insomnia'
  | 'oud'
  | 'aud'
  | 'tobacco'
  | 't2dm'
  | 'htn'
  | 'hld'
  | 'asthma'
  | 'obesity';

export type ConditionDomain = 'mental-health' | 'substance-use' | 'medical';

export interface ConditionDef {
  readonly key: ConditionKey;
  readonly icd10: Code;
  readonly snomed?: Code;
  readonly domain: ConditionDomain;
  /** Treated in the 42 CFR Part 2 program (tobacco use is excluded from Part 2 by definition). */
  readonly part2: boolean;
  /** Years before the first visit that the condition began. */
  readonly onsetYears: readonly [number, number];
}

const def = (
  key: ConditionKey,
  icd10: Code,
  snomed: Code | undefined,
  domain: ConditionDomain,
  onsetYears: readonly [number, number],
  part2 = false,
): ConditionDef => ({ key, icd10, snomed, domain, onsetYears, part2 });

export const CONDITIONS: Readonly<Record<ConditionKey, ConditionDef>> = {
  'mdd-single-moderate': def(
    'mdd-single-moderate',
    { code: 'F32.1', display: 'Major depressive disorder, single episode, moderate' },
    { code: '36923009', display: 'Major depression, single episode' },
    'mental-health',
    [0.1, 1],
  ),
  'mdd-recurrent-moderate': def(
    'mdd-recurrent-moderate',
    { code: 'F33.1', display: 'Major depressive disorder, recurrent, moderate' },
    { code: '18818009', display: 'Moderate recurrent major depression' },
    'mental-health',
    [2, 15],
  ),
  gad: def(
    'gad',
    { code: 'F41.1', display: 'Generalized anxiety disorder' },
    { code: '21897009', display: 'Generalized anxiety disorder' },
    'mental-health',
    [1, 10],
  ),
  panic: def(
    'panic',
    { code: 'F41.0', display: 'Panic disorder [episodic paroxysmal anxiety]' },
    { code: '371631005', display: 'Panic disorder' },
    'mental-health',
    [0.5, 5],
  ),
  ptsd: def(
    'ptsd',
    { code: 'F43.10', display: 'Post-traumatic stress disorder, unspecified' },
    { code: '47505003', display: 'Posttraumatic stress disorder' },
    'mental-health',
    [1, 12],
  ),
  adjustment: def(
    'adjustment',
    { code: 'F43.23', display: 'Adjustment disorder with mixed anxiety and depressed mood' },
    undefined,
    'mental-health',
    [0.05, 0.4],
  ),
  'adhd-inattentive': def(
    'adhd-inattentive',
    { code: 'F90.0', display: 'Attention-deficit hyperactivity disorder, predominantly inattentive type' },
    { code: '406506008', display: 'Attention deficit hyperactivity disorder' },
    'mental-health',
    [5, 25],
  ),
  'bipolar-2': def(
    'bipolar-2',
    { code: 'F31.81', display: 'Bipolar II disorder' },
    { code: '83225003', display: 'Bipolar II disorder' },
    'mental-health',
    [2, 15],
  ),
  insomnia: def(
    'insomnia',
    { code: 'G47.00', display: 'Insomnia, unspecified' },
    { code: '193462001', display: 'Insomnia' },
    'mental-health',
    [0.5, 5],
  ),
  oud: def(
    'oud',
    { code: 'F11.20', display: 'Opioid dependence, uncomplicated' },
    { code: '75544000', display: 'Opioid dependence' },
    'substance-use',
    [1, 10],
    true,
  ),
  aud: def(
    'aud',
    { code: 'F10.20', display: 'Alcohol dependence, uncomplicated' },
    { code: '66590003', display: 'Alcohol dependence' },
    'substance-use',
    [2, 15],
    true,
  ),
  tobacco: def(
    'tobacco',
    { code: 'F17.210', display: 'Nicotine dependence, cigarettes, uncomplicated' },
    { code: '56294008', display: 'Nicotine dependence' },
    'substance-use',
    [5, 30],
  ),
  t2dm: def(
    't2dm',
    { code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
    { code: '44054006', display: 'Diabetes mellitus type 2' },
    'medical',
    [0.5, 12],
  ),
  htn: def(
    'htn',
    { code: 'I10', display: 'Essential (primary) hypertension' },
    { code: '59621000', display: 'Essential hypertension' },
    'medical',
    [0.5, 15],
  ),
  hld: def(
    'hld',
    { code: 'E78.5', display: 'Hyperlipidemia, unspecified' },
    { code: '55822004', display: 'Hyperlipidemia' },
    'medical',
    [0.5, 10],
  ),
  asthma: def(
    'asthma',
    { code: 'J45.909', display: 'Unspecified asthma, uncomplicated' },
    { code: '195967001', display: 'Asthma' },
    'medical',
    [5, 30],
  ),
  obesity: def(
    'obesity',
    { code: 'E66.9', display: 'Obesity, unspecified' },
    { code: '414916001', display: 'Obesity' },
    'medical',
    [1, 10],
  ),
};

export const CONDITION_KEYS = Object.keys(CONDITIONS) as ConditionKey[];

export const DEPRESSION: readonly ConditionKey[] = ['mdd-single-moderate', 'mdd-recurrent-moderate'];
export const ANXIETY: readonly ConditionKey[] = ['gad', 'panic', 'ptsd'];
