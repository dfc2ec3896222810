import type { Appointment, Reference, Slot } from '@medplum/fhirtypes';

/**
 * Scheduling rules (docs/scheduling.md; R4 appointment.html, slot.html), pure: what an Appointment must hold,
 * when two appointments double-book a practitioner, and what state a Slot is in given the appointments that
 * reference it. The server fetches the other appointments and slots and applies these in the write's
 * transaction.
 */

/** A refusal, shaped like an OperationOutcome issue (code from R4 valueset-issue-type). */
export interface SchedulingIssue {
  code: 'business-rule' | 'invalid' | 'required' | 'conflict';
  /** FHIRPath of the offending element, e.g. `Appointment.start`. */
  expression: string;
  message: string;
}

export type SchedulingCheck = { ok: true } | { ok: false; issue: SchedulingIssue };

const OK: SchedulingCheck = { ok: true };
const fail = (code: SchedulingIssue['code'], expression: string, message: string): SchedulingCheck => ({ ok: false, issue: { code, expression, message } });

/** Statuses in which an appointment takes up its participants' time (the model's double-booking rule). */
export const BLOCKING_STATUSES: readonly Appointment['status'][] = ['booked', 'arrived', 'checked-in'];
/** R4 app-3: only these may lack start and end. */
const UNTIMED_STATUSES: readonly Appointment['status'][] = ['proposed', 'cancelled', 'waitlist'];
/**
 * The longest an appointment that blocks a practitioner may last. Outpatient visits, group sessions and IOP
 * days are hours long; a booked "appointment" of several days is a data-entry error. The bound also keeps the
 * double-booking search exact: an overlapping appointment must start within this much before the new one.
 */
export const MAX_BLOCKING_HOURS = 24;

/** `Type/id` of a literal reference (relative, absolute or versioned); undefined for others. */
export function refKey(ref: Reference | string | undefined): string | undefined {
  const s = typeof ref === 'string' ? ref : ref?.reference;
  if (!s) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(s);
  return m ? m[1] : undefined;
}

export const isBlocking = (a: Appointment): boolean => BLOCKING_STATUSES.includes(a.status);

/** The appointment's time as milliseconds [start, end); undefined when it has no (valid) start and end. */
export function interval(a: Pick<Appointment, 'start' | 'end'>): { start: number; end: number } | undefined {
  if (!a.start || !a.end) return undefined;
  const start = Date.parse(a.start);
  const end = Date.parse(a.end);
  return Number.isNaN(start) || Number.isNaN(end) ? undefined : { start, end };
}

/** Half-open intervals overlap: one ending at 10:00 and the next starting at 10:00 do not. */
export function overlaps(a: Pick<Appointment, 'start' | 'end'>, b: Pick<Appointment, 'start' | 'end'>): boolean {
  const x = interval(a);
  const y = interval(b);
  return !!x && !!y && x.start < y.end && y.start < x.end;
}

/**
 * The Practitioners whose time the appointment takes: participants whose actor is a Practitioner, except
 * those who declined and those listed for information only (R4 participantrequired `information-only`).
 */
export function practitionersOf(a: Appointment): string[] {
  const out = new Set<string>();
  for (const p of a.participant ?? []) {
    const key = refKey(p.actor);
    if (!key?.startsWith('Practitioner/')) continue;
    if (p.status === 'declined' || p.required === 'information-only') continue;
    out.add(key);
  }
  return [...out].sort();
}

/** The `Slot/<id>`s the appointment references. */
export function slotsOf(a: Appointment | undefined): string[] {
  return [...new Set((a?.slot ?? []).map((s) => refKey(s)).filter((k): k is string => !!k?.startsWith('Slot/')))];
}

