import type { Condition, Patient, Reference, Resource } from '@medplum/fhirtypes';
import type { ConditionKey } from './conditions.ts';
import { ref } from './fhir-helpers.ts';
import type { MedicationKey } from './medications.ts';
import type { PatientProfile, Visit } from './model.ts';
import type { Rng } from './prng.ts';

/** Order of resource types in a patient's bundle: everything a resource references comes before it. */
export const PATIENT_BUNDLE_ORDER = [
  'Patient',
  'Coverage',
  'Condition',
  'AllergyIntolerance',
  'Appointment',
  'Encounter',
  'MedicationRequest',
  'Observation',
  'DiagnosticReport',
  'Immunization',
  'Composition',
] as const;

type BundledType = (typeof PATIENT_BUNDLE_ORDER)[number];

const ID_PREFIX: Record<BundledType, string> = {
  Patient: 'patient',
  Coverage: 'coverage',
  Condition: 'cond',
  AllergyIntolerance: 'allergy',
  Appointment: 'appt',
  Encounter: 'enc',
  MedicationRequest: 'medrx',
  Observation: 'obs',
  DiagnosticReport: 'dr',
  Immunization: 'imm',
  Composition: 'note',
};

export interface VisitRecord {
  readonly visit: Visit;
  readonly encounterId?: string;
  readonly appointmentId?: string;
  /** The encounter's records belong to the 42 CFR Part 2 program. */
  readonly part2: boolean;
}

/** Everything generated for one patient so far, and the ids handed out. */
export class PatientContext {
  readonly profile: PatientProfile;
  readonly today: number;
  readonly rng: Rng;
  readonly conditionIds = new Map<ConditionKey, string>();
  readonly part2Conditions = new Set<ConditionKey>();
  readonly medicationIds = new Map<MedicationKey, string>();
  /** Day each current medication was started. */
  readonly medicationStart = new Map<MedicationKey, number>();
  /** Day care began, which the clinical course (scores, labs, vitals) is measured from. */
  careStartDay = 0;
  private readonly counters = new Map<string, number>();
  private readonly resources = new Map<BundledType, Resource[]>();

  constructor(profile: PatientProfile, today: number, rng: Rng) {
    this.profile = profile;
    this.today = today;
    this.rng = rng;
  }

  get patientRef(): Reference<Patient> {
    return ref<Patient>('Patient', this.profile.id, `${this.profile.name.given.join(' ')} ${this.profile.name.family}`);
  }

  /** The next id for a resource type, e.g. demo-p001-enc-003. */
  nextId(type: BundledType): string {
    const n = (this.counters.get(type) ?? 0) + 1;
    this.counters.set(type, n);
    return `demo-${this.profile.key}-${ID_PREFIX[type]}-${String(n).padStart(3, '0')}`;
  }

  add<T extends Resource>(resource: T): T {
    const type = resource.resourceType as BundledType;
    if (!PATIENT_BUNDLE_ORDER.includes(type)) throw new Error(`unexpected ${type} in a patient bundle`);
    const list = this.resources.get(type) ?? [];
    list.push(resource);
    this.resources.set(type, list);
    return resource;
  }

  /** All resources, in bundle order. */
  all(): Resource[] {
    return PATIENT_BUNDLE_ORDER.flatMap((t) => this.resources.get(t) ?? []);
  }

  /** Condition references for a set of diagnoses, leaving out Part 2 ones unless the referrer is Part 2 itself. */
  conditionRefs(keys: readonly ConditionKey[], part2: boolean): Reference<Condition>[] {
    return keys
      .filter((k) => this.conditionIds.has(k) && (part2 || !this.part2Conditions.has(k)))
      .map((k) => ref<Condition>('Condition', this.conditionIds.get(k) as string));
  }
}
