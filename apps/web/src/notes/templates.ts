/**
 * Note templates (per /work/coord/NOTES-MODEL.md): a note is a FHIR R4 Composition whose `category` names the
 * template and whose `section`s are the template's sections. The notes package on the server side holds the
 * same definitions; these are the web app's copy until it can import them (docs/web.md).
 */
export const TEMPLATE_SYSTEM = 'https://confide.health/fhir/CodeSystem/note-template';
export const SECTION_SYSTEM = 'https://confide.health/fhir/CodeSystem/note-section';
export const NOTE_TYPE_SYSTEM = 'https://confide.health/fhir/CodeSystem/note-type';
export const PSYCHOTHERAPY_NOTE_CODE = 'psychotherapy-note';
const LOINC = 'http://loinc.org';

export interface SectionDef {
  title: string;
  code: { system: string; code: string; display: string };
  prompt: string;
}

export interface NoteTemplate {
  code: 'soap' | 'dap' | 'birp' | 'intake' | 'discharge' | 'psychotherapy';
  title: string;
  type: { system: string; code: string; display: string };
  /** Progress notes belong to a visit (Composition.encounter is required for them). */
  needsEncounter: boolean;
  sections: SectionDef[];
}

const PROGRESS = { system: LOINC, code: '11506-3', display: 'Progress note' };
const own = (code: string, display: string) => ({ system: SECTION_SYSTEM, code, display });

export const TEMPLATES: NoteTemplate[] = [
  {
    code: 'soap',
    title: 'SOAP progress note',
    type: PROGRESS,
    needsEncounter: true,
    sections: [
      { title: 'Subjective', code: { system: LOINC, code: '61150-9', display: 'Subjective' }, prompt: 'What the patient reports: concerns, symptoms, history since last visit.' },
      { title: 'Objective', code: { system: LOINC, code: '61149-1', display: 'Objective' }, prompt: 'Observations, mental status, measures (PHQ-9, GAD-7), vitals.' },
      { title: 'Assessment', code: { system: LOINC, code: '51848-0', display: 'Assessment' }, prompt: 'Clinical impression, progress toward goals, risk.' },
      { title: 'Plan', code: { system: LOINC, code: '18776-5', display: 'Plan of care note' }, prompt: 'Interventions, homework, medication changes, next visit.' },
    ],
  },
  {
    code: 'dap',
    title: 'DAP progress note',
    type: PROGRESS,
    needsEncounter: true,
    sections: [
      { title: 'Data', code: own('data', 'Data'), prompt: 'What was said and observed in the session.' },
      { title: 'Assessment', code: { system: LOINC, code: '51848-0', display: 'Assessment' }, prompt: 'Your interpretation, progress, risk.' },
      { title: 'Plan', code: { system: LOINC, code: '18776-5', display: 'Plan of care note' }, prompt: 'Next steps and next session.' },
    ],
  },
  {
    code: 'birp',
    title: 'BIRP progress note',
    type: PROGRESS,
    needsEncounter: true,
    sections: [
      { title: 'Behavior', code: own('behavior', 'Behavior'), prompt: 'Presentation, mood, affect, what the patient said and did.' },
      { title: 'Intervention', code: own('intervention', 'Intervention'), prompt: 'Therapeutic interventions used.' },
      { title: 'Response', code: own('response', 'Response'), prompt: "The patient's response to the interventions." },
      { title: 'Plan', code: { system: LOINC, code: '18776-5', display: 'Plan of care note' }, prompt: 'Plan until the next session.' },
    ],
  },
  {
    code: 'intake',
    title: 'Intake / assessment',
    type: { system: LOINC, code: '34117-2', display: 'History and physical note' },
    needsEncounter: false,
    sections: [
      { title: 'Reason for referral', code: { system: LOINC, code: '42349-1', display: 'Reason for referral' }, prompt: 'Who referred and why; presenting problem in the patient’s words.' },
      { title: 'History of present illness', code: { system: LOINC, code: '10164-2', display: 'History of present illness' }, prompt: 'Onset, course, severity, prior treatment.' },
      { title: 'Psychiatric and substance use history', code: own('psych-history', 'Psychiatric and substance use history'), prompt: 'Diagnoses, hospitalizations, medications, substance use.' },
      { title: 'Social history', code: { system: LOINC, code: '29762-2', display: 'Social history' }, prompt: 'Living situation, work, relationships, supports.' },
      { title: 'Mental status examination', code: { system: LOINC, code: '10190-7', display: 'Mental status' }, prompt: 'Appearance, behavior, speech, mood, affect, thought, cognition, insight.' },
      { title: 'Risk assessment', code: own('risk', 'Risk assessment'), prompt: 'Suicide and violence risk, protective factors, safety plan.' },
      { title: 'Assessment', code: { system: LOINC, code: '51848-0', display: 'Assessment' }, prompt: 'Diagnostic impression.' },
      { title: 'Plan', code: { system: LOINC, code: '18776-5', display: 'Plan of care note' }, prompt: 'Treatment plan, goals, frequency.' },
    ],
  },
  {
    code: 'discharge',
    title: 'Discharge summary',
    type: { system: LOINC, code: '18842-5', display: 'Discharge summary' },
    needsEncounter: false,
    sections: [
      { title: 'Reason for treatment', code: own('reason-for-treatment', 'Reason for treatment'), prompt: 'Why care began.' },
      { title: 'Course of treatment', code: { system: LOINC, code: '8648-8', display: 'Hospital course' }, prompt: 'Services given and progress toward goals.' },
      { title: 'Condition at discharge', code: own('condition-at-discharge', 'Condition at discharge'), prompt: 'Status, remaining symptoms, risk.' },
      { title: 'Reason for discharge', code: own('reason-for-discharge', 'Reason for discharge'), prompt: 'Goals met, transfer, withdrew, other.' },
      { title: 'Recommendations and referrals', code: { system: LOINC, code: '18776-5', display: 'Plan of care note' }, prompt: 'Aftercare, referrals, medications.' },
    ],
  },
  {
    code: 'psychotherapy',
    title: 'Psychotherapy note',
    type: { system: NOTE_TYPE_SYSTEM, code: PSYCHOTHERAPY_NOTE_CODE, display: 'Psychotherapy note' },
    needsEncounter: false,
    sections: [
      {
        title: 'Session notes',
        code: own('psychotherapy-session', 'Psychotherapy session notes'),
        prompt: 'Your private process notes (HIPAA 45 CFR 164.501): kept apart from the record, seen only by you.',
      },
    ],
  },
];

export function templateOf(code: string | undefined): NoteTemplate | undefined {
  return TEMPLATES.find((t) => t.code === code);
}
