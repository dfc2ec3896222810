import { isWeekend } from './dates.ts';
import type { Rng } from './prng.ts';

/** Clinic hours: half-hour slots from 08:00, the last one starting at 16:30; 12:00-13:00 is lunch. */
export const SLOT_MINUTES = 30;
const FIRST_SLOT_MINUTE = 8 * 60;
const SLOTS_PER_DAY = 18;
const LUNCH_SLOTS = new Set([8, 9]);

export interface Booking {
  day: number;
  start: number;
  end: number;
}

/**
 * Books visits so that no clinician (and no patient) is in two places at once. Patients are generated one
 * after another against one shared schedule, which keeps the generated practice's calendars plausible.
 */
export class Schedule {
  private readonly taken = new Set<string>();

  /**
   * Books `slots` consecutive half-hour slots for every party on `preferredDay`, or on the nearest workday
   * within [minDay, maxDay]. Returns undefined when that whole range is full.
   */
  book(parties: string[], preferredDay: number, slots: number, rng: Rng, minDay: number, maxDay: number): Booking | undefined {
    const span = maxDay - minDay;
    for (let k = 0; k <= 2 * span + 1; k++) {
      const offset = k === 0 ? 0 : k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
      const day = preferredDay + offset;
      if (day < minDay || day > maxDay || isWeekend(day)) continue;
      const first = rng.int(0, SLOTS_PER_DAY - 1);
      for (let j = 0; j < SLOTS_PER_DAY; j++) {
        const s = (first + j) % SLOTS_PER_DAY;
        if (s + slots > SLOTS_PER_DAY || !this.isFree(parties, day, s, slots)) continue;
        for (let i = s; i < s + slots; i++) for (const p of parties) this.taken.add(`${p}|${day}|${i}`);
        return { day, start: FIRST_SLOT_MINUTE + s * SLOT_MINUTES, end: FIRST_SLOT_MINUTE + (s + slots) * SLOT_MINUTES };
      }
    }
    return undefined;
  }

  /** Evening group sessions: one per patient per evening. */
  claimEvening(patientId: string, day: number): boolean {
    const key = `${patientId}|${day}|evening`;
    if (this.taken.has(key)) return false;
    this.taken.add(key);
    return true;
  }

  private isFree(parties: string[], day: number, start: number, slots: number): boolean {
    for (let i = start; i < start + slots; i++) {
      if (LUNCH_SLOTS.has(i)) return false;
      for (const p of parties) if (this.taken.has(`${p}|${day}|${i}`)) return false;
    }
    return true;
  }
}
