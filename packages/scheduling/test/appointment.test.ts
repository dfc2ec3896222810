import type { Appointment, Slot } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { validateResource } from '@confide/fhir';
import { checkAppointment, checkSlot, findDoubleBooking, overlaps, practitionersOf, slotStatus } from '../src/index.ts';

const appt = (id: string, start: string, end: string, extra: Partial<Appointment> = {}): Appointment => ({
  resourceType: 'Appointment',
  id,
  status: 'booked',
  start: `2026-03-02T${start}:00Z`,
  end: `2026-03-02T${end}:00Z`,
  participant: [
    { actor: { reference: 'Patient/p1' }, status: 'accepted' },
    { actor: { reference: 'Practitioner/dr1' }, status: 'accepted' },
  ],
  ...extra,
});
const withPractitioner = (a: Appointment, ref: string, more: object = {}): Appointment => ({
  ...a,
  participant: [{ actor: { reference: 'Patient/p2' }, status: 'accepted' }, { actor: { reference: ref }, status: 'accepted', ...more }],
});

describe('checkAppointment', () => {
  it.each<[string, Appointment, string]>([
    ['a booked appointment', appt('a', '09:00', '09:45'), 'ok'],
    ['no Patient participant', { ...appt('a', '09:00', '09:45'), participant: [{ actor: { reference: 'Practitioner/dr1' }, status: 'accepted' }] }, 'required Appointment.participant'],
    ['ends when it starts', appt('a', '09:00', '09:00'), 'invalid Appointment.end'],
    ['ends before it starts', appt('a', '10:00', '09:00'), 'invalid Appointment.end'],
    ['start without end (app-2)', { ...appt('a', '09:00', '09:45'), end: undefined }, 'invalid Appointment.end'],
    ['booked without a time (app-3)', { ...appt('a', '09:00', '09:45'), start: undefined, end: undefined }, 'required Appointment.start'],
    ['a proposed appointment without a time', { ...appt('a', '09:00', '09:45'), status: 'proposed', start: undefined, end: undefined }, 'ok'],
    ['a cancelled appointment may have ended before it started? no', { ...appt('a', '10:00', '09:00'), status: 'cancelled' }, 'invalid Appointment.end'],
    ['booked for more than a day', { ...appt('a', '09:00', '09:45'), end: '2026-03-04T09:00:00Z' }, 'business-rule Appointment.end'],
    ['a long waitlist entry is no booking', { ...appt('a', '09:00', '09:45'), status: 'waitlist', end: '2026-03-04T09:00:00Z' }, 'ok'],
  ])('%s', (_n, a, expected) => {
    const r = checkAppointment(a);
    expect(r.ok ? 'ok' : `${r.issue.code} ${r.issue.expression}`).toBe(expected);
  });

  it('the fixture is valid R4', () => {
    expect(validateResource(appt('a', '09:00', '09:45'))).toEqual([]);
  });
});

