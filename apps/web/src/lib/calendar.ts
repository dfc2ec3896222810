import type { Appointment, Patient, Schedule, Slot } from '@medplum/fhirtypes';
import { appointmentQuery, patientsById } from './appointments.ts';
import type { FhirClient } from './fhir-client.ts';
import { activeSchedules, scheduleQuery, slotQuery } from './slots.ts';

/** What the schedule page shows for one clinician and range, read through FHIR REST with the user's token. */
export interface Calendar {
  schedules: Schedule[];
  slots: Slot[];
  appointments: Appointment[];
  patients: Map<string, Patient>;
  /** Some records were withheld by consent. */
  suppressed: boolean;
  /** More Slots or Appointments than the pages read: the view is incomplete. */
  truncated: boolean;
}

/**
 * `Schedule?actor=<practitioner>`, then `Slot?schedule=<them>&start=ge..&start=lt..` (every page), alongside
 * `Appointment?practitioner=..&date=ge..&date=lt..&_include=Appointment:patient` (every page).
 */
export async function loadCalendar(fhir: FhirClient, practitioner: string, days: Date[]): Promise<Calendar> {
  const slotsOf = async () => {
    const schedules = activeSchedules((await fhir.search<Schedule>('Schedule', scheduleQuery(practitioner))).resources);
    const slots = schedules.length ? await fhir.searchAll<Slot>('Slot', slotQuery(schedules, days)) : undefined;
    return { schedules, slots };
  };
  const [{ schedules, slots }, appts] = await Promise.all([slotsOf(), fhir.searchAll<Appointment>('Appointment', appointmentQuery(practitioner, days))]);
  return {
    schedules,
    slots: slots?.resources ?? [],
    appointments: appts.resources,
    patients: patientsById(appts.included),
    suppressed: appts.suppressed || !!slots?.suppressed,
    truncated: !!appts.next || !!slots?.next,
  };
}

/** The Slots of the clinician's Schedules on one day (for moving an appointment to another day). */
export async function loadDaySlots(fhir: FhirClient, schedules: Schedule[], day: Date): Promise<Slot[]> {
  if (schedules.length === 0) return [];
  return (await fhir.searchAll<Slot>('Slot', slotQuery(schedules, [day]))).resources;
}
