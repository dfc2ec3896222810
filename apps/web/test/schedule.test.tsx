// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Appointment, Slot } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import SchedulePage from '../src/pages/SchedulePage.tsx';
import { bundle, fakeFetch, renderSignedIn } from './harness.tsx';
import { ORIGIN, type Call } from './harness-http.ts';

afterEach(cleanup);

// Monday 7 January 2030, local time: always in the future, so its free Slots are bookable.
const at = (h: number, m = 0) => new Date(2030, 0, 7, h, m).toISOString();
const slot = (id: string, h: number, m: number, status: Slot['status']): Slot => ({ resourceType: 'Slot', id, schedule: { reference: 'Schedule/s1' }, status, start: at(h, m), end: at(h, m + 30), meta: { versionId: '1' } });
const slots = [slot('a', 9, 0, 'free'), slot('b', 9, 30, 'busy'), slot('c', 10, 0, 'busy-unavailable'), slot('d', 10, 30, 'free')];
const held: Appointment = {
  resourceType: 'Appointment',
  id: 'x',
  meta: { versionId: '4' },
  status: 'booked',
  start: at(9, 30),
  end: at(10),
  appointmentType: { text: 'Check-up' },
  participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }, { actor: { reference: 'Practitioner/p1' }, status: 'accepted' }],
  slot: [{ reference: 'Slot/b' }],
};
const linda = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Brooks', given: ['Linda'] }], birthDate: '1968-04-13' };

/** Mantine's dropdown is still in its opening transition in happy-dom, hence `hidden: true` for its options. */
const pickLinda = async (dialog: HTMLElement) => {
  fireEvent.change(within(dialog).getByRole('combobox', { name: /^Patient/ }), { target: { value: 'brooks' } });
  fireEvent.click(await screen.findByRole('option', { name: /Brooks, Linda/, hidden: true }, { timeout: 2000 }));
};

/** The FHIR API of one clinician with a Schedule; the Slots come in two pages, as a server may send them. */
function api(post: (c: Call) => { status?: number; body: unknown } = (c) => ({ status: 201, body: { ...(c.body as object), id: 'new', meta: { versionId: '1' } } }), schedules = [{ resourceType: 'Schedule', id: 's1', active: true, actor: [{ reference: 'Practitioner/p1' }] }]) {
  return fakeFetch([
    [/GET .*\/Practitioner\?/, () => ({ body: bundle([{ resourceType: 'Practitioner', id: 'p1', name: [{ family: 'Okonkwo', given: ['David'] }] }]) })],
    [/GET .*\/Schedule\?/, () => ({ body: bundle(schedules) })],
    [/GET .*\/Slot\?.*_cursor=2/, () => ({ body: bundle(slots.slice(2)) })],
    [/GET .*\/Slot\?/, () => ({ body: { ...bundle(slots.slice(0, 2)), link: [{ relation: 'next', url: `${ORIGIN}/fhir/R4/Slot?schedule=Schedule%2Fs1&_cursor=2` }] } })],
    [/GET .*\/Appointment\?/, () => ({ body: bundle([held], [{ resource: linda, search: { mode: 'include' } }]) })],
    [/GET .*\/Patient\?/, () => ({ body: bundle([linda]) })],
    [/POST .*\/Appointment$/, post],
    [/PUT .*\/Appointment\/x$/, (c) => ({ body: { ...(c.body as object), meta: { versionId: '5' } } })],
  ]);
}

beforeEach(() => window.history.replaceState(null, '', '/?practitioner=Practitioner%2Fp1&view=day&date=2030-01-07'));

