import type { Appointment, Slot } from '@medplum/fhirtypes';
import {
  BLOCKING_STATUSES,
  checkAppointment,
  checkSlot,
  doubleBookingIssue,
  findDoubleBooking,
  interval,
  isBlocking,
  MAX_BLOCKING_HOURS,
  practitionersOf,
  refKey,
  slotsOf,
  slotStatus,
} from '@confide/scheduling';
import type { PendingWrite, Repository, WriteRule } from '@confide/store';
import { currentVersion, lockKeys, replacedVersion, ruleError } from './rule-support.ts';

interface Item {
  write: PendingWrite;
  before: Appointment | undefined;
  after: Appointment | undefined;
}

/**
 * Every write of an Appointment (@confide/scheduling, docs/scheduling.md): its own shape; no double booking of a
 * Practitioner, checked under an advisory lock per practitioner held until commit, so that of two concurrent
 * bookings of the same time exactly one is made; and the Slots it takes or gives back follow (busy / free) in
 * the same batch. Other appointments are searched unrestricted — a conflict is real whoever can see it — and the
 * 409 names only the practitioner and the time taken.
 */
export const appointmentRule: WriteRule = async (writes, repo) => {
  const appointments = writes.filter((w) => w.resourceType === 'Appointment');
  if (appointments.length === 0) return;
  const all = repo.as(undefined);
  const items: Item[] = [];
  for (const write of appointments) {
    const before = await replacedVersion<Appointment>(all, write);
    const after = write.deleted ? undefined : (write.resource as Appointment);
    if (after) {
      const r = checkAppointment(after);
      if (!r.ok) throw ruleError(r.issue);
    }
    items.push({ write, before, after });
  }
  const blocking = items.filter((i): i is Item & { after: Appointment } => !!i.after && isBlocking(i.after));
  const practitioners = blocking.flatMap((i) => practitionersOf(i.after));
  const slots = [...new Set(items.flatMap((i) => [...slotsOf(i.before), ...slotsOf(i.after)]))];
  await lockKeys(repo, [...practitioners.map((p) => `schedule:${p}`), ...slots]);

  const inBatch = new Set(items.map((i) => i.write.id));
  const batchAfters = items.flatMap((i) => (i.after ? [i.after] : []));
  for (const i of blocking) {
    const t = interval(i.after);
    if (!t) continue;
    const others: Appointment[] = [];
    for (const p of practitionersOf(i.after)) {
      const q = new URLSearchParams({ actor: p, status: BLOCKING_STATUSES.join(',') });
      // An overlapping appointment starts before this one ends, and at most MAX_BLOCKING_HOURS before it starts.
      q.append('date', `ge${new Date(t.start - MAX_BLOCKING_HOURS * 3_600_000).toISOString()}`);
      q.append('date', `lt${new Date(t.end).toISOString()}`);
      for (const m of await all.findMatches('Appointment', q, 1000)) {
        if (!inBatch.has(m.id) && m.json) others.push(JSON.parse(m.json) as Appointment);
      }
    }
    const found = findDoubleBooking(i.after, [...others, ...batchAfters]);
    if (found) throw ruleError(doubleBookingIssue(found));
  }
  return slotWrites(writes, items, slots, all);
};

/** The Slots the batch's appointments take or release, with their new status where it changes. */
async function slotWrites(writes: readonly PendingWrite[], items: Item[], slots: string[], all: Repository): Promise<PendingWrite[]> {
  const out: PendingWrite[] = [];
  const inBatch = new Set(items.map((i) => i.write.id));
  for (const key of slots) {
    const id = key.slice('Slot/'.length);
    const written = writes.find((w) => w.resourceType === 'Slot' && w.id === id);
    const stored = written ? undefined : await currentVersion<Slot>(all, 'Slot', id);
    const slot = written ? (written.deleted ? undefined : (written.resource as Slot)) : stored?.resource;
    for (const i of items) {
      if (!i.after || i.after.status === 'cancelled' || i.after.status === 'entered-in-error') continue;
      const index = (i.after.slot ?? []).findIndex((s) => refKey(s) === key);
      if (index < 0) continue;
      const moved = !i.before || !slotsOf(i.before).includes(key) || i.before.start !== i.after.start || i.before.end !== i.after.end;
      if (!moved) continue;
      // Like every reference, a Slot need not exist (yet): there is then nothing to check or to keep busy.
      if (!slot) continue;
      const r = checkSlot(i.after, slot, index);
      if (!r.ok) throw ruleError(r.issue);
    }
    if (!slot) continue;
    const holders = items.flatMap((i) => (i.after && slotsOf(i.after).includes(key) ? [i.after] : []));
    // Only a batch that gives the Slot back (an appointment leaves it, is deleted or cancelled) can lower its
    // status, and only then must every other appointment holding it be looked up; otherwise the stored status
    // already accounts for them and the batch can only raise it.
    const releases = items.some((i) => i.before && slotsOf(i.before).includes(key) && (!i.after || !slotsOf(i.after).includes(key) || hold(i.after) !== hold(i.before)));
    let status: Slot['status'];
    if (releases) {
      for (const m of await all.findMatches('Appointment', new URLSearchParams({ slot: key }), 10_000)) {
        if (!inBatch.has(m.id) && m.json) holders.push(JSON.parse(m.json) as Appointment);
      }
      status = slotStatus(slot, holders);
    } else {
      status = strongest(slot.status, slotStatus(slot, holders));
    }
    if (status === slot.status) continue;
    const versionId = written ? written.versionId : (stored?.versionId ?? 0) + 1;
    out.push(all.prepare({ ...slot, status }, id, versionId, 'update'));
  }
  return out;
}

const RANK: Record<Slot['status'], number> = { free: 0, 'busy-tentative': 1, busy: 2, 'busy-unavailable': 3, 'entered-in-error': 4 };
/** How strongly one appointment holds a Slot it references. */
const hold = (a: Appointment): Slot['status'] => slotStatus({ status: 'free' }, [a]);
const strongest = (a: Slot['status'], b: Slot['status']): Slot['status'] => (RANK[a] >= RANK[b] ? a : b);
