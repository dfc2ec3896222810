import { interval, refKey, slotsOf } from '@confide/scheduling';
import type { Appointment, Schedule, Slot } from '@medplum/fhirtypes';
import { isoDate } from './format.ts';

/**
 * The schedule as the clinician sees it: a clinician's Schedules, their Slots and the Appointments in them
 * (R4 schedule.html, slot.html, appointment.html; docs/scheduling.md), laid out by day. Pure: the page loads
 * the resources, this decides what each row is.
 */

/** Appointments that take up time on the schedule; cancelled, no-show and void ones leave their Slot. */
export function onSchedule(a: Appointment): boolean {
  return a.status !== 'cancelled' && a.status !== 'noshow' && a.status !== 'entered-in-error';
}

/** The range [first day, last day + 1) of a view as instants (local midnight). */
export function viewRange(days: Date[]): { from: string; to: string } {
  const end = new Date(days[days.length - 1]);
  end.setDate(end.getDate() + 1);
  return { from: days[0].toISOString(), to: end.toISOString() };
}

/** The clinician's Schedules: R4 Schedule search parameter `actor`. */
export function scheduleQuery(practitioner: string): URLSearchParams {
  return new URLSearchParams({ actor: practitioner, _count: '50' });
}

/** Schedules that are in use (R4 Schedule.active: "whether this schedule record is in active use"; absent = active). */
export function activeSchedules(schedules: Schedule[]): Schedule[] {
  return schedules.filter((s) => s.active !== false);
}

/** The Slots of those Schedules that start in the view (several Schedules: one comma-separated OR parameter, search.html#combining). */
export function slotQuery(schedules: Schedule[], days: Date[]): URLSearchParams {
  const { from, to } = viewRange(days);
  return new URLSearchParams([
    ['schedule', schedules.map((s) => `Schedule/${s.id}`).join(',')],
    ['start', `ge${from}`],
    ['start', `lt${to}`],
    ['_sort', 'start'],
    ['_count', '500'],
  ]);
}

/** What a row of the schedule is. */
export type RowKind = 'free' | 'busy' | 'blocked' | 'appointment';

export interface ScheduleRow {
  /**
   * - `free`: a free Slot, bookable unless `past`;
   * - `busy`: one or more Slots held by the same appointments (an hour visit fills two half-hour Slots), or a
   *   busy Slot whose appointment the user may not see (`appointments` is then empty);
   * - `blocked`: busy-unavailable Slots (R4: "the practitioner is not available");
   * - `appointment`: an appointment that fills no Slot of the view (booked outside the Schedule).
   */
  kind: RowKind;
  start: string;
  end: string;
  slots: Slot[];
  appointments: Appointment[];
  /** Starts before now: shown, never offered for booking. */
  past: boolean;
}

export interface ScheduleDay {
  /** Local date, YYYY-MM-DD. */
  date: string;
  rows: ScheduleRow[];
}

const ORDER: Record<RowKind, number> = { blocked: 0, busy: 1, appointment: 2, free: 3 };
const startMs = (x: { start?: string }): number => Date.parse(x.start ?? '');

function kindOf(slot: Slot, holders: Appointment[]): RowKind {
  if (holders.length > 0) return 'busy';
  if (slot.status === 'busy-unavailable') return 'blocked';
  return slot.status === 'free' ? 'free' : 'busy';
}

const sameHolders = (a: Appointment[], b: Appointment[]) => a.length === b.length && a.every((x, i) => x.id === b[i].id);

/**
 * Lays the Slots and Appointments of a view out by day, in time order. Consecutive Slots held by the same
 * appointments, and consecutive blocked Slots, are one row; free Slots stay one row each (each is bookable on
 * its own). Slots entered in error are left out.
 */
