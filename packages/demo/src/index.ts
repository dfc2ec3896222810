import type { Bundle } from '@medplum/fhirtypes';
import { calendarResources } from './calendar-records.ts';
import { transactionBundle } from './bundle.ts';
import { localDay } from './dates.ts';
import { patientBundle } from './patient.ts';
import { practiceResources } from './practice.ts';
import { Rng } from './prng.ts';
import { Schedule } from './schedule.ts';

export interface DemoOptions {
  /** Number of patients (default 100). */
  patients?: number;
  /** Seed of the pseudo-random generator (default 42). */
  seed?: number;
  /** Reference date: history reaches back about two years from it, appointments two weeks ahead (default: now). */
  now?: Date;
}

/**
 * The demo practice as FHIR R4 transaction Bundles, to be POSTed to a FHIR server's base in order: first the
 * practice (organizations, locations, staff), then one Bundle per patient. Every entry PUTs a fixed id, so
 * loading the same output again updates rather than duplicates. Pure and deterministic for a seed and `now`.
 */
export function generateDemoPractice(options: DemoOptions = {}): Bundle[] {
  const patients = options.patients ?? 100;
  const seed = options.seed ?? 42;
  const now = options.now ?? new Date();
  if (!Number.isInteger(patients) || patients < 0) throw new RangeError(`patients must be a non-negative integer, got ${patients}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (Number.isNaN(now.getTime())) throw new RangeError('now is not a valid date');

  const today = localDay(now);
  const schedule = new Schedule();
  const bundles: Bundle[] = [transactionBundle([...practiceResources(), ...calendarResources(today)], Rng.derive(seed, 'uuid', 'practice'))];
  for (let index = 1; index <= patients; index++) bundles.push(patientBundle(seed, index, today, schedule));
  return bundles;
}

export { demoStaff, PRACTITIONER, STAFF, type StaffRole } from './staff.ts';
export { demoPatientUsers, PERSONAS, patientId } from './personas.ts';
export { LOCATION, ORGANIZATION, PRACTICE_NAME, PRACTICE_NPI, RIVERSIDE_NAME, RIVERSIDE_NPI } from './practice.ts';
export { SYSTEMS } from './systems.ts';
export { DEMO_TAG, PART2_SECURITY, isPart2Labelled } from './meta.ts';
export { mrnFor } from './patient-record.ts';
