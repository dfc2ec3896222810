import { describe, expect, it } from 'vitest';
import { toInstant } from '../src/stored-resource.ts';

// PostgreSQL (DateStyle ISO, TimeZone UTC) prints timestamptz as below; FHIR instants are ISO 8601 with a Z.
describe('toInstant', () => {
  it.each([
    ['2026-11-22 02:30:00.123+00', '2026-11-22T02:30:00.123Z'],
    ['2026-11-22 02:30:00+00', '2026-11-22T02:30:00.000Z'],
    ['2026-11-22 02:30:00.1+00', '2026-11-22T02:30:00.100Z'],
    ['2026-11-22 02:30:00.123456+00', '2026-11-22T02:30:00.123Z'],
    ['1999-12-31 23:59:59.999+00', '1999-12-31T23:59:59.999Z'],
    ['2026-11-22T02:30:00.123Z', '2026-11-22T02:30:00.123Z'],
  ])('%s → %s', (pgText, instant) => {
    expect(toInstant(pgText)).toBe(instant);
    // The rearranging fast path and the Date round trip agree.
    expect(toInstant(pgText)).toBe(new Date(pgText.includes('T') ? pgText : pgText.replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString());
  });
});
