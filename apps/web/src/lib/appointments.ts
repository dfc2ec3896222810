import type { Appointment, Patient, Resource } from '@medplum/fhirtypes';
import { isoDate } from './format.ts';

/** The days a view shows: one, or Monday to Sunday of the week holding `day`. */
export function viewDays(day: Date, view: 'day' | 'week'): Date[] {
  const start = new Date(day.getFullYear(), day.getMonth(), day.getDate());
  if (view === 'day') return [start];
  const monday = new Date(start);
  monday.setDate(start.getDate() - ((start.getDay() + 6) % 7));
  return Array.from({ length: 7 }, (_, i) => new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + i));
}

/** Appointment search for one practitioner over [first day, last day + 1) in local time. */
export function appointmentQuery(practitioner: string, days: Date[]): URLSearchParams {
  const end = new Date(days[days.length - 1]);
  end.setDate(end.getDate() + 1);
  return new URLSearchParams([
    ['actor', practitioner],
    ['date', `ge${days[0].toISOString()}`],
    ['date', `lt${end.toISOString()}`],
    ['_sort', 'date'],
    ['_count', '500'],
    ['_include', 'Appointment:patient'],
  ]);
}

export function patientOf(a: Appointment): string | undefined {
  return a.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
}

export function byDay(appointments: Appointment[], days: Date[]): Map<string, Appointment[]> {
  const m = new Map(days.map((d) => [isoDate(d), [] as Appointment[]]));
  for (const a of appointments) {
    if (!a.start) continue;
    m.get(isoDate(new Date(a.start)))?.push(a);
  }
  return m;
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

/** A booked Appointment (docs/notes.md: patient + practitioner participants, start/end/minutesDuration). */
export function bookedAppointment(f: BookingForm): Appointment {
  const start = startOf(f.date, f.time);
  if (!start) throw new Error('Enter a real date and time.');
  const end = new Date(start.getTime() + f.minutes * 60_000);
  const kind = VISIT_KINDS.find((k) => k.code === f.kind) ?? VISIT_KINDS[0];
  return {
    resourceType: 'Appointment',
    status: 'booked',
    appointmentType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: kind.code, display: kind.display }], text: kind.display },
    start: start.toISOString(),
    end: end.toISOString(),
    minutesDuration: f.minutes,
    participant: [
      { actor: { reference: f.patient }, status: 'accepted', required: 'required' },
      { actor: { reference: f.practitioner }, status: 'accepted', required: 'required' },
    ],
  };
}

/** Moving keeps the length. */
export function moved(a: Appointment, date: string, time: string): Appointment {
  const start = startOf(date, time);
  if (!start) throw new Error('Enter a real date and time.');
  const minutes = a.minutesDuration ?? (a.start && a.end ? (new Date(a.end).getTime() - new Date(a.start).getTime()) / 60_000 : 30);
  return { ...a, start: start.toISOString(), end: new Date(start.getTime() + minutes * 60_000).toISOString(), minutesDuration: minutes };
}

export function cancelled(a: Appointment, reason: string): Appointment {
  return { ...a, status: 'cancelled', cancelationReason: { text: reason || 'Cancelled' } };
}
