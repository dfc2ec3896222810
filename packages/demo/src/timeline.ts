import { ageOn, weekday } from './dates.ts';
import type { PatientProfile, Stream, StreamPlan, Visit } from './model.ts';
import type { Rng } from './prng.ts';
import type { Schedule } from './schedule.ts';
import { THERAPY_KINDS, VISITS, type VisitKind } from './visits.ts';
import { CONDITIONS, type ConditionKey } from './conditions.ts';

/** How far back the demo history reaches, and how far ahead appointments are booked. */
export const HISTORY_DAYS = 730;
export const UPCOMING_DAYS = 14;

/** Evening sessions at Riverside, outside the clinic's daytime grid: IOP Mon/Wed/Thu 17:00-20:00, group Tue 17:30-19:00. */
const IOP_DAYS = [1, 3, 4];
export const EVENING_SESSIONS = {
  'iop-day': { weekdays: IOP_DAYS, start: 17 * 60, end: 20 * 60 },
  'group-psychotherapy': { weekdays: [2], start: 17 * 60 + 30, end: 19 * 60 },
} as const;

/**
 * Lays out each stream's visits on the calendar: past visits (which become Encounters) and, for care that is
 * still going on, the next visit in the coming two weeks (a booked Appointment).
 */
export function planVisits(profile: PatientProfile, today: number, schedule: Schedule, rng: Rng): Visit[] {
  const visits: Visit[] = [];
  for (const plan of profile.streams) visits.push(...planStream(profile, plan, today, schedule, rng));
  return visits.sort((a, b) => a.day - b.day || a.start - b.start || a.stream.localeCompare(b.stream));
}

function planStream(profile: PatientProfile, plan: StreamPlan, today: number, schedule: Schedule, rng: Rng): Visit[] {
  const out: Visit[] = [];
  const earliest = today - HISTORY_DAYS;
  let lastPreventive = Number.NEGATIVE_INFINITY;
  let lastDay: number | undefined;

  const add = (preferred: number, minDay: number, maxDay: number, upcoming: boolean): void => {
    const first = out.length === 0;
    let kind = first ? firstKind(plan.stream) : followUpKind(plan.stream, rng);
    if (plan.stream === 'primary-care' && !first && preferred - lastPreventive >= 330) kind = preventiveKind(profile, preferred);
    // First visits are in person (except some therapy intakes), as are physicals and evening group sessions.
    const remoteRate = first ? (plan.stream === 'therapy' ? plan.telehealthRate / 3 : 0) : plan.telehealthRate;
    const telehealth = VISITS[kind].slots > 0 && VISITS[kind].appointmentType !== 'CHECKUP' && rng.chance(remoteRate);
    const booking = book(profile.id, plan, kind, preferred, minDay, maxDay, schedule, rng);
    if (!booking) return;
    if (kind.startsWith('preventive') || kind === 'office-new') lastPreventive = booking.day;
    lastDay = booking.day;
    out.push({ stream: plan.stream, kind, practitionerId: plan.practitionerId, site: plan.site, telehealth, ...booking, upcoming, first });
  };

  for (const day of pastDays(plan, rng)) {
    if (day > plan.endDay || out.length >= plan.maxVisits) break;
    if (day < earliest) continue;
    add(day, Math.max(earliest, day - 10), Math.min(plan.endDay, day + 10), false);
  }
  if (plan.ongoing) {
    const due = lastDay === undefined ? plan.startDay : lastDay + (plan.stream === 'psychiatry' && out.length === 1 ? 28 : plan.cadenceDays);
    const dueSoon = due <= today + UPCOMING_DAYS || ['therapy', 'sud-medical', 'sud-therapy', 'sud-iop'].includes(plan.stream);
    if (dueSoon) {
      const preferred = Math.min(today + UPCOMING_DAYS, Math.max(today + 1, due));
      add(preferred, today + 1, today + UPCOMING_DAYS, true);
    }
  }
  return out;
}

