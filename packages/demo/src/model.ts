import type { AllergyKey } from './allergies.ts';
import type { ConditionKey } from './conditions.ts';
import type { PayerKey } from './coverage.ts';
import type { Code } from './fhir-helpers.ts';
import type { MedicationKey } from './medications.ts';
import type { PersonName, StreetAddress } from './names.ts';
import type { Site } from './staff.ts';
import type { VisitKind } from './visits.ts';

export type Sex = 'female' | 'male';

/** How a patient comes to the practice. */
export type Program = 'mental-health' | 'integrated' | 'primary-care' | 'substance-use';

/** A line of care: a series of visits with one clinician. */
export type Stream = 'therapy' | 'psychiatry' | 'primary-care' | 'sud-medical' | 'sud-iop' | 'sud-therapy';

export interface StreamPlan {
  readonly stream: Stream;
  readonly practitionerId: string;
  readonly site: Site;
  /** Preferred day of the first visit. */
  readonly startDay: number;
  /** Last day a past visit may fall on (at most yesterday). */
  readonly endDay: number;
  /** Still in care: gets an appointment in the next two weeks when one is due. */
  readonly ongoing: boolean;
  readonly cadenceDays: number;
  readonly maxVisits: number;
  readonly telehealthRate: number;
}

export interface PlannedMedication {
  readonly key: MedicationKey;
  readonly conditions: readonly ConditionKey[];
  readonly prescriberStream: Stream;
  /** A medication tried first and stopped in favour of this one. */
  readonly replaces?: MedicationKey;
}

export interface PatientProfile {
  readonly index: number;
  readonly id: string;
  /** Short key used in the ids of the patient's resources, e.g. p001. */
  readonly key: string;
  readonly program: Program;
  readonly sex: Sex;
  readonly name: PersonName;
  readonly birthDay: number;
  readonly address: StreetAddress;
  readonly phone: string;
  readonly email: string;
  readonly language: Code;
  readonly maritalStatus: Code;
  readonly emergencyContact?: { readonly name: PersonName; readonly phone: string; readonly relationship: string };
  readonly conditions: readonly ConditionKey[];
  readonly medications: readonly PlannedMedication[];
  readonly allergies: readonly AllergyKey[];
  readonly payer?: PayerKey;
  readonly streams: readonly StreamPlan[];
  /** Physiology for the vitals: height, body-mass index and systolic pressure at the first visit. */
  readonly heightCm: number;
  readonly bmi: number;
  readonly systolic: number;
  readonly heartRate: number;
}

/** One visit on the calendar: past (an Encounter) or upcoming (a booked Appointment only). */
export interface Visit {
  readonly stream: Stream;
  readonly kind: VisitKind;
  readonly practitionerId: string;
  readonly site: Site;
  readonly telehealth: boolean;
  readonly day: number;
  readonly start: number;
  readonly end: number;
  readonly upcoming: boolean;
  /** The first visit of its stream. */
  readonly first: boolean;
}
