import type { Reference, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { fhirDate, fhirDateTime, isWeekend, weekday } from './dates.ts';
import { ref } from './fhir-helpers.ts';
import { demoMeta } from './meta.ts';
import type { Visit } from './model.ts';
import { siteLocation } from './practice.ts';
import { SLOT_MINUTES } from './schedule.ts';
import { PRACTITIONER, STAFF } from './staff.ts';
import { EVENING_SESSIONS, UPCOMING_DAYS } from './timeline.ts';
import { VISITS } from './visits.ts';

/**
 * The clinicians' calendars as FHIR (R4 schedule.html, slot.html): one Schedule per clinician, and half-hour
 * Slots in clinic hours (08:00-17:00, lunch 12:00-13:00) for the coming two weeks, which upcoming Appointments
 * reference. An evening group or IOP session is one Slot that all its members' Appointments reference (which is
 * how the server tells a group session from a double booking).
 */
const CLINIC_START = 8 * 60;
const CLINIC_END = 17 * 60;
const LUNCH = [12 * 60, 13 * 60] as const;

const CLINICIANS = STAFF.filter((m) => m.role === 'clinician');

export function scheduleId(practitionerId: string): string {
  return practitionerId.replace(/^demo-/, 'demo-schedule-');
}

function slotId(practitionerId: string, day: number, minute: number): string {
  const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}${String(minute % 60).padStart(2, '0')}`;
  return `${practitionerId.replace(/^demo-/, 'demo-slot-')}-${fhirDate(day).replace(/-/g, '')}-${hhmm}`;
}

/** The Slots an upcoming visit fills: its half-hour grid slots, or its evening session's one Slot. */
export function visitSlots(visit: Visit): Reference<Slot>[] {
  if (!visit.upcoming) return [];
  if (VISITS[visit.kind].slots === 0) return [ref<Slot>('Slot', slotId(visit.practitionerId, visit.day, visit.start))];
  const out: Reference<Slot>[] = [];
  for (let m = visit.start; m < visit.end; m += SLOT_MINUTES) out.push(ref<Slot>('Slot', slotId(visit.practitionerId, visit.day, m)));
  return out;
}

function slot(practitionerId: string, day: number, start: number, end: number): Slot {
  return {
    resourceType: 'Slot',
    id: slotId(practitionerId, day, start),
    meta: demoMeta(),
    schedule: ref<Schedule>('Schedule', scheduleId(practitionerId)),
    status: 'free',
    start: fhirDateTime(day, start),
    end: fhirDateTime(day, end),
  };
}

/**
 * Every clinician's Schedule and the Slots of the coming two weeks: half-hour Slots in clinic hours, and one
 * Slot per evening session (run by the Riverside therapist, as profile.ts assigns them). All are written
 * `free`: the server marks a Slot busy when an Appointment that references it is loaded (docs/scheduling.md),
 * so the practice bundle depends on the date only, not on the patients.
 */
export function calendarResources(today: number): Resource[] {
  const out: Resource[] = CLINICIANS.map(
    (m): Schedule => ({
      resourceType: 'Schedule',
      id: scheduleId(m.id),
      meta: demoMeta(),
      active: true,
      actor: [ref('Practitioner', m.id, m.display), ref('Location', siteLocation(m.sites[0]))],
      planningHorizon: { start: fhirDateTime(today + 1, 0), end: fhirDateTime(today + UPCOMING_DAYS + 1, 0) },
      comment: `${m.display}: clinic hours 08:00-17:00 in half-hour slots`,
    }),
  );
  for (const m of CLINICIANS) {
    for (let day = today + 1; day <= today + UPCOMING_DAYS; day++) {
      if (isWeekend(day)) continue;
      for (let start = CLINIC_START; start < CLINIC_END; start += SLOT_MINUTES) {
        if (start < LUNCH[0] || start >= LUNCH[1]) out.push(slot(m.id, day, start, start + SLOT_MINUTES));
      }
      for (const session of Object.values(EVENING_SESSIONS)) {
        if (m.id === PRACTITIONER.therapist2 && (session.weekdays as readonly number[]).includes(weekday(day))) {
          out.push({ ...slot(m.id, day, session.start, session.end), comment: 'Evening group session' });
        }
      }
    }
  }
  return out;
}
