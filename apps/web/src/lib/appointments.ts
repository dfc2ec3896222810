import type { Appointment, Patient, Resource, Slot } from '@medplum/fhirtypes';
import { lengthOf, viewRange } from './slots.ts';

/** The days a view shows: one, or Monday to Sunday of the week holding `day`. */
export function viewDays(day: Date, view: 'day' | 'week'): Date[] {
  const start = new Date(day.getFullYear(), day.getMonth(), day.getDate());
  if (view === 'day') return [start];
  const monday = new Date(start);
  monday.setDate(start.getDate() - ((start.getDay() + 6) % 7));
  return Array.from({ length: 7 }, (_, i) => new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + i));
}

/**
 * Appointment search for one practitioner over [first day, last day + 1) in local time (R4 Appointment search
 * parameters `practitioner` and `date`, which is Appointment.start), with the patients.
 */
export function appointmentQuery(practitioner: string, days: Date[]): URLSearchParams {
  const { from, to } = viewRange(days);
  return new URLSearchParams([
    ['practitioner', practitioner],
    ['date', `ge${from}`],
    ['date', `lt${to}`],
    ['_sort', 'date'],
    ['_count', '500'],
    ['_include', 'Appointment:patient'],
  ]);
}

export function patientOf(a: Appointment): string | undefined {
  return a.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
}

export function patientsById(included: Resource[]): Map<string, Patient> {
  return new Map(included.filter((r): r is Patient => r.resourceType === 'Patient').map((p) => [`Patient/${p.id}`, p]));
}

export interface BookingForm {
  patient: string;
  practitioner: string;
  date: string;
  time: string;
  minutes: number;
  kind: string;
}

export const VISIT_KINDS = [
  { code: 'ROUTINE', display: 'Routine follow-up' },
  { code: 'FOLLOWUP', display: 'Follow-up' },
  { code: 'CHECKUP', display: 'Check-up' },
  { code: 'WALKIN', display: 'Walk-in' },
  { code: 'EMERGENCY', display: 'Urgent' },
];

/** Local date and time → an instant, or undefined for what is not a real time. */
export function startOf(date: string, time: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{1,2}:\d{2}$/.test(time)) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  const [h, min] = time.split(':').map(Number);
  const t = new Date(y, m - 1, d, h, min);
  return t.getDate() === d && h < 24 && min < 60 ? t : undefined;
}

/** A booked Appointment (docs/scheduling.md: patient + practitioner participants, start/end/minutesDuration). */
function booked(f: Pick<BookingForm, 'patient' | 'practitioner' | 'kind'>, start: Date, end: Date): Appointment {
  const kind = VISIT_KINDS.find((k) => k.code === f.kind) ?? VISIT_KINDS[0];
  return {
    resourceType: 'Appointment',
    status: 'booked',
    // v2 table 0276 (appointment reason codes), the R4 example binding of Appointment.appointmentType.
    appointmentType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: kind.code, display: kind.display }], text: kind.display },
    start: start.toISOString(),
    end: end.toISOString(),
    minutesDuration: Math.round((end.getTime() - start.getTime()) / 60_000),
    participant: [
      { actor: { reference: f.patient }, status: 'accepted', required: 'required' },
      { actor: { reference: f.practitioner }, status: 'accepted', required: 'required' },
    ],
  };
}

/** Booked at a typed date and time, outside any Slot (for a clinician without a Schedule). */
export function bookedAppointment(f: BookingForm): Appointment {
  const start = startOf(f.date, f.time);
  if (!start) throw new Error('Enter a real date and time.');
  return booked(f, start, new Date(start.getTime() + f.minutes * 60_000));
}

/**
 * Booked into consecutive Slots (R4 Appointment.slot: "the slots that this appointment is filling"): their time,
 * and a reference to each; the server marks them busy in the same transaction.
 */
export function bookedInSlots(f: Pick<BookingForm, 'patient' | 'practitioner' | 'kind'>, run: Slot[]): Appointment {
  if (run.length === 0 || !run[0].start || !run[run.length - 1].end) throw new Error('Choose a slot.');
  return { ...booked(f, new Date(run[0].start), new Date(run[run.length - 1].end!)), slot: run.map((s) => ({ reference: `Slot/${s.id}` })) };
}

/** Moving to a typed time keeps the length; the appointment then fills no Slot (the server frees the old ones). */
export function moved(a: Appointment, date: string, time: string): Appointment {
  const start = startOf(date, time);
  if (!start) throw new Error('Enter a real date and time.');
  const minutes = lengthOf(a);
  const { slot: _old, ...rest } = a;
  return { ...rest, start: start.toISOString(), end: new Date(start.getTime() + minutes * 60_000).toISOString(), minutesDuration: minutes };
}

/** R4 appointment-cancellation-reason (example binding of Appointment.cancelationReason). */
export const CANCEL_REASONS = [
  { code: 'pat', display: 'Patient' },
  { code: 'pat-fb', display: 'Patient: Feeling Better' },
  { code: 'pat-lt', display: 'Patient: Lack of Transportation' },
  { code: 'prov', display: 'Provider' },
  { code: 'prov-pers', display: 'Provider: Personal' },
  { code: 'oth-err', display: 'Other: Error' },
];
const CANCEL_SYSTEM = 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason';

/** Cancelled (R4: status `cancelled` + cancelationReason); the server frees its Slots. A typed note is the reason's text. */
export function cancelled(a: Appointment, note: string, code?: string): Appointment {
  const reason = CANCEL_REASONS.find((r) => r.code === code);
  const text = note.trim() || reason?.display || 'Cancelled';
  return { ...a, status: 'cancelled', cancelationReason: reason ? { coding: [{ system: CANCEL_SYSTEM, ...reason }], text } : { text } };
}
