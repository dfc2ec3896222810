/**
 * A curated problem list for the code search (no terminology server is reachable from here; docs/web.md).
 * Each entry carries the ICD-10-CM code (billing) and the SNOMED CT concept (clinical), as US Core
 * Condition problem-list items allow both codings in one CodeableConcept.
 */
export interface ProblemTerm {
  icd10: string;
  snomed: string;
  display: string;
  /** Other words people search with. */
  synonyms?: string;
}

export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const SNOMED = 'http://snomed.info/sct';

export const PROBLEMS: ProblemTerm[] = [
  { icd10: 'F32.0', snomed: '79298009', display: 'Major depressive disorder, single episode, mild', synonyms: 'depression MDD' },
  { icd10: 'F32.1', snomed: '36923009', display: 'Major depressive disorder, single episode, moderate', synonyms: 'depression MDD' },
  { icd10: 'F33.1', snomed: '18818009', display: 'Major depressive disorder, recurrent, moderate', synonyms: 'depression MDD' },
  { icd10: 'F34.1', snomed: '78667006', display: 'Dysthymic disorder', synonyms: 'persistent depressive disorder' },
  { icd10: 'F41.1', snomed: '21897009', display: 'Generalized anxiety disorder', synonyms: 'GAD anxiety' },
  { icd10: 'F41.0', snomed: '371631005', display: 'Panic disorder', synonyms: 'panic attacks anxiety' },
  { icd10: 'F40.10', snomed: '25501002', display: 'Social phobia', synonyms: 'social anxiety disorder' },
  { icd10: 'F42.2', snomed: '191736004', display: 'Obsessive-compulsive disorder', synonyms: 'OCD' },
  { icd10: 'F43.10', snomed: '47505003', display: 'Post-traumatic stress disorder', synonyms: 'PTSD trauma' },
  { icd10: 'F43.23', snomed: '192110007', display: 'Adjustment disorder with mixed anxiety and depressed mood' },
  { icd10: 'F90.0', snomed: '406506008', display: 'Attention-deficit hyperactivity disorder, inattentive type', synonyms: 'ADHD ADD' },
  { icd10: 'F31.81', snomed: '83225003', display: 'Bipolar II disorder', synonyms: 'bipolar' },
  { icd10: 'F31.9', snomed: '13746004', display: 'Bipolar disorder, unspecified', synonyms: 'bipolar manic' },
  { icd10: 'F20.9', snomed: '58214004', display: 'Schizophrenia, unspecified', synonyms: 'psychosis' },
  { icd10: 'F50.00', snomed: '56882008', display: 'Anorexia nervosa', synonyms: 'eating disorder' },
  { icd10: 'F50.2', snomed: '78004001', display: 'Bulimia nervosa', synonyms: 'eating disorder' },
  { icd10: 'G47.00', snomed: '193462001', display: 'Insomnia', synonyms: 'sleep' },
  { icd10: 'F11.20', snomed: '75544000', display: 'Opioid dependence', synonyms: 'OUD opioid use disorder substance' },
  { icd10: 'F10.20', snomed: '66590003', display: 'Alcohol dependence', synonyms: 'AUD alcohol use disorder substance' },
  { icd10: 'F12.20', snomed: '85005007', display: 'Cannabis dependence', synonyms: 'marijuana substance' },
  { icd10: 'F17.210', snomed: '56294008', display: 'Nicotine dependence, cigarettes', synonyms: 'smoking tobacco' },
  { icd10: 'E11.9', snomed: '44054006', display: 'Type 2 diabetes mellitus without complications', synonyms: 'diabetes DM2 T2DM' },
  { icd10: 'E10.9', snomed: '46635009', display: 'Type 1 diabetes mellitus without complications', synonyms: 'diabetes DM1' },
  { icd10: 'I10', snomed: '59621000', display: 'Essential hypertension', synonyms: 'high blood pressure HTN' },
  { icd10: 'E78.5', snomed: '55822004', display: 'Hyperlipidemia', synonyms: 'high cholesterol' },
  { icd10: 'J45.909', snomed: '195967001', display: 'Asthma, uncomplicated', synonyms: 'asthma' },
  { icd10: 'J44.9', snomed: '13645005', display: 'Chronic obstructive pulmonary disease', synonyms: 'COPD' },
  { icd10: 'E66.9', snomed: '414916001', display: 'Obesity', synonyms: 'obese BMI' },
  { icd10: 'E03.9', snomed: '40930008', display: 'Hypothyroidism', synonyms: 'thyroid' },
  { icd10: 'K21.9', snomed: '235595009', display: 'Gastro-esophageal reflux disease', synonyms: 'GERD reflux heartburn' },
  { icd10: 'M54.50', snomed: '279039007', display: 'Low back pain', synonyms: 'back pain lumbago' },
  { icd10: 'G43.909', snomed: '37796009', display: 'Migraine', synonyms: 'headache' },
  { icd10: 'M79.7', snomed: '203082005', display: 'Fibromyalgia', synonyms: 'chronic pain' },
  { icd10: 'N39.0', snomed: '68566005', display: 'Urinary tract infection', synonyms: 'UTI' },
  { icd10: 'J06.9', snomed: '54150009', display: 'Upper respiratory infection', synonyms: 'URI cold' },
  { icd10: 'B20', snomed: '86406008', display: 'Human immunodeficiency virus infection', synonyms: 'HIV' },
  { icd10: 'I48.91', snomed: '49436004', display: 'Atrial fibrillation', synonyms: 'AFib' },
  { icd10: 'N18.3', snomed: '433144002', display: 'Chronic kidney disease stage 3', synonyms: 'CKD renal' },
  { icd10: 'Z72.0', snomed: '77176002', display: 'Tobacco use', synonyms: 'smoker' },
];

/** Matches every word of the query against display, codes and synonyms; best (prefix) matches first. */
export function searchProblems(query: string, limit = 12): ProblemTerm[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return PROBLEMS.slice(0, limit);
  const scored = PROBLEMS.map((p) => {
    const hay = `${p.display} ${p.icd10} ${p.snomed} ${p.synonyms ?? ''}`.toLowerCase();
    if (!words.every((w) => hay.includes(w))) return undefined;
    const score = (p.display.toLowerCase().startsWith(words[0]) ? 2 : 0) + (p.icd10.toLowerCase().startsWith(words[0]) ? 3 : 0);
    return { p, score };
  }).filter((x): x is { p: ProblemTerm; score: number } => !!x);
  return scored.sort((a, b) => b.score - a.score).slice(0, limit).map((x) => x.p);
}
