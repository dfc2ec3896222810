import type { Appointment, Slot } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { bookedInSlots, cancelled, moved, viewDays } from '../src/lib/appointments.ts';
import { activeSchedules, bookableRuns, daySummary, layoutSchedule, lengthOf, moveTargets, movedToSlots, slotQuery, slotRun } from '../src/lib/slots.ts';

// Local times on Monday 7 and Tuesday 8 December 2026, so the tests do not depend on the machine's time zone.
const at = (day: number, h: number, m = 0) => new Date(2026, 11, day, h, m).toISOString();
const slot = (id: string, day: number, h: number, m: number, status: Slot['status'] = 'free', schedule = 'Schedule/s1'): Slot => ({
  resourceType: 'Slot',
  id,
  schedule: { reference: schedule },
  status,
  start: at(day, h, m),
  end: at(day, h, m + 30),
});
const appt = (id: string, slots: string[], start: string, end: string, status: Appointment['status'] = 'booked'): Appointment => ({
  resourceType: 'Appointment',
  id,
  status,
  start,
  end,
  participant: [{ actor: { reference: `Patient/${id}-patient` }, status: 'accepted' }],
  slot: slots.map((s) => ({ reference: `Slot/${s}` })),
});

const week = viewDays(new Date(2026, 11, 7), 'week');
const before = new Date(2026, 11, 1);

/** A row as `kind start-end [slot ids] [appointment ids]` in local hours, for readable expectations. */
const hhmm = (iso: string) => {
  const d = new Date(iso);
  return `${d.getHours()}:${String(d.getMinutes()).padStart(2, '0')}`;
};
const rowsOf = (slots: Slot[], appts: Appointment[], now = before, days = week) =>
  layoutSchedule(days, slots, appts, now).flatMap((d) => d.rows.map((r) => `${d.date} ${r.kind} ${hhmm(r.start)}-${hhmm(r.end)} [${r.slots.map((s) => s.id)}] [${r.appointments.map((a) => a.id)}]`));

