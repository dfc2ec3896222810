/**
 * FHIR date, dateTime and instant values as half-open ranges of instants, the model R4 search uses for every
 * date comparison (search.html#date: "the date parameter format ... the precision of the value is an implicit
 * range"). `2024` is [2024-01-01T00:00:00.000Z, 2025-01-01T00:00:00.000Z); `2024-03-05T10:00:00+01:00` is
 * [2024-03-05T09:00:00.000Z, 2024-03-05T09:00:01.000Z).
 *
 * Values without a time zone (dates, and dateTimes a client sends without one) are taken as UTC. R4 leaves
 * this to the server (datatypes.html#dateTime); UTC makes indexing independent of the server's locale.
 */
export interface InstantRange {
  /** Inclusive lower bound, ISO 8601 UTC with milliseconds, or '-infinity'. */
  start: string;
  /** Exclusive upper bound, ISO 8601 UTC with milliseconds, or 'infinity'. */
  end: string;
}

const DATE_PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const MS_PER_MINUTE = 60_000;
/** 400 Gregorian years, used to shift years 0-99 away from Date.UTC's 1900-based two-digit years. */
const MS_PER_400_YEARS = 146_097 * 86_400_000;
const MIN_INSTANT = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_INSTANT = 253_402_300_800_000; // 10000-01-01T00:00:00.000Z

function utc(year: number, month0: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  if (year >= 100) return Date.UTC(year, month0, day, hour, minute, second, ms);
  return Date.UTC(year + 400, month0, day, hour, minute, second, ms) - MS_PER_400_YEARS;
}

function daysInMonth(year: number, month1: number): number {
  return new Date(utc(year, month1, 0)).getUTCDate();
}

/**
 * The range of a date/dateTime/instant as epoch milliseconds [start, end), or undefined when malformed.
 * `spaceForPlus` accepts `2024-01-01T10:00:00 05:00`, which is what an unencoded `+` in a URL decodes to.
 */
export function dateRangeMs(text: string, spaceForPlus = false): [number, number] | undefined {
  let value = text;
  if (spaceForPlus && value.length > 6 && value[value.length - 6] === ' ') {
    value = `${value.slice(0, -6)}+${value.slice(-5)}`;
  }
  const m = DATE_PATTERN.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (m[2] === undefined) return [utc(year, 0, 1), utc(year + 1, 0, 1)];
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  if (m[3] === undefined) return [utc(year, month - 1, 1), utc(year, month, 1)];
  const day = Number(m[3]);
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (m[4] === undefined) return [utc(year, month - 1, day), utc(year, month - 1, day + 1)];
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  const tz = m[8];
  if (tz && tz !== 'Z') {
    const tzHours = Number(tz.slice(1, 3));
    const tzMinutes = Number(tz.slice(4, 6));
    if (tzHours > 14 || tzMinutes > 59) return undefined;
    offset = (tz[0] === '-' ? -1 : 1) * (tzHours * 60 + tzMinutes) * MS_PER_MINUTE;
  }
  let ms = 0;
  let step: number;
  if (m[6] === undefined) {
    step = MS_PER_MINUTE;
  } else if (m[7] === undefined) {
    step = 1000;
  } else {
    const fraction = m[7];
    ms = Number(fraction.padEnd(3, '0').slice(0, 3));
    step = fraction.length >= 3 ? 1 : 10 ** (3 - fraction.length);
  }
  const start = utc(year, month - 1, day, hour, minute, second, ms) - offset;
  return [start, start + step];
}

/** Formats epoch milliseconds as an ISO 8601 UTC instant; out-of-range values become '-infinity' / 'infinity'. */
export function formatInstant(ms: number): string {
  if (ms < MIN_INSTANT) return '-infinity';
  if (ms >= MAX_INSTANT) return 'infinity';
  return new Date(ms).toISOString();
}

/** The range of a date/dateTime/instant as ISO instants, or undefined when malformed. */
export function dateRange(text: string, spaceForPlus = false): InstantRange | undefined {
  const r = dateRangeMs(text, spaceForPlus);
  return r ? { start: formatInstant(r[0]), end: formatInstant(r[1]) } : undefined;
}