/** What an Appointment must hold on its own (before any other appointment is looked at). */
export function checkAppointment(a: Appointment): SchedulingCheck {
  const participants = a.participant ?? [];
  if (!participants.some((p) => refKey(p.actor)?.startsWith('Patient/'))) {
    return fail('required', 'Appointment.participant', 'An appointment needs a participant whose actor is the Patient');
  }
  // R4 app-2: either start and end are both given, or neither is.
  if (!!a.start !== !!a.end) return fail('invalid', a.start ? 'Appointment.end' : 'Appointment.start', 'An appointment has both a start and an end, or neither (R4 app-2)');
  // R4 app-3: only proposed, cancelled and waitlisted appointments may lack them.
  if (!a.start && !UNTIMED_STATUSES.includes(a.status)) {
    return fail('required', 'Appointment.start', `A ${a.status} appointment needs its start and end (R4 app-3)`);
  }
  const t = interval(a);
  if (a.start && !t) return fail('invalid', 'Appointment.start', 'start and end must be instants');
  if (t && t.start >= t.end) return fail('invalid', 'Appointment.end', 'An appointment must end after it starts');
  if (t && isBlocking(a) && t.end - t.start > MAX_BLOCKING_HOURS * 3_600_000) {
    return fail('business-rule', 'Appointment.end', `A ${a.status} appointment lasts at most ${MAX_BLOCKING_HOURS} hours`);
  }
  return OK;
}

/** Two appointments of one group session share a Slot: they do not double-book the practitioner running it. */
function sameSession(a: Appointment, b: Appointment): boolean {
  const slots = new Set(slotsOf(a));
  return slotsOf(b).some((s) => slots.has(s));
}

export interface DoubleBooking {
  practitioner: string;
  other: Appointment;
}

/**
 * The first appointment among `others` that double-books a practitioner of `a`: both blocking, overlapping,
 * sharing a practitioner who takes part in both, and not two members of one group session (a shared Slot).
 * `others` may include `a` itself (same id), which is skipped.
 */
export function findDoubleBooking(a: Appointment, others: readonly Appointment[]): DoubleBooking | undefined {
  if (!isBlocking(a)) return undefined;
  const mine = new Set(practitionersOf(a));
  if (mine.size === 0) return undefined;
  for (const other of others) {
    if (other === a || (a.id !== undefined && other.id === a.id)) continue;
    if (!isBlocking(other) || !overlaps(a, other) || sameSession(a, other)) continue;
    const shared = practitionersOf(other).find((p) => mine.has(p));
    if (shared) return { practitioner: shared, other };
  }
  return undefined;
}

/** The 409 for a double booking; it names the practitioner and the time taken, never the other patient. */
export function doubleBookingIssue(found: DoubleBooking): SchedulingIssue {
  return {
    code: 'conflict',
    expression: 'Appointment.start',
    message: `${found.practitioner} already has an appointment from ${found.other.start} to ${found.other.end}`,
  };
}

/**
 * The status of a Slot given every appointment that references it (R4 slot.html: free, busy, busy-tentative):
 * busy while a booked, arrived, checked-in, fulfilled or noshow appointment holds it; busy-tentative while only
 * proposed, pending or waitlisted ones do; free once they are all cancelled or entered in error. A Slot that
 * is busy-unavailable or entered-in-error keeps that status.
 */
export function slotStatus(slot: Pick<Slot, 'status'>, appointments: readonly Appointment[]): Slot['status'] {
  if (slot.status === 'busy-unavailable' || slot.status === 'entered-in-error') return slot.status;
  const held = appointments.map((a) => a.status);
  if (held.some((s) => ['booked', 'arrived', 'checked-in', 'fulfilled', 'noshow'].includes(s))) return 'busy';
  if (held.some((s) => ['proposed', 'pending', 'waitlist'].includes(s))) return 'busy-tentative';
  return 'free';
}

/**
 * Whether `a` may take `slot` (its `index`-th Slot reference): the Slot is not blocked or void, and the
 * appointment's time overlaps the Slot's (R4 Appointment.slot: "the slots … that will be filled by the
 * appointment" — an hour-long visit fills two half-hour Slots, and none it does not touch).
 */
export function checkSlot(a: Appointment, slot: Slot, index: number): SchedulingCheck {
  const at = `Appointment.slot[${index}]`;
  if (slot.status === 'busy-unavailable' || slot.status === 'entered-in-error') {
    return fail('conflict', at, `Slot/${slot.id} is ${slot.status} and cannot be booked`);
  }
  const t = interval(a);
  const s = interval(slot);
  if (t && s && !(t.start < s.end && s.start < t.end)) {
    return fail('business-rule', at, `The appointment’s time is outside Slot/${slot.id} (${slot.start} to ${slot.end})`);
  }
  return OK;
}