describe('SchedulePage', () => {
  it('reads the Schedule, every page of its Slots and the Appointments, and shows free, busy and blocked', async () => {
    const http = api();
    renderSignedIn(<SchedulePage />, http.fetch);
    const schedule = await screen.findByTestId('schedule');
    await waitFor(() => expect(within(schedule).getAllByTestId('free-slot')).toHaveLength(2));
    expect(within(schedule).getByRole('button', { name: /^Book 9:00\sAM, Monday, January 7, free slot$/ })).toBeTruthy();
    expect(within(schedule).getByRole('link', { name: 'Open the chart of Brooks, Linda' }).getAttribute('href')).toBe('/patients/p1');
    expect(within(schedule).getByText('Check-up')).toBeTruthy();
    expect(within(schedule).getByTestId('blocked-slot').textContent).toMatch(/Unavailable/);
    expect(within(schedule).getByText('2 free · 1 booked')).toBeTruthy();
    const url = (re: RegExp) => new URL(http.calls.find((c) => re.test(c.url))!.url);
    expect(url(/\/Schedule\?/).searchParams.get('actor')).toBe('Practitioner/p1');
    const slotSearch = url(/\/Slot\?/).searchParams;
    expect(slotSearch.get('schedule')).toBe('Schedule/s1');
    expect(slotSearch.getAll('start')).toEqual([`ge${new Date(2030, 0, 7).toISOString()}`, `lt${new Date(2030, 0, 8).toISOString()}`]);
    expect(http.calls.some((c) => c.url.includes('_cursor=2'))).toBe(true);
    expect(url(/\/Appointment\?/).searchParams.get('practitioner')).toBe('Practitioner/p1');
    // With a Schedule, booking starts from a free slot: there is no time-typed booking.
    expect(screen.queryByRole('button', { name: 'Book appointment' })).toBeNull();
  });

  it('books from a free slot: the Slot’s time and a reference to it', async () => {
    const http = api();
    renderSignedIn(<SchedulePage />, http.fetch);
    fireEvent.click(await screen.findByRole('button', { name: /^Book 9:00\sAM/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    await pickLinda(dialog);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Book' }));
    await screen.findByText('The appointment is booked.');
    const post = http.calls.find((c) => c.method === 'POST')!.body as Appointment;
    expect(post).toMatchObject({ status: 'booked', start: at(9), end: at(9, 30), minutesDuration: 30, slot: [{ reference: 'Slot/a' }] });
    expect(post.participant.map((p) => p.actor?.reference)).toEqual(['Patient/p1', 'Practitioner/p1']);
    // The schedule is read again, so what it shows is the server's Slot.
    expect(http.calls.filter((c) => c.url.includes('/Slot?') && !c.url.includes('_cursor')).length).toBeGreaterThanOrEqual(2);
  });

  it('says plainly when the slot was just taken (409), and reads the schedule again', async () => {
    const http = api(() => ({ status: 409, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'Practitioner/p1 already has an appointment' }] } }));
    renderSignedIn(<SchedulePage />, http.fetch);
    fireEvent.click(await screen.findByRole('button', { name: /^Book 10:30\sAM/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    await pickLinda(dialog);
    const before = http.calls.filter((c) => c.url.includes('/Appointment?')).length;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Book' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/no longer free.*choose another slot/);
    await waitFor(() => expect(http.calls.filter((c) => c.url.includes('/Appointment?')).length).toBeGreaterThan(before));
  });

  it('moves an appointment to a free slot from a radio list, with If-Match on its version', async () => {
    const http = api();
    renderSignedIn(<SchedulePage />, http.fetch);
    fireEvent.click(await screen.findByRole('button', { name: /^Move the appointment of Brooks, Linda at 9:30\sAM/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Move the appointment' });
    const group = await within(dialog).findByRole('radiogroup', { name: 'Free slots' });
    // Free Slots only: not the blocked 10:00 one, not the one the appointment is in.
    expect(within(group).getAllByRole('radio')).toHaveLength(2);
    fireEvent.click(within(group).getByRole('radio', { name: /10:30\sAM–11:00\sAM/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Move' }));
    await screen.findByText('The appointment is moved.');
    const put = http.calls.find((c) => c.method === 'PUT')!;
    expect(put.headers['if-match']).toBe('W/"4"');
    expect(put.body).toMatchObject({ start: at(10, 30), end: at(11), slot: [{ reference: 'Slot/d' }] });
  });

  it('cancels with a coded reason', async () => {
    const http = api();
    renderSignedIn(<SchedulePage />, http.fetch);
    fireEvent.click(await screen.findByRole('button', { name: /^Cancel the appointment of Brooks, Linda/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel the appointment' });
    fireEvent.change(within(dialog).getByLabelText('Note (optional)'), { target: { value: 'Called to cancel' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel appointment' }));
    await screen.findByText('The appointment is cancelled; its slot is free again.');
    const put = http.calls.find((c) => c.method === 'PUT')!.body as Appointment;
    expect(put.status).toBe('cancelled');
    expect(put.cancelationReason).toMatchObject({ coding: [{ code: 'pat' }], text: 'Called to cancel' });
  });

  it('without a Schedule, books at a typed time, outside any Slot', async () => {
    const http = api(undefined, []);
    renderSignedIn(<SchedulePage />, http.fetch);
    fireEvent.click(await screen.findByRole('button', { name: 'Book appointment' }));
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    expect(http.calls.some((c) => c.url.includes('/Slot?'))).toBe(false);
    await pickLinda(dialog);
    fireEvent.change(within(dialog).getByLabelText(/^Start time/), { target: { value: '14:15' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Book' }));
    await screen.findByText('The appointment is booked.');
    const post = http.calls.find((c) => c.method === 'POST')!.body as Appointment;
    expect(post).toMatchObject({ start: at(14, 15), minutesDuration: 50 });
    expect(post.slot).toBeUndefined();
  });
});