describe('layoutSchedule: Slots and Appointments by day', () => {
  const nine = slot('a', 7, 9, 0);
  const nineThirty = slot('b', 7, 9, 30);
  const ten = slot('c', 7, 10, 0);
  it.each<[string, Slot[], Appointment[], string[]]>([
    ['free Slots are one row each', [nine, nineThirty], [], ['2026-12-07 free 9:00-9:30 [a] []', '2026-12-07 free 9:30-10:00 [b] []']],
    [
      'a busy Slot holds its appointment',
      [{ ...nine, status: 'busy' }, nineThirty],
      [appt('x', ['a'], nine.start!, nine.end!)],
      ['2026-12-07 busy 9:00-9:30 [a] [x]', '2026-12-07 free 9:30-10:00 [b] []'],
    ],
    [
      'an hour visit in two half-hour Slots is one row',
      [{ ...nine, status: 'busy' }, { ...nineThirty, status: 'busy' }, ten],
      [appt('x', ['a', 'b'], nine.start!, nineThirty.end!)],
      ['2026-12-07 busy 9:00-10:00 [a,b] [x]', '2026-12-07 free 10:00-10:30 [c] []'],
    ],
    [
      'back-to-back appointments stay two rows',
      [{ ...nine, status: 'busy' }, { ...nineThirty, status: 'busy' }],
      [appt('x', ['a'], nine.start!, nine.end!), appt('y', ['b'], nineThirty.start!, nineThirty.end!)],
      ['2026-12-07 busy 9:00-9:30 [a] [x]', '2026-12-07 busy 9:30-10:00 [b] [y]'],
    ],
    [
      'a group session: one Slot, every member',
      [{ ...nine, status: 'busy' }],
      [appt('y', ['a'], nine.start!, nine.end!), appt('x', ['a'], nine.start!, nine.end!)],
      ['2026-12-07 busy 9:00-9:30 [a] [x,y]'],
    ],
    [
      'busy-unavailable Slots are blocked, consecutive ones together',
      [{ ...nine, status: 'busy-unavailable' }, { ...nineThirty, status: 'busy-unavailable' }, ten],
      [],
      ['2026-12-07 blocked 9:00-10:00 [a,b] []', '2026-12-07 free 10:00-10:30 [c] []'],
    ],
    ['a busy Slot whose appointment the user may not see', [{ ...nine, status: 'busy' }], [], ['2026-12-07 busy 9:00-9:30 [a] []']],
    ['busy-tentative counts as busy', [{ ...nine, status: 'busy-tentative' }], [], ['2026-12-07 busy 9:00-9:30 [a] []']],
    ['entered-in-error Slots are left out', [{ ...nine, status: 'entered-in-error' }, nineThirty], [], ['2026-12-07 free 9:30-10:00 [b] []']],
    [
      'cancelled appointments leave their Slot',
      [nine],
      [appt('x', ['a'], nine.start!, nine.end!, 'cancelled'), appt('y', ['a'], nine.start!, nine.end!, 'noshow')],
      ['2026-12-07 free 9:00-9:30 [a] []'],
    ],
    [
      'an appointment outside any Slot is its own row, in time order',
      [nine, ten],
      [appt('x', [], at(7, 9, 30), at(7, 9, 50))],
      ['2026-12-07 free 9:00-9:30 [a] []', '2026-12-07 appointment 9:30-9:50 [] [x]', '2026-12-07 free 10:00-10:30 [c] []'],
    ],
    [
      'a day of its own per Slot and appointment',
      [slot('d', 8, 8, 0), nine],
      [appt('x', [], at(13, 9), at(13, 10))],
      ['2026-12-07 free 9:00-9:30 [a] []', '2026-12-08 free 8:00-8:30 [d] []', '2026-12-13 appointment 9:00-10:00 [] [x]'],
    ],
    ['what is outside the view is left out', [slot('z', 14, 9, 0)], [appt('x', [], at(30, 9), at(30, 10))], []],
  ])('%s', (_name, slots, appts, rows) => expect(rowsOf(slots, appts)).toEqual(rows));

  it('marks rows that have begun as past, and counts only future free Slots', () => {
    const [day] = layoutSchedule(viewDays(new Date(2026, 11, 7), 'day'), [nine, nineThirty, { ...ten, status: 'busy' }], [appt('x', ['c'], ten.start!, ten.end!)], new Date(2026, 11, 7, 9, 10));
    expect(day.rows.map((r) => r.past)).toEqual([true, false, false]);
    expect(daySummary(day)).toEqual({ free: 1, booked: 1 });
  });
  it('shows seven days for a week, empty ones too', () => expect(layoutSchedule(week, [], [], before).map((d) => d.date)).toEqual(['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-12', '2026-12-13']));
});

describe('slot runs: booking longer visits and moving', () => {
  const day = [slot('a', 7, 9, 0), slot('b', 7, 9, 30), slot('c', 7, 10, 0, 'busy'), slot('d', 7, 10, 30), slot('e', 7, 11, 0), slot('f', 7, 11, 30, 'free', 'Schedule/other')];
  const [a, b, c, d, e] = day;
  it.each<[string, Slot, number, string[] | undefined]>([
    ['30 minutes: the Slot alone', a, 30, ['a']],
    ['50 minutes: two Slots', a, 50, ['a', 'b']],
    ['60 minutes stop at a busy Slot', b, 60, undefined],
    ['from a busy Slot: none', c, 30, undefined],
    ['never into another Schedule', e, 60, undefined],
    ['two free after the busy one', d, 60, ['d', 'e']],
  ])('%s', (_name, first, minutes, ids) => expect(slotRun(day, first, minutes)?.map((s) => s.id)).toEqual(ids));

  it.each<[string, Slot, string[][]]>([
    ['up to the busy Slot', a, [['a'], ['a', 'b']]],
    ['up to the end of its Schedule', d, [['d'], ['d', 'e']]],
    ['none from a busy Slot', c, []],
  ])('bookable lengths %s', (_name, first, runs) => expect(bookableRuns(day, first).map((r) => r.map((s) => s.id))).toEqual(runs));

  it('an appointment moves to runs that cover its length, its own Slots count as free, never where it is', () => {
    const own = appt('x', ['c'], c.start!, c.end!);
    expect(moveTargets(day, own, before).map((r) => r.map((s) => s.id))).toEqual([['a'], ['b'], ['d'], ['e'], ['f']]);
    const hour = appt('y', ['c', 'd'], c.start!, d.end!);
    expect(moveTargets([...day.slice(0, 2), { ...c }, { ...d, status: 'busy' }, e], hour, before).map((r) => r.map((s) => s.id))).toEqual([['a', 'b'], ['b', 'c'], ['d', 'e']]);
    expect(moveTargets(day, own, new Date(2026, 11, 7, 10, 15)).map((r) => r[0].id)).toEqual(['d', 'e', 'f']);
    // The same instant written another way (an offset in the Slot, UTC in the appointment) is where it is.
    const offset = (iso: string) => new Date(iso).toISOString().replace('.000Z', '+00:00');
    expect(moveTargets(day.map((x) => ({ ...x, start: offset(x.start!), end: offset(x.end!) })), own, before).map((r) => r[0].id)).toEqual(['a', 'b', 'd', 'e', 'f']);
  });

  it('moving keeps the length and references the new Slots', () => {
    const own = { ...appt('x', ['c'], c.start!, at(7, 10, 20)), meta: { versionId: '3' } };
    const m = movedToSlots(own, [a]);
    expect(m).toMatchObject({ start: a.start, end: at(7, 9, 20), minutesDuration: 20, slot: [{ reference: 'Slot/a' }], meta: { versionId: '3' } });
    expect(lengthOf({ resourceType: 'Appointment', status: 'booked', participant: [] })).toBe(30);
  });
});

