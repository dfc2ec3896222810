import { timeText } from '../lib/format.ts';

export const DAY = new Intl.DateTimeFormat('en-US', { weekday: 'short', month: 'short', day: 'numeric' });
export const LONG_DAY = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
const SPOKEN_DAY = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric' });

/** "9:00 AM–9:30 AM" */
export function rangeText(start: string | undefined, end: string | undefined): string {
  return `${timeText(start)}–${timeText(end)}`;
}

/** "9:00 AM, Thursday, December 3": a time as a screen reader should say it in a label. */
export function spokenTime(start: string | undefined): string {
  return start ? `${timeText(start)}, ${SPOKEN_DAY.format(new Date(start))}` : '';
}
