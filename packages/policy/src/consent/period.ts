import type { Period } from '@medplum/fhirtypes';
import { dateRange } from '@confide/fhir';

/**
 * Periods and instants for consent evaluation, on the model R4 search uses: a date or dateTime is the range of
 * instants its precision implies (`2024-12-31` is the whole day, so a Period ending `2024-12-31` still holds at
 * 23:59:59 that day), and values without a time zone are UTC (as `@confide/fhir`'s `dateRange`). Pure: "now" is
 * always passed in.
 */

/** A half-open range of epoch milliseconds [start, end). */
export interface Interval {
  start: number;
  end: number;
}

/** Three-valued: a fact Confide could not establish (a malformed date, a value the caller did not pass) is `unknown`. */
export type Tri = 'yes' | 'no' | 'unknown';

function bound(text: string): number {
  if (text === '-infinity') return Number.NEGATIVE_INFINITY;
  if (text === 'infinity') return Number.POSITIVE_INFINITY;
  return Date.parse(text);
}

/** The range of a date/dateTime/instant, or undefined when it is malformed. */
export function instantRange(text: string): Interval | undefined {
  const r = dateRange(text);
  return r ? { start: bound(r.start), end: bound(r.end) } : undefined;
}

/** A Period as a range: from the start of `start` (or forever) to the end of `end` (or forever); undefined when malformed. */
export function periodRange(period: Period): Interval | undefined {
  const start = period.start === undefined ? Number.NEGATIVE_INFINITY : instantRange(period.start)?.start;
  const end = period.end === undefined ? Number.POSITIVE_INFINITY : instantRange(period.end)?.end;
  if (start === undefined || end === undefined) return undefined;
  return { start, end };
}

/** Whether the instant `now` falls in `period` (no period: always). */
export function periodContains(period: Period | undefined, now: string): Tri {
  if (!period) return 'yes';
  const p = periodRange(period);
  const t = instantRange(now);
  if (!p || !t) return 'unknown';
  return t.start >= p.start && t.start < p.end ? 'yes' : 'no';
}

/**
 * Whether data of period `data` lies in `bounds`: `yes` when wholly inside, `no` when wholly outside, `unknown` when
 * it straddles a bound or a value is missing or malformed.
 */
export function periodInside(bounds: Period, data: Period | undefined): Tri {
  if (!data) return 'unknown';
  const b = periodRange(bounds);
  const d = periodRange(data);
  if (!b || !d) return 'unknown';
  if (d.start >= b.start && d.end <= b.end) return 'yes';
  if (d.end <= b.start || d.start >= b.end) return 'no';
  return 'unknown';
}

/** The conjunction of three-valued results: any `no` is no, else any `unknown` is unknown. */
export function allOfTri(values: readonly Tri[]): Tri {
  if (values.includes('no')) return 'no';
  return values.includes('unknown') ? 'unknown' : 'yes';
}

/** The disjunction: any `yes` is yes, else any `unknown` is unknown. */
export function anyOfTri(values: readonly Tri[]): Tri {
  if (values.includes('yes')) return 'yes';
  return values.includes('unknown') ? 'unknown' : 'no';
}
