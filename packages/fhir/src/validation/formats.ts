/**
 * Hand-written scanners equivalent to the R4 primitive regular expressions (R4 datatypes.html#primitive)
 * for the types that occur on nearly every resource: date, dateTime, instant, time, code, id, uri and
 * urn:uuid. A regular expression costs several times more per call than these loops, and validation
 * runs on every ingested resource. test/validation/formats.test.ts checks each scanner against the
 * published regex on generated inputs.
 *
 * Whitespace is XML Schema's \s (space, tab, CR, LF), as in the specification's regexes.
 */

function isXmlSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Two ASCII digits at i as a number, or -1. */
function twoDigits(s: string, i: number): number {
  if (i + 2 > s.length) return -1;
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Scans YYYY, YYYY-MM or YYYY-MM-DD at the start of s; returns the index after it, or -1.
 * Year 0000 is excluded by the R4 regex; the day must exist ("SHALL be valid dates", datatypes.html#date).
 */
function scanDate(s: string): number {
  const hi = twoDigits(s, 0);
  const lo = twoDigits(s, 2);
  if (hi < 0 || lo < 0) return -1;
  const year = hi * 100 + lo;
  if (year === 0) return -1;
  if (s.length === 4 || s.charCodeAt(4) !== 45 /* - */) return 4;
  const month = twoDigits(s, 5);
  if (month < 1 || month > 12) return -1;
  if (s.length === 7 || s.charCodeAt(7) !== 45) return 7;
  const day = twoDigits(s, 8);
  if (day < 1 || day > daysInMonth(year, month)) return -1;
  return 10;
}

/** Scans hh:mm:ss(.f+)? at i; returns the index after it, or -1. Seconds may be 60 (leap second). */
function scanTime(s: string, i: number): number {
  const hours = twoDigits(s, i);
  if (hours < 0 || hours > 23 || s.charCodeAt(i + 2) !== 58 /* : */) return -1;
  const minutes = twoDigits(s, i + 3);
  if (minutes < 0 || minutes > 59 || s.charCodeAt(i + 5) !== 58) return -1;
  const seconds = twoDigits(s, i + 6);
  if (seconds < 0 || seconds > 60) return -1;
  let end = i + 8;
  if (s.charCodeAt(end) === 46 /* . */) {
    const start = ++end;
    while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
    if (end === start) return -1;
  }
  return end;
}

/** Scans Z, or +hh:mm / -hh:mm with hh 00-13 or exactly 14:00; returns the index after it, or -1. */
function scanZone(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 90 /* Z */) return i + 1;
  if (c !== 43 /* + */ && c !== 45 /* - */) return -1;
  const hours = twoDigits(s, i + 1);
  const minutes = twoDigits(s, i + 4);
  if (s.charCodeAt(i + 3) !== 58 || hours < 0 || minutes < 0 || minutes > 59) return -1;
  if (hours > 14 || (hours === 14 && minutes !== 0)) return -1;
  return i + 6;
}

export function isDate(s: string): boolean {
  return scanDate(s) === s.length;
}

/** YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss(.f+)?zone: a time needs a zone (datatypes.html#dateTime). */
export function isDateTime(s: string): boolean {
  const date = scanDate(s);
  if (date === s.length) return true;
  if (date !== 10 || s.charCodeAt(10) !== 84 /* T */) return false;
  const time = scanTime(s, 11);
  return time > 0 && scanZone(s, time) === s.length;
}

/** YYYY-MM-DDThh:mm:ss(.f+)?zone, always complete (datatypes.html#instant). */
export function isInstant(s: string): boolean {
  if (scanDate(s) !== 10 || s.charCodeAt(10) !== 84) return false;
  const time = scanTime(s, 11);
  return time > 0 && scanZone(s, time) === s.length;
}

export function isTime(s: string): boolean {
  return scanTime(s, 0) === s.length;
}

/** code: [^\s]+(\s[^\s]+)* — no leading, trailing or repeated whitespace. */
export function isCode(s: string): boolean {
  let previousSpace = true;
  for (let i = 0; i < s.length; i++) {
    const space = isXmlSpace(s.charCodeAt(i));
    if (space && previousSpace) return false;
    previousSpace = space;
  }
  return !previousSpace;
}

/** uri, url, canonical: \S* (non-empty is checked by the caller, per json.html). */
export function isUri(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isXmlSpace(s.charCodeAt(i))) return false;
  return true;
}

/** id: [A-Za-z0-9\-\.]{1,64}, from `start` to the end of s. */
export function isId(s: string, start = 0): boolean {
  const length = s.length - start;
  if (length < 1 || length > 64) return false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46;
    if (!ok) return false;
  }
  return true;
}

/** uuid: urn:uuid: followed by a lower-case 8-4-4-4-12 hex UUID. */
export function isUrnUuid(s: string): boolean {
  if (s.length !== 45 || !s.startsWith('urn:uuid:')) return false;
  for (let i = 9; i < 45; i++) {
    const c = s.charCodeAt(i);
    if (i === 17 || i === 22 || i === 27 || i === 32) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return false;
    }
  }
  return true;
}
