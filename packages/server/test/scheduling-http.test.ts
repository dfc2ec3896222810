import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer, putEntry } from './support/harness.ts';

/** Appointments, Schedules and Slots over HTTP (docs/scheduling.md): create, move, cancel, double booking. */
let s: TestServer;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
let desk: Record<string, string>;
const DAY = '2027-01-11';
const at = (hhmm: string) => `${DAY}T${hhmm}:00Z`;

beforeAll(async () => {
  s = await startTestServer();
  const put = putEntry;
  const setup = await request(s.base, 'POST', '', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Organization', id: 'sh-org', name: 'Clinic' }),
      put({ resourceType: 'Practitioner', id: 'sh-dr1' }),
      put({ resourceType: 'Practitioner', id: 'sh-dr2' }),
      put({ resourceType: 'Practitioner', id: 'sh-desk' }),
      ...['dr1', 'dr2', 'desk'].map((id) =>
        put({ resourceType: 'PractitionerRole', id: `sh-role-${id}`, practitioner: { reference: `Practitioner/sh-${id}` }, organization: { reference: 'Organization/sh-org' } }),
      ),
      put({ resourceType: 'Patient', id: 'sh-p1', managingOrganization: { reference: 'Organization/sh-org' } }),
      put({ resourceType: 'Patient', id: 'sh-p2', managingOrganization: { reference: 'Organization/sh-org' } }),
      put({ resourceType: 'Schedule', id: 'sh-sched-dr1', actor: [{ reference: 'Practitioner/sh-dr1' }], planningHorizon: { start: at('08:00'), end: `${DAY}T17:00:00Z` } }),
      put({ resourceType: 'Slot', id: 'sh-slot-0900', schedule: { reference: 'Schedule/sh-sched-dr1' }, status: 'free', start: at('09:00'), end: at('10:00') }),
    ],
  });
  expect(setup.status).toBe(200);
  await s.confide.accounts.createUser({ username: 'sh.desk', kind: 'staff', fhirUser: 'Practitioner/sh-desk', roles: ['front-desk'], password: 'a long enough passphrase 2026', mfaRequired: false });
  desk = auth((await s.confide.oauth.issueToken({ username: 'sh.desk', scope: 'user/*.cruds', ttlSeconds: 900 })).access_token);
});
afterAll(async () => {
  await s?.close();
});

const appointment = (start: string, end: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Appointment',
  status: 'booked',
  start: at(start),
  end: at(end),
  participant: [
    { actor: { reference: extra.patient ?? 'Patient/sh-p1' }, status: 'accepted' },
    { actor: { reference: extra.practitioner ?? 'Practitioner/sh-dr1' }, status: 'accepted' },
  ],
  ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'patient' && k !== 'practitioner')),
});
const refusal = (r: { status: number; body: any }) => [r.status, r.body.issue?.[0]?.code, r.body.issue?.[0]?.expression?.[0]];
const slotStatus = async () => (await request(s.base, 'GET', 'Slot/sh-slot-0900')).body.status;

