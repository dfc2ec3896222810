/**
 * The practice's calendar. Days are day numbers (days since 1970-01-01, proleptic Gregorian); times are
 * minutes after local midnight. The practice is in US Eastern time, so date-times carry -05:00 or -04:00.
 */
const MS_PER_DAY = 86_400_000;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function civil(day: number): CivilDate {
  const d = new Date(day * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekend(day: number): boolean {
  const w = weekday(day);
  return w === 0 || w === 6;
}

/** US Eastern offset in minutes on a local date: daylight time from the 2nd Sunday in March to the 1st Sunday in November. */
export function easternOffsetMinutes(day: number): number {
  const { year } = civil(day);
  const march1 = dayNumber(year, 3, 1);
  const dstStart = march1 + ((7 - weekday(march1)) % 7) + 7;
  const nov1 = dayNumber(year, 11, 1);
  const dstEnd = nov1 + ((7 - weekday(nov1)) % 7);
  return day >= dstStart && day < dstEnd ? -240 : -300;
}

/** The practice's local date (day number) at the instant `now`. */
export function localDay(now: Date): number {
  const guess = Math.floor((now.getTime() - 300 * 60_000) / MS_PER_DAY);
  return Math.floor((now.getTime() + easternOffsetMinutes(guess) * 60_000) / MS_PER_DAY);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** FHIR date: YYYY-MM-DD. */
export function fhirDate(day: number): string {
  const c = civil(day);
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}`;
}

/** FHIR dateTime/instant in local time with its offset, e.g. 2024-05-01T09:30:00-04:00. */
export function fhirDateTime(day: number, minute: number): string {
  const d = day + Math.floor(minute / 1440);
  const m = ((minute % 1440) + 1440) % 1440;
  const offset = easternOffsetMinutes(d);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${fhirDate(d)}T${pad(Math.floor(m / 60))}:${pad(m % 60)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The nearest weekday on or before `day`. */
export function weekdayOnOrBefore(day: number): number {
  let d = day;
  while (isWeekend(d)) d--;
  return d;
}

/** Whole years between a birth day and `day`. */
export function ageOn(birthDay: number, day: number): number {
  const b = civil(birthDay);
  const c = civil(day);
  return c.year - b.year - (c.month < b.month || (c.month === b.month && c.day < b.day) ? 1 : 0);
}
