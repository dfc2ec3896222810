import type { Coding } from '@medplum/fhirtypes';
import { CONFIDE_NOTE_TYPE_SYSTEM, loinc, NOTE_TEMPLATE_SYSTEM, PSYCHOTHERAPY_NOTE_CODE, sectionCode } from './codes.ts';

/** One section of a note template: what the clinician writes under which heading. */
export interface NoteSectionTemplate {
  /** Composition.section.code: LOINC where a section code exists, otherwise Confide's note-section code. */
  code: Coding;
  /** Composition.section.title. */
  title: string;
  /** A hint for the clinician (never stored in the note). */
  prompt: string;
}

export type NoteTemplateCode = 'soap' | 'dap' | 'birp' | 'intake' | 'discharge' | 'psychotherapy';

/** A kind of note: its Composition.type and .category, its default title and sections. */
export interface NoteTemplate {
  code: NoteTemplateCode;
  /** The template's name, and the new note's default Composition.title. */
  title: string;
  /** Composition.type (LOINC document code, or Confide's psychotherapy-note type). */
  type: Coding;
  /** Composition.category: the template, in https://confide.health/fhir/CodeSystem/note-template. */
  category: Coding;
  /** Whether a note of this kind must name its Encounter (progress notes are written about a visit). */
  encounterRequired: boolean;
  sections: readonly NoteSectionTemplate[];
}

const PROGRESS_NOTE = loinc('11506-3', 'Progress note');
const ASSESSMENT = loinc('51848-0', 'Evaluation note');
const PLAN = loinc('18776-5', 'Plan of care note');

function template(code: NoteTemplateCode, display: string, t: Omit<NoteTemplate, 'code' | 'category'>): NoteTemplate {
  return { code, category: { system: NOTE_TEMPLATE_SYSTEM, code, display }, ...t };
}

export const SOAP = template('soap', 'SOAP note', {
  title: 'Progress note (SOAP)',
  type: PROGRESS_NOTE,
  encounterRequired: true,
  sections: [
    { code: loinc('61150-9', 'Subjective Narrative'), title: 'Subjective', prompt: 'What the patient reports: concerns, symptoms, changes since the last visit, in their words where it helps.' },
    { code: loinc('61149-1', 'Objective Narrative'), title: 'Objective', prompt: 'What you observe and measure: appearance, affect, mental status, vital signs, scores (PHQ-9, GAD-7), results.' },
    { code: ASSESSMENT, title: 'Assessment', prompt: 'Your clinical impression: diagnoses, progress towards goals, risk.' },
    { code: PLAN, title: 'Plan', prompt: 'Next steps: interventions, medication changes, referrals, homework, next appointment.' },
  ],
});

export const DAP = template('dap', 'DAP note', {
  title: 'Progress note (DAP)',
  type: PROGRESS_NOTE,
  encounterRequired: true,
  sections: [
    { code: sectionCode('data', 'Data'), title: 'Data', prompt: 'What happened in the session: what the patient said and did, what you observed, interventions used.' },
    { code: ASSESSMENT, title: 'Assessment', prompt: 'Your interpretation: progress towards treatment goals, clinical impression, risk.' },
    { code: PLAN, title: 'Plan', prompt: 'What comes next: focus of the next session, homework, referrals, next appointment.' },
  ],
});

export const BIRP = template('birp', 'BIRP note', {
  title: 'Progress note (BIRP)',
  type: PROGRESS_NOTE,
  encounterRequired: true,
  sections: [
    { code: sectionCode('behavior', 'Behavior'), title: 'Behavior', prompt: 'The patient’s presentation and behavior in the session, and what they reported.' },
    { code: sectionCode('intervention', 'Intervention'), title: 'Intervention', prompt: 'What you did: techniques and methods used (e.g. CBT restructuring, motivational interviewing).' },
    { code: sectionCode('response', 'Response'), title: 'Response', prompt: 'How the patient responded to the interventions.' },
    { code: PLAN, title: 'Plan', prompt: 'Next steps: homework, the next session’s focus, referrals, next appointment.' },
  ],
});