describe('appointments over HTTP', () => {
  it('booking a Slot makes it busy; a double booking is refused; moving and cancelling', async () => {
    const booked = await request(s.base, 'POST', 'Appointment', appointment('09:00', '09:45', { slot: [{ reference: 'Slot/sh-slot-0900' }] }), desk);
    expect(booked.status).toBe(201);
    expect(await slotStatus()).toBe('busy');

    // The same practitioner at an overlapping time, for another patient: 409.
    const clash = await request(s.base, 'POST', 'Appointment', appointment('09:30', '10:00', { patient: 'Patient/sh-p2' }), desk);
    expect(refusal(clash)).toEqual([409, 'conflict', 'Appointment.start']);
    expect(clash.body.issue[0].details.text).toContain('Practitioner/sh-dr1');
    expect(clash.text).not.toContain('sh-p1');
    // Back to back is fine; another practitioner at the same time is fine.
    const next = await request(s.base, 'POST', 'Appointment', appointment('09:45', '10:30', { patient: 'Patient/sh-p2' }), desk);
    expect(next.status).toBe(201);
    expect((await request(s.base, 'POST', 'Appointment', appointment('09:00', '09:45', { patient: 'Patient/sh-p2', practitioner: 'Practitioner/sh-dr2' }), desk)).status).toBe(201);

    // Moving into an occupied time is refused like a new booking; moving to a free time works.
    const a = booked.body;
    expect(refusal(await request(s.base, 'PUT', `Appointment/${a.id}`, { ...a, start: at('10:00'), end: at('10:45'), slot: undefined }, desk))).toEqual([409, 'conflict', 'Appointment.start']);
    // Moving out of the Slot's time while keeping the Slot is refused.
    expect(refusal(await request(s.base, 'PUT', `Appointment/${a.id}`, { ...a, start: at('11:00'), end: at('11:45') }, desk))).toEqual([422, 'business-rule', 'Appointment.slot[0]']);
    const moved = await request(s.base, 'PUT', `Appointment/${a.id}`, { ...a, start: at('11:00'), end: at('11:45'), minutesDuration: 45, slot: undefined }, desk);
    expect(moved.status).toBe(200);
    // The Slot it left is free again, and the time it left can be booked.
    expect(await slotStatus()).toBe('free');
    const rebook = await request(s.base, 'POST', 'Appointment', appointment('09:00', '09:45', { patient: 'Patient/sh-p2', slot: [{ reference: 'Slot/sh-slot-0900' }] }), desk);
    expect(rebook.status).toBe(201);
    expect(await slotStatus()).toBe('busy');
    // A JSON Patch move goes through the same checks.
    const patch = [{ op: 'replace', path: '/start', value: at('09:15') }, { op: 'replace', path: '/end', value: at('09:50') }];
    expect(refusal(await request(s.base, 'PATCH', `Appointment/${moved.body.id}`, patch, { ...desk, 'content-type': 'application/json-patch+json' }))).toEqual([409, 'conflict', 'Appointment.start']);

    // Cancelling frees the Slot and the time.
    const cancelled = await request(s.base, 'PUT', `Appointment/${rebook.body.id}`, { ...rebook.body, status: 'cancelled', cancelationReason: { text: 'Patient called to cancel' } }, desk);
    expect(cancelled.status).toBe(200);
    expect(await slotStatus()).toBe('free');
    expect((await request(s.base, 'POST', 'Appointment', appointment('09:00', '09:30', { patient: 'Patient/sh-p2' }), desk)).status).toBe(201);
  });

  it('bad appointments get an OperationOutcome that points at the problem', async () => {
    const noPatient = { ...appointment('13:00', '13:30'), participant: [{ actor: { reference: 'Practitioner/sh-dr1' }, status: 'accepted' }] };
    expect(refusal(await request(s.base, 'POST', 'Appointment', noPatient))).toEqual([422, 'required', 'Appointment.participant']);
    expect(refusal(await request(s.base, 'POST', 'Appointment', appointment('14:00', '13:30')))).toEqual([422, 'invalid', 'Appointment.end']);
    expect(refusal(await request(s.base, 'POST', 'Appointment', { ...appointment('13:00', '13:30'), end: undefined }))).toEqual([422, 'invalid', 'Appointment.end']);
    // A blocked Slot cannot be booked.
    await request(s.base, 'PUT', 'Slot/sh-blocked', { resourceType: 'Slot', id: 'sh-blocked', schedule: { reference: 'Schedule/sh-sched-dr1' }, status: 'busy-unavailable', start: at('13:00'), end: at('14:00') });
    expect(refusal(await request(s.base, 'POST', 'Appointment', appointment('13:00', '13:30', { slot: [{ reference: 'Slot/sh-blocked' }] })))).toEqual([409, 'conflict', 'Appointment.slot[0]']);
  });

  it('a transaction booking two overlapping appointments writes neither', async () => {
    const entry = [appointment('15:00', '15:30'), appointment('15:15', '15:45', { patient: 'Patient/sh-p2' })].map((r) => ({ resource: r, request: { method: 'POST', url: 'Appointment' } }));
    const tx = await request(s.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry });
    expect(tx.status).toBe(409);
    const found = await request(s.base, 'GET', `Appointment?actor=Practitioner/sh-dr1&date=ge${at('15:00')}&date=lt${at('16:00')}&_total=accurate`);
    expect(found.body.total).toBe(0);
  });

  it('members of one group session share a Slot and are not double bookings', async () => {
    await request(s.base, 'PUT', 'Slot/sh-group', { resourceType: 'Slot', id: 'sh-group', schedule: { reference: 'Schedule/sh-sched-dr1' }, status: 'free', start: at('17:00'), end: at('20:00') });
    const group = (patient: string) => appointment('17:00', '20:00', { patient, slot: [{ reference: 'Slot/sh-group' }] });
    expect((await request(s.base, 'POST', 'Appointment', group('Patient/sh-p1'))).status).toBe(201);
    expect((await request(s.base, 'POST', 'Appointment', group('Patient/sh-p2'))).status).toBe(201);
    expect((await request(s.base, 'GET', 'Slot/sh-group')).body.status).toBe('busy');
    // An individual appointment in that time is still a double booking.
    expect(refusal(await request(s.base, 'POST', 'Appointment', appointment('18:00', '18:30')))[0]).toBe(409);
  });

  it('concurrent bookings of the same time: exactly one is made', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => request(s.base, 'POST', 'Appointment', appointment('12:00', '12:30', { patient: i % 2 ? 'Patient/sh-p1' : 'Patient/sh-p2', practitioner: 'Practitioner/sh-dr2' }), desk)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const found = await request(s.base, 'GET', `Appointment?actor=Practitioner/sh-dr2&date=ge${at('12:00')}&date=lt${at('12:30')}&_total=accurate`);
    expect(found.body.total).toBe(1);
  });
});
