import type { Appointment, Composition, Encounter, Schedule, Slot } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { checkNoteTransition, narrativeText } from '@confide/notes';
import { checkAppointment, findDoubleBooking } from '@confide/scheduling';
import { isPart2Labelled, PRACTITIONER, STAFF } from '../src/index.ts';
import { byType, defaultPractice, NOW } from './fixtures.ts';

const bundles = defaultPractice();
const schedules = byType<Schedule>(bundles, 'Schedule');
const slots = new Map(byType<Slot>(bundles, 'Slot').map((s) => [`Slot/${s.id}`, s]));
const booked = byType<Appointment>(bundles, 'Appointment').filter((a) => a.status === 'booked');
const notes = byType<Composition>(bundles, 'Composition');
const encounters = new Map(byType<Encounter>(bundles, 'Encounter').map((e) => [`Encounter/${e.id}`, e]));
const time = (s: string | undefined) => new Date(s as string).getTime();

describe('calendars', () => {
  it('every clinician has one Schedule; only clinicians have one', () => {
    const clinicians = STAFF.filter((m) => m.role === 'clinician').map((m) => `Practitioner/${m.id}`).sort();
    expect(schedules.map((s) => s.actor[0].reference).sort()).toEqual(clinicians);
  });

  it('Slots cover the coming two weeks in clinic hours, and are written free', () => {
    for (const s of slots.values()) {
      expect(s.status).toBe('free');
      expect(time(s.start)).toBeGreaterThan(NOW.getTime());
      expect(time(s.start)).toBeLessThan(NOW.getTime() + 15 * 86_400_000);
      expect(time(s.end)).toBeGreaterThan(time(s.start));
      expect(schedules.some((x) => `Schedule/${x.id}` === s.schedule.reference)).toBe(true);
    }
    // Six clinicians, ten workdays, sixteen half-hour slots a day (plus the evening sessions).
    expect(slots.size).toBeGreaterThanOrEqual(6 * 10 * 16);
  });

  it('every upcoming appointment fills Slots of its own practitioner’s Schedule, covering its time', () => {
    expect(booked.length).toBeGreaterThan(60);
    for (const a of booked) {
      expect(checkAppointment(a)).toEqual({ ok: true });
      const practitioner = a.participant.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor?.reference as string;
      const filled = (a.slot ?? []).map((r) => slots.get(r.reference as string) as Slot);
      expect(filled.length, a.id).toBeGreaterThan(0);
      for (const s of filled) {
        const schedule = schedules.find((x) => `Schedule/${x.id}` === s.schedule.reference);
        expect(schedule?.actor[0].reference).toBe(practitioner);
      }
      expect(Math.min(...filled.map((s) => time(s.start)))).toBe(time(a.start));
      expect(Math.max(...filled.map((s) => time(s.end)))).toBe(time(a.end));
    }
  });

  it('no upcoming appointment double-books a practitioner by the server’s rule (group sessions share a Slot)', () => {
    for (const a of booked) expect(findDoubleBooking(a, booked), a.id).toBeUndefined();
    const shared = booked.filter((a) => booked.some((b) => b !== a && b.slot?.[0]?.reference === a.slot?.[0]?.reference));
    expect(shared.length).toBeGreaterThan(0);
  });
});

describe('notes', () => {
  it('recent visits have signed notes that the server’s note rules accept', () => {
    expect(notes.length).toBeGreaterThan(100);
    for (const n of notes) {
      expect(n.status).toBe('final');
      expect(checkNoteTransition(undefined, n, { kind: 'system' }), n.id).toEqual({ ok: true });
      const legal = n.attester?.find((a) => a.mode === 'legal');
      expect(legal?.party?.reference).toBe(n.author[0].reference);
      const encounter = encounters.get(n.encounter?.reference as string) as Encounter;
      expect(encounter.subject?.reference).toBe(n.subject?.reference);
      expect(time(n.date)).toBeGreaterThanOrEqual(time(encounter.period?.end));
      expect(time(n.date)).toBeLessThan(NOW.getTime() + 86_400_000);
      expect(isPart2Labelled(n.meta)).toBe(isPart2Labelled(encounter.meta));
      expect(n.section?.every((s) => narrativeText(s.text).length > 20)).toBe(true);
      expect(narrativeText(n.section?.at(-1)?.text)).toContain('Synthetic demo note');
    }
  });

  it('psychotherapy notes are written by the therapists; the psychiatric NP’s notes are co-signed', () => {
    const psychotherapy = notes.filter((n) => n.category?.[0].coding?.[0].code === 'psychotherapy');
    expect(psychotherapy.length).toBeGreaterThan(5);
    const therapists = [`Practitioner/${PRACTITIONER.therapist1}`, `Practitioner/${PRACTITIONER.therapist2}`];
    for (const n of psychotherapy) expect(therapists).toContain(n.author[0].reference);
    const np = notes.filter((n) => n.author[0].reference === `Practitioner/${PRACTITIONER.psychNp}`);
    expect(np.length).toBeGreaterThan(0);
    for (const n of np) expect(n.attester?.map((a) => [a.mode, a.party?.reference])).toEqual([['legal', `Practitioner/${PRACTITIONER.psychNp}`], ['professional', `Practitioner/${PRACTITIONER.psychiatrist}`]]);
  });

  it('uses every progress-note template and the intake template', () => {
    const used = new Set(notes.map((n) => n.category?.[0].coding?.[0].code));
    for (const code of ['soap', 'dap', 'birp', 'intake', 'psychotherapy']) expect(used.has(code), code).toBe(true);
  });
});
