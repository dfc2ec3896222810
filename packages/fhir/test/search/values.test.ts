import { describe, expect, it } from 'vitest';
import { splitUnescaped, unescapeValue } from '../../src/search/escape.ts';
import { dateRange } from '../../src/search/fhir-date.ts';
import { decimalRange } from '../../src/search/fhir-number.ts';
import { normalizeString } from '../../src/search/normalize-string.ts';
import { parseReference } from '../../src/search/reference-parts.ts';

describe('dateRange (search.html#date: precision is an implicit range)', () => {
  it.each([
    ['2024', '2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-12', '2024-12-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-12-31', '2024-12-31T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-03-05T10:00', '2024-03-05T10:00:00.000Z', '2024-03-05T10:01:00.000Z'],
    ['2024-03-05T10:00:00Z', '2024-03-05T10:00:00.000Z', '2024-03-05T10:00:01.000Z'],
    ['2024-03-05T10:00:00+01:00', '2024-03-05T09:00:00.000Z', '2024-03-05T09:00:01.000Z'],
    ['2024-03-05T23:30:00-05:00', '2024-03-06T04:30:00.000Z', '2024-03-06T04:30:01.000Z'],
    ['2024-01-01T00:00:00+14:00', '2023-12-31T10:00:00.000Z', '2023-12-31T10:00:01.000Z'],
    ['2024-03-05T10:00:00.5Z', '2024-03-05T10:00:00.500Z', '2024-03-05T10:00:00.600Z'],
    ['2024-03-05T10:00:00.12Z', '2024-03-05T10:00:00.120Z', '2024-03-05T10:00:00.130Z'],
    ['2024-03-05T10:00:00.123Z', '2024-03-05T10:00:00.123Z', '2024-03-05T10:00:00.124Z'],
    ['2024-03-05T10:00:00.123456Z', '2024-03-05T10:00:00.123Z', '2024-03-05T10:00:00.124Z'],
    ['2024-03-05T10:00:00', '2024-03-05T10:00:00.000Z', '2024-03-05T10:00:01.000Z'], // no zone: UTC
    ['0050-06-01', '0050-06-01T00:00:00.000Z', '0050-06-02T00:00:00.000Z'],
    ['9999', '9999-01-01T00:00:00.000Z', 'infinity'],
  ])('%s → [%s, %s)', (text, start, end) => {
    expect(dateRange(text)).toEqual({ start, end });
  });

  it.each(['', '24', '2024-13', '2023-02-29', '2024-04-31', '2024-01-01T24:00', '2024-01-01T10:60', '2024-01-01T10:00:61', '2024-01-01T10:00+15:00', '2024-01-01 10:00', 'today', '2024-1-1'])(
    'rejects %j',
    (text) => {
      expect(dateRange(text)).toBeUndefined();
    },
  );

  it('accepts a space for an unencoded + only when asked', () => {
    expect(dateRange('2024-03-05T10:00:00 01:00', true)?.start).toBe('2024-03-05T09:00:00.000Z');
    expect(dateRange('2024-03-05T10:00:00 01:00')).toBeUndefined();
  });
});

describe('decimalRange (search.html#number: significant figures)', () => {
  it.each([
    ['100', 100, 99.5, 100.5],
    ['100.00', 100, 99.995, 100.005],
    ['1e2', 100, 50, 150],
    ['1.0e2', 100, 95, 105],
    ['0.05', 0.05, 0.045, 0.055],
    ['-5', -5, -5.5, -4.5],
    ['-0.5', -0.5, -0.55, -0.45],
    ['+3', 3, 2.5, 3.5],
    ['.5', 0.5, 0.45, 0.55],
    ['2.5e-3', 0.0025, 0.00245, 0.00255],
    ['0', 0, -0.5, 0.5],
  ])('%s → %d in [%d, %d)', (text, value, low, high) => {
    expect(decimalRange(text)).toEqual({ value, low, high });
  });

  it('keeps the range non-empty beyond double precision', () => {
    const r = decimalRange('185.77696891897793');
    expect(r && r.low <= r.value && r.value < r.high).toBe(true);
  });

  it.each(['', '.', 'abc', '1.2.3', '--1', '1e', '0x10', '1,5', 'Infinity'])('rejects %j', (text) => {
    expect(decimalRange(text)).toBeUndefined();
  });
});

describe('escaping (search.html#escaping)', () => {
  it.each([
    ['a,b', ',', ['a', 'b']],
    ['a\\,b,c', ',', ['a\\,b', 'c']],
    ['a\\\\,b', ',', ['a\\\\', 'b']],
    ['x$y\\$z', '$', ['x', 'y\\$z']],
    ['s|c\\|d', '|', ['s', 'c\\|d']],
    [',', ',', ['', '']],
    ['trailing\\', ',', ['trailing\\']],
  ])('splitUnescaped(%j, %s)', (text, sep, parts) => {
    expect(splitUnescaped(text, sep)).toEqual(parts);
  });

  it.each([
    ['a\\,b', 'a,b'],
    ['a\\$b\\|c', 'a$b|c'],
    ['a\\\\b', 'a\\b'],
    ['a\\nb', 'a\\nb'],
    ['plain', 'plain'],
  ])('unescapeValue(%j) = %j', (text, value) => {
    expect(unescapeValue(text)).toBe(value);
  });
});

describe('normalizeString (search.html#string)', () => {
  it.each([
    ['Zoë  Müller', 'zoe muller'],
    ['  ÅNGSTRÖM\tx ', 'angstrom x'],
    ['Çelik-Ağaoğlu', 'celik-agaoglu'],
    ['São Paulo', 'sao paulo'],
  ])('%j → %j', (text, normal) => {
    expect(normalizeString(text)).toBe(normal);
  });
});

describe('parseReference (references.html#literal)', () => {
  it.each([
    ['Patient/123', false, { reference: 'Patient/123', type: 'Patient', id: '123' }],
    ['Patient/123/_history/4', false, { reference: 'Patient/123', type: 'Patient', id: '123' }],
    ['http://example.org/fhir/Patient/a.b-1', false, { reference: 'http://example.org/fhir/Patient/a.b-1', type: 'Patient', id: 'a.b-1' }],
    ['http://example.org/fhir/Patient/1/_history/2', false, { reference: 'http://example.org/fhir/Patient/1', type: 'Patient', id: '1' }],
    ['#p1', false, { reference: '#p1' }],
    ['urn:uuid:5f6d256f-fc32-4b10-ba9c-51aba830cfa4', false, { reference: 'urn:uuid:5f6d256f-fc32-4b10-ba9c-51aba830cfa4' }],
    ['Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1', false, { reference: 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1', type: 'Practitioner' }],
    ['Foo/123', false, { reference: 'Foo/123' }],
    ['http://hl7.org/fhir/ValueSet/x|4.0.1', true, { reference: 'http://hl7.org/fhir/ValueSet/x', type: 'ValueSet', id: 'x', version: '4.0.1' }],
  ])('%s', (text, canonical, parts) => {
    expect(parseReference(text, canonical)).toEqual(parts);
  });
});