export const INTAKE = template('intake', 'Intake / assessment', {
  title: 'Intake assessment',
  // LOINC "Mental health History and physical note", as in HL7's US Behavioral Health Profiles
  // (ValueSet mental-health-clinical-note-types).
  type: loinc('78306-8', 'Mental health History and physical note'),
  encounterRequired: false,
  sections: [
    { code: loinc('10154-3', 'Chief complaint Narrative - Reported'), title: 'Reason for referral / chief complaint', prompt: 'Why the patient is seeking care now, in their words; who referred them.' },
    { code: loinc('10164-2', 'History of Present illness Narrative'), title: 'History of present illness', prompt: 'Onset, course and severity of current symptoms; precipitants; impact on functioning.' },
    { code: loinc('11348-0', 'History of Past illness Narrative'), title: 'Psychiatric and medical history', prompt: 'Previous diagnoses, treatment, hospitalizations, medications and their effect; relevant medical conditions.' },
    { code: sectionCode('substance-use', 'Substance use history'), title: 'Substance use', prompt: 'Alcohol, tobacco, cannabis and other substances: pattern, last use, consequences, prior treatment.' },
    { code: loinc('29762-2', 'Social history Narrative'), title: 'Social history', prompt: 'Living situation, relationships, work or school, supports, legal history, trauma.' },
    { code: loinc('10157-6', 'History of family member diseases Narrative'), title: 'Family history', prompt: 'Mental illness, substance use and suicide in the family.' },
    { code: loinc('10190-7', 'Mental status Narrative'), title: 'Mental status examination', prompt: 'Appearance, behavior, speech, mood and affect, thought process and content, perception, cognition, insight, judgment.' },
    { code: sectionCode('risk-assessment', 'Risk assessment'), title: 'Risk assessment', prompt: 'Suicidal and homicidal ideation, plan, intent, means; self-harm; protective factors; safety plan.' },
    { code: ASSESSMENT, title: 'Assessment and diagnosis', prompt: 'Clinical formulation and diagnoses (ICD-10-CM).' },
    { code: PLAN, title: 'Treatment plan', prompt: 'Goals, modality and frequency of treatment, referrals, coordination of care.' },
  ],
});

export const DISCHARGE = template('discharge', 'Discharge summary', {
  title: 'Discharge summary',
  type: loinc('18842-5', 'Discharge summary'),
  encounterRequired: false,
  sections: [
    { code: sectionCode('discharge-reason', 'Reason for discharge'), title: 'Reason for discharge', prompt: 'Goals met, patient’s choice, transfer of care, or no longer engaged.' },
    { code: sectionCode('treatment-course', 'Course of treatment'), title: 'Course of treatment', prompt: 'Dates and modality of treatment, progress towards goals, response.' },
    { code: sectionCode('discharge-status', 'Status at discharge'), title: 'Status at discharge', prompt: 'Diagnoses, symptoms, functioning and risk at discharge.' },
    { code: loinc('10183-2', 'Hospital discharge medications Narrative'), title: 'Medications at discharge', prompt: 'Current medications and who will prescribe them.' },
    { code: PLAN, title: 'Aftercare and follow-up', prompt: 'Referrals, follow-up appointments, crisis resources, what to do if symptoms return.' },
  ],
});

export const PSYCHOTHERAPY = template('psychotherapy', 'Psychotherapy note', {
  title: 'Psychotherapy note',
  type: { system: CONFIDE_NOTE_TYPE_SYSTEM, code: PSYCHOTHERAPY_NOTE_CODE, display: 'Psychotherapy note' },
  encounterRequired: false,
  sections: [
    {
      code: sectionCode('session-notes', 'Session notes'),
      title: 'Session notes',
      prompt:
        'Your private process notes: impressions, hypotheses, content of the conversation. Kept apart from the record (HIPAA 45 CFR 164.501) and shown only to you. Medication, test results, diagnoses and the treatment plan belong in the progress note.',
    },
  ],
});

/** Every template, in the order a picker shows them. */
export const NOTE_TEMPLATES: readonly NoteTemplate[] = [SOAP, DAP, BIRP, INTAKE, DISCHARGE, PSYCHOTHERAPY];

export function noteTemplate(code: string): NoteTemplate | undefined {
  return NOTE_TEMPLATES.find((t) => t.code === code);
}