describe('booking into Slots, moving by time, cancelling', () => {
  const run = [slot('a', 7, 9, 0), slot('b', 7, 9, 30)];
  it('books the Slots’ time and references them', () => {
    const a = bookedInSlots({ patient: 'Patient/p', practitioner: 'Practitioner/d', kind: 'CHECKUP' }, run);
    expect(a).toMatchObject({ status: 'booked', start: run[0].start, end: run[1].end, minutesDuration: 60, slot: [{ reference: 'Slot/a' }, { reference: 'Slot/b' }] });
    expect(a.participant.map((p) => p.actor?.reference)).toEqual(['Patient/p', 'Practitioner/d']);
    expect(a.appointmentType?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'CHECKUP' });
    expect(() => bookedInSlots({ patient: 'Patient/p', practitioner: 'Practitioner/d', kind: 'CHECKUP' }, [])).toThrow();
  });
  it('a move to a typed time gives the Slots back', () => {
    const a = bookedInSlots({ patient: 'Patient/p', practitioner: 'Practitioner/d', kind: 'ROUTINE' }, run);
    const m = moved(a, '2026-12-09', '14:00');
    expect(m.slot).toBeUndefined();
    expect(m.minutesDuration).toBe(60);
  });
  it.each<[string, string, string | undefined, unknown]>([
    ['a coded reason', '', 'pat-fb', { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason', code: 'pat-fb', display: 'Patient: Feeling Better' }], text: 'Patient: Feeling Better' }],
    ['a coded reason with a note', 'called at 8', 'prov', { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason', code: 'prov', display: 'Provider' }], text: 'called at 8' }],
    ['only a note', 'sick', undefined, { text: 'sick' }],
    ['nothing', ' ', undefined, { text: 'Cancelled' }],
  ])('cancels with %s', (_name, note, code, reason) => {
    const c = cancelled(appt('x', ['a'], run[0].start!, run[0].end!), note, code);
    expect(c.status).toBe('cancelled');
    expect(c.cancelationReason).toEqual(reason);
    expect(c.slot).toEqual([{ reference: 'Slot/a' }]);
  });
});

describe('the Slot search', () => {
  it('asks for the Slots of every active Schedule that start in the view', () => {
    const schedules = activeSchedules([
      { resourceType: 'Schedule', id: 's1', actor: [] },
      { resourceType: 'Schedule', id: 's2', actor: [], active: false },
      { resourceType: 'Schedule', id: 's3', actor: [], active: true },
    ]);
    const q = slotQuery(schedules, week);
    expect(q.get('schedule')).toBe('Schedule/s1,Schedule/s3');
    expect(q.getAll('start')).toEqual([`ge${new Date(2026, 11, 7).toISOString()}`, `lt${new Date(2026, 11, 14).toISOString()}`]);
    expect(q.get('_sort')).toBe('start');
  });
});