export function layoutSchedule(days: Date[], slots: Slot[], appointments: Appointment[], now: Date): ScheduleDay[] {
  const active = appointments.filter(onSchedule);
  const placed = new Set<Appointment>();
  const rows: ScheduleRow[] = [];
  const sorted = slots.filter((s) => s.status !== 'entered-in-error' && interval(s)).sort((a, b) => startMs(a) - startMs(b));
  for (const slot of sorted) {
    const key = `Slot/${slot.id}`;
    const holders = active.filter((a) => slotsOf(a).includes(key)).sort((a, b) => startMs(a) - startMs(b) || (a.id ?? '').localeCompare(b.id ?? ''));
    holders.forEach((a) => placed.add(a));
    const kind = kindOf(slot, holders);
    const prev = rows[rows.length - 1];
    const joins = prev && Date.parse(prev.end) === startMs(slot) && prev.kind === kind && isoDate(new Date(prev.start)) === isoDate(new Date(slot.start!));
    if (joins && ((kind === 'busy' && holders.length > 0 && sameHolders(prev.appointments, holders)) || kind === 'blocked')) {
      prev.end = slot.end!;
      prev.slots.push(slot);
      continue;
    }
    rows.push({ kind, start: slot.start!, end: slot.end!, slots: [slot], appointments: holders, past: false });
  }
  for (const a of active) {
    if (!placed.has(a) && interval(a)) rows.push({ kind: 'appointment', start: a.start!, end: a.end!, slots: [], appointments: [a], past: false });
  }
  const byDay = new Map(days.map((d) => [isoDate(d), [] as ScheduleRow[]]));
  for (const r of rows) {
    r.past = Date.parse(r.start) < now.getTime();
    byDay.get(isoDate(new Date(r.start)))?.push(r);
  }
  return [...byDay].map(([date, list]) => ({ date, rows: list.sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || ORDER[a.kind] - ORDER[b.kind]) }));
}

/** "3 free, 5 booked" for a day's heading. */
export function daySummary(day: ScheduleDay): { free: number; booked: number } {
  let free = 0;
  let booked = 0;
  for (const r of day.rows) {
    if (r.kind === 'free' && !r.past) free++;
    if (r.kind === 'busy' || r.kind === 'appointment') booked += Math.max(1, r.appointments.length);
  }
  return { free, booked };
}

/** A Slot `own` may take: free, or one `own` already holds (moving within its own time). */
function available(slot: Slot, own: Appointment | undefined): boolean {
  if (slot.status === 'free') return true;
  return !!own && slot.status !== 'busy-unavailable' && slot.status !== 'entered-in-error' && slotsOf(own).includes(`Slot/${slot.id}`);
}

/**
 * Consecutive available Slots of one Schedule from `first` (each starting where the previous ends) until they
 * cover `minutes`; undefined when there are not enough.
 */
export function slotRun(slots: Slot[], first: Slot, minutes: number, own?: Appointment): Slot[] | undefined {
  if (!available(first, own)) return undefined;
  const run = [first];
  const begin = startMs(first);
  while (Date.parse(run[run.length - 1].end ?? '') - begin < minutes * 60_000) {
    const next = following(slots, first, run[run.length - 1], own);
    if (!next) return undefined;
    run.push(next);
  }
  return run;
}

/** The Slot of `first`'s Schedule that starts when `last` ends and that `own` may take. */
function following(slots: Slot[], first: Slot, last: Slot, own?: Appointment): Slot | undefined {
  const end = Date.parse(last.end ?? '');
  return slots.find((s) => startMs(s) === end && refKey(s.schedule) === refKey(first.schedule) && available(s, own));
}

/** The lengths a booking from the free Slot `first` can have: it alone, it and the next free one, … up to `max` Slots. */
export function bookableRuns(slots: Slot[], first: Slot, max = 4): Slot[][] {
  if (first.status !== 'free') return [];
  const out = [[first]];
  while (out.length < max) {
    const run = out[out.length - 1];
    const next = following(slots, first, run[run.length - 1]);
    if (!next) break;
    out.push([...run, next]);
  }
  return out;
}

/** Minutes an appointment lasts: minutesDuration, else end − start, else 30. */
export function lengthOf(a: Appointment): number {
  const t = interval(a);
  return a.minutesDuration ?? (t ? Math.round((t.end - t.start) / 60_000) : 30);
}

/**
 * Where `a` can move: every run of available Slots that covers its length and starts in the future, except
 * the Slots it holds now.
 */
export function moveTargets(slots: Slot[], a: Appointment, now: Date): Slot[][] {
  const minutes = lengthOf(a);
  const sorted = [...slots].sort((x, y) => startMs(x) - startMs(y));
  const out: Slot[][] = [];
  for (const s of sorted) {
    // Instants, not strings: a Slot written with an offset and an appointment in UTC can be the same time.
    if (startMs(s) < now.getTime() || startMs(s) === startMs(a)) continue;
    const run = slotRun(sorted, s, minutes, a);
    if (run) out.push(run);
  }
  return out;
}

/** `a` moved into `run`: it starts with the first Slot, keeps its length and references the Slots it fills. */
export function movedToSlots(a: Appointment, run: Slot[]): Appointment {
  const minutes = lengthOf(a);
  const start = Date.parse(run[0].start!);
  return {
    ...a,
    start: new Date(start).toISOString(),
    end: new Date(start + minutes * 60_000).toISOString(),
    minutesDuration: minutes,
    slot: run.map((s) => ({ reference: `Slot/${s.id}` })),
  };
}