describe('double booking', () => {
  const a = appt('a', '09:00', '10:00');
  it.each<[string, Appointment, boolean]>([
    ['same practitioner, overlapping', withPractitioner(appt('b', '09:30', '10:30'), 'Practitioner/dr1'), true],
    ['same practitioner, inside', withPractitioner(appt('b', '09:15', '09:30'), 'Practitioner/dr1'), true],
    ['same practitioner, back to back', withPractitioner(appt('b', '10:00', '11:00'), 'Practitioner/dr1'), false],
    ['same practitioner, before', withPractitioner(appt('b', '08:00', '09:00'), 'Practitioner/dr1'), false],
    ['absolute reference to the same practitioner', withPractitioner(appt('b', '09:30', '10:30'), 'https://x.example/fhir/R4/Practitioner/dr1'), true],
    ['another practitioner', withPractitioner(appt('b', '09:30', '10:30'), 'Practitioner/dr2'), false],
    ['the other was cancelled', { ...withPractitioner(appt('b', '09:30', '10:30'), 'Practitioner/dr1'), status: 'cancelled' }, false],
    ['the other is fulfilled (in the past)', { ...withPractitioner(appt('b', '09:30', '10:30'), 'Practitioner/dr1'), status: 'fulfilled' }, false],
    ['the other has arrived', { ...withPractitioner(appt('b', '09:30', '10:30'), 'Practitioner/dr1'), status: 'arrived' }, true],
    ['the other is checked in', { ...withPractitioner(appt('b', '09:30', '10:30'), 'Practitioner/dr1'), status: 'checked-in' }, true],
    ['the practitioner declined the other', withPractitioner(appt('b', '09:30', '10:30'), 'Practitioner/dr1', { status: 'declined' }), false],
    ['only for information on the other', withPractitioner(appt('b', '09:30', '10:30'), 'Practitioner/dr1', { required: 'information-only' }), false],
    ['the same appointment (moved)', withPractitioner(appt('a', '09:30', '10:30'), 'Practitioner/dr1'), false],
  ])('%s', (_n, other, conflict) => {
    expect(!!findDoubleBooking(a, [other])).toBe(conflict);
  });

  it('two members of one group session share a Slot and do not conflict', () => {
    const g1 = { ...appt('g1', '17:00', '20:00'), slot: [{ reference: 'Slot/iop' }] };
    const g2 = { ...withPractitioner(appt('g2', '17:00', '20:00'), 'Practitioner/dr1'), slot: [{ reference: 'Slot/iop' }] };
    expect(findDoubleBooking(g1, [g2])).toBeUndefined();
    expect(findDoubleBooking({ ...g1, slot: undefined }, [g2])?.practitioner).toBe('Practitioner/dr1');
  });

  it('a cancelled or proposed appointment blocks nobody', () => {
    const other = withPractitioner(appt('b', '09:30', '10:30'), 'Practitioner/dr1');
    expect(findDoubleBooking({ ...a, status: 'cancelled' }, [other])).toBeUndefined();
    expect(findDoubleBooking({ ...a, status: 'proposed' }, [other])).toBeUndefined();
  });

  it('overlaps and practitionersOf', () => {
    expect(overlaps(a, appt('x', '09:59', '10:01'))).toBe(true);
    expect(practitionersOf({ ...a, participant: [...a.participant, { actor: { reference: 'Practitioner/dr1' }, status: 'accepted' }, { actor: { reference: 'Location/l' }, status: 'accepted' }] })).toEqual(['Practitioner/dr1']);
  });
});

describe('slots', () => {
  const slot: Slot = { resourceType: 'Slot', id: 's1', schedule: { reference: 'Schedule/x' }, status: 'free', start: '2026-03-02T09:00:00Z', end: '2026-03-02T10:00:00Z' };
  it.each<[string, Appointment['status'][], Slot['status']]>([
    ['no appointments', [], 'free'],
    ['booked', ['booked'], 'busy'],
    ['cancelled', ['cancelled'], 'free'],
    ['cancelled and booked again', ['cancelled', 'booked'], 'busy'],
    ['proposed', ['proposed'], 'busy-tentative'],
    ['entered in error', ['entered-in-error'], 'free'],
    ['fulfilled', ['fulfilled'], 'busy'],
  ])('%s', (_n, statuses, expected) => {
    expect(slotStatus(slot, statuses.map((status, i) => ({ ...appt(`a${i}`, '09:00', '10:00'), status })))).toBe(expected);
  });
  it('a blocked slot stays blocked', () => {
    expect(slotStatus({ status: 'busy-unavailable' }, [])).toBe('busy-unavailable');
  });
  it.each<[string, Appointment, Slot, string]>([
    ['within the slot', appt('a', '09:00', '10:00'), slot, 'ok'],
    ['filling part of the slot', appt('a', '09:30', '10:30'), slot, 'ok'],
    ['outside the slot', appt('a', '10:00', '10:30'), slot, 'business-rule Appointment.slot[0]'],
    ['a blocked slot', appt('a', '09:00', '10:00'), { ...slot, status: 'busy-unavailable' }, 'conflict Appointment.slot[0]'],
  ])('checkSlot: %s', (_n, a, s, expected) => {
    const r = checkSlot(a, s, 0);
    expect(r.ok ? 'ok' : `${r.issue.code} ${r.issue.expression}`).toBe(expected);
  });
});
