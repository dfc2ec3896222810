import { describe, expect, it } from 'vitest';
import { isCode, isDate, isDateTime, isId, isInstant, isTime, isUri, isUrnUuid } from '../../src/validation/formats.ts';

// The published R4 regular expressions (datatypes.html#primitive), with XML Schema's \s (space, tab, CR, LF).
const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';
const SPEC = {
  date: new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$`),
  dateTime: new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T${TIME}${ZONE})?)?)?$`),
  instant: new RegExp(`^${YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T${TIME}${ZONE}$`),
  time: new RegExp(`^${TIME}$`),
  code: /^[^ \t\r\n]+([ \t\r\n][^ \t\r\n]+)*$/,
  uri: /^[^ \t\r\n]*$/,
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  uuid: /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
};

/** "Dates SHALL be valid dates" (datatypes.html#date): the regex alone accepts 2021-02-30. */
function dayExists(s: string): boolean {
  if (s.length < 10) return true;
  const [y, m, d] = [Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCDate() === d;
}

// A deterministic generator of near-miss strings: valid seeds with characters replaced, inserted, deleted.
let seed = 12345;
const random = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const ALPHABET = '0123456789-:.TZ+ \t\naF/_';
const SEEDS = [
  '2020', '2020-02', '2020-02-29', '2021-02-28', '1900-02-29', '2000-02-29', '0001-01-01', '2020-12-31',
  '2020-01-01T10:00:00Z', '2020-01-01T23:59:60.123+14:00', '2020-06-30T00:00:00-13:59', '12:30:00', '23:59:60.5',
  'abc', 'a b', 'urn:uuid:2b1f4a4e-6c1d-4a0e-9f1e-0d6f8c3b7a10', 'x'.repeat(64),
];
function mutate(s: string): string {
  const chars = [...s];
  for (let k = random(3) + 1; k > 0; k--) {
    const i = random(chars.length + 1);
    const c = ALPHABET[random(ALPHABET.length)];
    const op = random(3);
    if (op === 0) chars.splice(i, 0, c);
    else if (op === 1) chars.splice(i, 1);
    else chars[Math.min(i, chars.length - 1)] = c;
  }
  return chars.join('');
}
const inputs = [...SEEDS, '', ...Array.from({ length: 30000 }, () => mutate(SEEDS[random(SEEDS.length)]))];

describe('format scanners agree with the R4 regular expressions', () => {
  it.each([
    ['date', isDate, (s: string) => SPEC.date.test(s) && dayExists(s)],
    ['dateTime', isDateTime, (s: string) => SPEC.dateTime.test(s) && dayExists(s)],
    ['instant', isInstant, (s: string) => SPEC.instant.test(s) && dayExists(s)],
    ['time', isTime, (s: string) => SPEC.time.test(s)],
    ['code', isCode, (s: string) => SPEC.code.test(s)],
    ['uri', isUri, (s: string) => SPEC.uri.test(s)],
    ['id', (s: string) => isId(s), (s: string) => SPEC.id.test(s)],
    ['uuid', isUrnUuid, (s: string) => SPEC.uuid.test(s)],
  ] as const)('%s', (_type, scanner, spec) => {
    const disagreements = inputs.filter((s) => scanner(s) !== spec(s));
    expect(disagreements).toEqual([]);
    expect(inputs.some((s) => spec(s))).toBe(true);
  });
});
