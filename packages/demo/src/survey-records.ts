import type { Observation } from '@medplum/fhirtypes';
import { ANXIETY, DEPRESSION } from './conditions.ts';
import type { PatientContext, VisitRecord } from './context.ts';
import type { ClinicalCourse } from './course.ts';
import { fhirDateTime } from './dates.ts';
import { concept, ref } from './fhir-helpers.ts';
import { demoMeta } from './meta.ts';
import { SYSTEMS } from './systems.ts';
import { SURVEYS, severity, type SurveyKey } from './surveys.ts';

const SURVEY_CATEGORY = concept(SYSTEMS.observationCategory, { code: 'survey', display: 'Survey' });

/** Which screeners are given at a visit (PHQ-9, GAD-7), given where the patient is in their care. */
export function surveysAt(ctx: PatientContext, record: VisitRecord, indexInStream: number): SurveyKey[] {
  const c = ctx.profile.conditions;
  const depression = c.some((k) => DEPRESSION.includes(k)) || c.includes('bipolar-2');
  const anxiety = c.some((k) => ANXIETY.includes(k)) || c.includes('adjustment');
  const out: SurveyKey[] = [];
  const { visit } = record;
  switch (visit.stream) {
    case 'therapy':
      if (indexInStream % 3 === 0) {
        out.push('phq9');
        if (anxiety) out.push('gad7');
      }
      break;
    case 'psychiatry':
      if (depression || !anxiety) out.push('phq9');
      if (anxiety) out.push('gad7');
      break;
    case 'primary-care':
      if (visit.first || visit.kind.startsWith('preventive')) {
        out.push('phq9');
        if (anxiety || ctx.rng.chance(0.5)) out.push('gad7');
      }
      break;
    case 'sud-medical':
      if (indexInStream % 2 === 0) {
        out.push('phq9');
        if (anxiety) out.push('gad7');
      }
      break;
    case 'sud-iop':
    case 'sud-therapy':
      break;
  }
  return out;
}

export function surveyObservation(ctx: PatientContext, course: ClinicalCourse, record: VisitRecord, key: SurveyKey): Observation {
  const def = SURVEYS[key];
  const { visit } = record;
  const score = course.surveyScore(key, visit.day);
  return {
    resourceType: 'Observation',
    id: ctx.nextId('Observation'),
    meta: demoMeta({ part2: record.part2 }),
    status: 'final',
    category: [SURVEY_CATEGORY],
    code: concept(SYSTEMS.loinc, def.loinc),
    subject: ctx.patientRef,
    encounter: ref('Encounter', record.encounterId as string),
    effectiveDateTime: fhirDateTime(visit.day, visit.start + 2),
    performer: [ctx.patientRef, ref('Practitioner', visit.practitionerId)],
    valueInteger: score,
    interpretation: [{ text: severity(def, score) }],
  };
}