/** Preferred days of the past visits of a stream. */
function pastDays(plan: StreamPlan, rng: Rng): number[] {
  const days = [plan.startDay];
  if (plan.stream === 'sud-medical') {
    // Induction and stabilization: weekly, then every two weeks, then monthly.
    for (const gap of [7, 14, 14, 28, 42, 56, 56, 56, 56, 56]) days.push(days[days.length - 1] + gap);
    return days;
  }
  if (plan.stream === 'sud-iop') {
    for (let d = plan.startDay + 1; days.length < plan.maxVisits; d++) if (IOP_DAYS.includes(weekday(d))) days.push(d);
    return days;
  }
  let day = plan.startDay;
  for (let i = 1; i < plan.maxVisits; i++) {
    const cadence = plan.stream === 'psychiatry' && i === 1 ? 28 : plan.cadenceDays;
    day += Math.max(1, Math.round(cadence * rng.between(0.85, 1.15)));
    days.push(day);
  }
  return days;
}

function firstKind(stream: Stream): VisitKind {
  switch (stream) {
    case 'therapy':
      return 'diagnostic-eval';
    case 'psychiatry':
    case 'sud-medical':
      return 'diagnostic-eval-medical';
    case 'primary-care':
      return 'office-new';
    case 'sud-iop':
      return 'iop-day';
    case 'sud-therapy':
      return 'psychotherapy-45';
  }
}

function followUpKind(stream: Stream, rng: Rng): VisitKind {
  switch (stream) {
    case 'therapy':
      return rng.weighted(THERAPY_KINDS.map((k) => [k, k === 'psychotherapy-30' ? 10 : 45] as const));
    case 'psychiatry':
      return rng.chance(0.6) ? 'office-moderate' : 'office-low';
    case 'primary-care':
      return rng.chance(0.55) ? 'office-moderate' : 'office-low';
    case 'sud-medical':
      return 'office-moderate';
    case 'sud-iop':
      return 'iop-day';
    case 'sud-therapy':
      return rng.chance(0.3) ? 'group-psychotherapy' : 'psychotherapy-45';
  }
}

function preventiveKind(profile: PatientProfile, day: number): VisitKind {
  const age = ageOn(profile.birthDay, day);
  return age >= 65 ? 'preventive-65' : age >= 40 ? 'preventive-40-64' : 'preventive-18-39';
}

function book(
  patientId: string,
  plan: StreamPlan,
  kind: VisitKind,
  preferred: number,
  minDay: number,
  maxDay: number,
  schedule: Schedule,
  rng: Rng,
): { day: number; start: number; end: number } | undefined {
  const slots = VISITS[kind].slots;
  if (slots > 0) return schedule.book([plan.practitionerId, patientId], preferred, slots, rng, minDay, maxDay);
  // Group and IOP sessions: the next session day on or after the preferred day.
  const session = EVENING_SESSIONS[kind === 'iop-day' ? 'iop-day' : 'group-psychotherapy'];
  for (let day = Math.max(preferred, minDay); day <= maxDay; day++) {
    if (!(session.weekdays as readonly number[]).includes(weekday(day))) continue;
    if (!schedule.claimEvening(patientId, day)) continue;
    return { day, start: session.start, end: session.end };
  }
  return undefined;
}

/** Conditions a stream addresses, for Encounter.diagnosis and Appointment.reasonReference. */
export function streamConditions(profile: PatientProfile, stream: Stream): ConditionKey[] {
  const hasPsychiatry = profile.streams.some((s) => s.stream === 'psychiatry');
  return profile.conditions.filter((c) => {
    const def = CONDITIONS[c];
    switch (stream) {
      case 'therapy':
      case 'psychiatry':
        return def.domain === 'mental-health' || (stream === 'psychiatry' && c === 'tobacco');
      case 'primary-care':
        return def.domain === 'medical' || c === 'tobacco' || (def.domain === 'mental-health' && !hasPsychiatry);
      case 'sud-medical':
      case 'sud-iop':
      case 'sud-therapy':
        return def.part2 || (stream !== 'sud-iop' && def.domain === 'mental-health' && !hasPsychiatry);
    }
  });
}
