import { describe, expect, it } from 'vitest';
import { generateDemoPractice } from '../src/index.ts';
import { hash32, mulberry32, Rng } from '../src/prng.ts';
import { uuidV4 } from '../src/uuid.ts';
import { NOW } from './fixtures.ts';

describe('seeded generator', () => {
  it('mulberry32 is deterministic and uniform-looking', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });

  it('derived streams are independent of each other and stable', () => {
    expect(hash32(42, 'patient', 1)).toBe(hash32(42, 'patient', 1));
    expect(hash32(42, 'patient', 1)).not.toBe(hash32(42, 'patient', 2));
    const r = Rng.derive(7, 'x');
    for (let i = 0; i < 200; i++) {
      const n = r.int(3, 5);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(5);
    }
  });

  it('UUIDs are RFC 4122 version 4', () => {
    const rng = new Rng(1);
    const ids = Array.from({ length: 500 }, () => uuidV4(rng));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('generateDemoPractice determinism', () => {
  it('the same seed and reference date give identical JSON', () => {
    const a = JSON.stringify(generateDemoPractice({ patients: 20, seed: 7, now: NOW }));
    const b = JSON.stringify(generateDemoPractice({ patients: 20, seed: 7, now: NOW }));
    expect(a).toBe(b);
  });

  it('a different seed gives a different practice with the same shape', () => {
    const a = generateDemoPractice({ patients: 20, seed: 7, now: NOW });
    const b = generateDemoPractice({ patients: 20, seed: 8, now: NOW });
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    expect(b.length).toBe(a.length);
    // The practice itself (people, places, ids) does not depend on the seed; only the fullUrls do.
    const stripUrls = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'fullUrl' ? undefined : v));
    expect(stripUrls(a[0])).toBe(stripUrls(b[0]));
  });

  it('a different reference date moves the dates', () => {
    const a = generateDemoPractice({ patients: 5, now: NOW });
    const b = generateDemoPractice({ patients: 5, now: new Date('2026-01-10T12:00:00Z') });
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    expect(JSON.stringify(b)).toContain('"start":"2026-01-');
  });

  it('defaults to 100 patients and seed 42', () => {
    const bundles = generateDemoPractice({ now: NOW });
    expect(bundles).toHaveLength(101);
    expect(JSON.stringify(bundles)).toBe(JSON.stringify(generateDemoPractice({ patients: 100, seed: 42, now: NOW })));
  });

  it('a patient chart does not depend on how many patients are generated', () => {
    const small = generateDemoPractice({ patients: 3, now: NOW });
    const large = generateDemoPractice({ patients: 10, now: NOW });
    const patientOf = (bundles: typeof small, i: number) => bundles[i].entry?.[0].resource;
    for (let i = 1; i <= 3; i++) expect(patientOf(large, i)).toEqual(patientOf(small, i));
    // Conditions and medications (clinical content) are the same; visit times may shift around other patients.
    const clinical = (bundles: typeof small, i: number) =>
      bundles[i].entry
        ?.map((e) => e.resource)
        .filter((r) => r?.resourceType === 'Condition' || r?.resourceType === 'AllergyIntolerance')
        .map((r) => ({ ...r, recordedDate: undefined }));
    for (let i = 1; i <= 3; i++) expect(clinical(large, i)).toEqual(clinical(small, i));
  });

  it('rejects invalid options', () => {
    expect(() => generateDemoPractice({ patients: -1 })).toThrow(RangeError);
    expect(() => generateDemoPractice({ patients: 2.5 })).toThrow(RangeError);
    expect(() => generateDemoPractice({ seed: 1.5 })).toThrow(RangeError);
    expect(() => generateDemoPractice({ now: new Date('nope') })).toThrow(RangeError);
    expect(generateDemoPractice({ patients: 0, now: NOW })).toHaveLength(1);
  });
});
