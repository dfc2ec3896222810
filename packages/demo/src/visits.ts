import type { Code } from './fhir-helpers.ts';

/** Visit types: the billing code (CPT, or HCPCS for the IOP day) that types the Encounter, and its length. */
export type VisitKind =
  | 'diagnostic-eval'
  | 'diagnostic-eval-medical'
  | 'psychotherapy-30'
  | 'psychotherapy-45'
  | 'psychotherapy-60'
  | 'group-psychotherapy'
  | 'iop-day'
  | 'office-new'
  | 'office-low'
  | 'office-moderate'
  | 'preventive-18-39'
  | 'preventive-40-64'
  | 'preventive-65';

export interface VisitDef {
  readonly kind: VisitKind;
  readonly system: 'cpt' | 'hcpcs';
  readonly code: Code;
  /** Scheduled length in half-hour slots (group and IOP sessions run outside the clinic grid). */
  readonly slots: number;
  readonly medical: boolean;
  readonly label: string;
  readonly appointmentType: 'ROUTINE' | 'FOLLOWUP' | 'CHECKUP';
}

const visit = (
  kind: VisitKind,
  system: 'cpt' | 'hcpcs',
  code: Code,
  slots: number,
  medical: boolean,
  label: string,
  appointmentType: VisitDef['appointmentType'],
): VisitDef => ({ kind, system, code, slots, medical, label, appointmentType });

export const VISITS: Readonly<Record<VisitKind, VisitDef>> = {
  'diagnostic-eval': visit('diagnostic-eval', 'cpt', { code: '90791', display: 'Psychiatric diagnostic evaluation' }, 2, false, 'Intake assessment', 'ROUTINE'),
  'diagnostic-eval-medical': visit(
    'diagnostic-eval-medical',
    'cpt',
    { code: '90792', display: 'Psychiatric diagnostic evaluation with medical services' },
    2,
    true,
    'Psychiatric evaluation',
    'ROUTINE',
  ),
  'psychotherapy-30': visit('psychotherapy-30', 'cpt', { code: '90832', display: 'Psychotherapy, 30 minutes with patient' }, 1, false, 'Psychotherapy session', 'FOLLOWUP'),
  'psychotherapy-45': visit('psychotherapy-45', 'cpt', { code: '90834', display: 'Psychotherapy, 45 minutes with patient' }, 2, false, 'Psychotherapy session', 'FOLLOWUP'),
  'psychotherapy-60': visit('psychotherapy-60', 'cpt', { code: '90837', display: 'Psychotherapy, 60 minutes with patient' }, 2, false, 'Psychotherapy session', 'FOLLOWUP'),
  'group-psychotherapy': visit(
    'group-psychotherapy',
    'cpt',
    { code: '90853', display: 'Group psychotherapy (other than of a multiple-family group)' },
    0,
    false,
    'Recovery group',
    'FOLLOWUP',
  ),
  'iop-day': visit(
    'iop-day',
    'hcpcs',
    {
      code: 'H0015',
      display:
        'Alcohol and/or drug services; intensive outpatient (treatment program that operates at least 3 hours/day and at least ' +
        '3 days/week and is based on an individualized treatment plan), including assessment, counseling; crisis intervention, ' +
        'and activity therapies or education',
    },
    0,
    false,
    'Intensive outpatient program session',
    'FOLLOWUP',
  ),
  'office-new': visit(
    'office-new',
    'cpt',
    { code: '99204', display: 'Office or other outpatient visit for the evaluation and management of a new patient, moderate medical decision making' },
    2,
    true,
    'New patient visit',
    'ROUTINE',
  ),
  'office-low': visit(
    'office-low',
    'cpt',
    { code: '99213', display: 'Office or other outpatient visit for the evaluation and management of an established patient, low medical decision making' },
    1,
    true,
    'Follow-up visit',
    'FOLLOWUP',
  ),
  'office-moderate': visit(
    'office-moderate',
    'cpt',
    { code: '99214', display: 'Office or other outpatient visit for the evaluation and management of an established patient, moderate medical decision making' },
    1,
    true,
    'Follow-up visit',
    'FOLLOWUP',
  ),
  'preventive-18-39': visit(
    'preventive-18-39',
    'cpt',
    { code: '99395', display: 'Periodic comprehensive preventive medicine reevaluation and management, established patient; 18-39 years' },
    2,
    true,
    'Annual physical',
    'CHECKUP',
  ),
  'preventive-40-64': visit(
    'preventive-40-64',
    'cpt',
    { code: '99396', display: 'Periodic comprehensive preventive medicine reevaluation and management, established patient; 40-64 years' },
    2,
    true,
    'Annual physical',
    'CHECKUP',
  ),
  'preventive-65': visit(
    'preventive-65',
    'cpt',
    { code: '99397', display: 'Periodic comprehensive preventive medicine reevaluation and management, established patient; 65 years and older' },
    2,
    true,
    'Annual physical',
    'CHECKUP',
  ),
};

export const THERAPY_KINDS: readonly VisitKind[] = ['psychotherapy-30', 'psychotherapy-45', 'psychotherapy-60'];
