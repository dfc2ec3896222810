import { describe, expect, it } from 'vitest';
import { httpDate } from '../src/fhir/response.ts';

// Last-Modified (RFC 9110 5.6.7 IMF-fixdate) from a stored meta.lastUpdated.
describe('httpDate', () => {
  it.each([
    ['1970-01-01T00:00:00.000Z', 'Thu, 01 Jan 1970 00:00:00 GMT'],
    ['1969-12-31T23:59:59.999Z', 'Wed, 31 Dec 1969 23:59:59 GMT'],
    ['2000-02-29T12:00:00.000Z', 'Tue, 29 Feb 2000 12:00:00 GMT'],
    ['2024-02-29T08:05:09.001Z', 'Thu, 29 Feb 2024 08:05:09 GMT'],
    ['2026-12-03T13:05:54.500Z', 'Thu, 03 Dec 2026 13:05:54 GMT'],
    ['2026-12-06T00:00:00.000Z', 'Sun, 06 Dec 2026 00:00:00 GMT'],
    ['1900-01-01T00:00:00.000Z', 'Mon, 01 Jan 1900 00:00:00 GMT'],
    // Not the stored form: through Date.
    ['2026-12-03T13:05:54Z', 'Thu, 03 Dec 2026 13:05:54 GMT'],
    ['2026-12-03T14:05:54.000+01:00', 'Thu, 03 Dec 2026 13:05:54 GMT'],
  ])('%s → %s', (instant, expected) => {
    expect(httpDate(instant)).toBe(expected);
    expect(httpDate(instant)).toBe(new Date(instant).toUTCString());
  });

  it('agrees with Date for every day of four centuries', () => {
    for (let ms = Date.UTC(1800, 0, 1, 23, 59, 59, 999); ms < Date.UTC(2200, 0, 1); ms += 86_400_000) {
      const iso = new Date(ms).toISOString();
      if (httpDate(iso) !== new Date(ms).toUTCString()) expect(httpDate(iso)).toBe(new Date(ms).toUTCString());
    }
  });
});
