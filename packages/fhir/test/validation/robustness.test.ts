import { describe, expect, it } from 'vitest';
import { MAX_ISSUES, validateResource } from '../../src/index.ts';

// validateResource takes untrusted input: it must return, never throw, and stay bounded.
describe('validateResource on hostile input', () => {
  it.each([
    ['undefined', undefined],
    ['a string', 'Patient'],
    ['a boolean', true],
    ['a function', () => 1],
    ['a Date', new Date()],
    ['a Map', new Map([['resourceType', 'Patient']])],
  ])('rejects %s without throwing', (_name, input) => {
    const issues = validateResource(input);
    expect(issues.length).toBeGreaterThan(0);
  });

  it('survives deep nesting', () => {
    let extension: Record<string, unknown> = { url: 'x', valueString: 'leaf' };
    for (let i = 0; i < 100_000; i++) extension = { url: 'x', extension: [extension] };
    const issues = validateResource({ resourceType: 'Patient', extension: [extension] });
    expect(issues.map((i) => i.code)).toEqual(['too-costly']);
  });

  it('survives cycles', () => {
    const name: Record<string, unknown> = { family: 'X' };
    name.extension = [{ url: 'x', extension: [name] }];
    expect(validateResource({ resourceType: 'Patient', name: [name] }).length).toBeGreaterThan(0);
  });

  it('stops after MAX_ISSUES issues', () => {
    const patient: Record<string, unknown> = { resourceType: 'Patient' };
    for (let i = 0; i < 1000; i++) patient[`bogus${i}`] = i;
    const issues = validateResource(patient);
    expect(issues).toHaveLength(MAX_ISSUES + 1);
    expect(issues[MAX_ISSUES].code).toBe('too-costly');
  });

  it('handles huge strings', () => {
    const huge = 'x'.repeat(20 * 1024 * 1024);
    const issues = validateResource({ resourceType: 'Patient', id: huge, name: [{ text: huge }], photo: [{ data: `${huge}*` }] });
    expect(issues.map((i) => i.expression?.[0])).toEqual(['Patient.id', 'Patient.name[0].text', 'Patient.photo[0].data']);
    expect(issues.every((i) => (i.details?.text?.length ?? 0) < 500)).toBe(true);
  });

  it('bounds the expression of a huge unknown property name', () => {
    const issues = validateResource({ resourceType: 'Patient', ['k'.repeat(1_000_000)]: 1 });
    expect(issues).toHaveLength(1);
    expect(issues[0].expression?.[0]).toBe(`Patient.${'k'.repeat(100)}...`);
    expect(issues[0].details?.text?.length).toBeLessThan(200);
  });

  it('does not quote objects given for primitives', () => {
    const issues = validateResource({ resourceType: 'Patient', birthDate: { a: 'x'.repeat(10_000) } });
    expect(issues.map((i) => [i.expression?.[0], i.details?.text])).toEqual([
      ['Patient.birthDate', 'This element must be a JSON string (date), not an object.'],
    ]);
  });

  it('reports a throwing getter instead of throwing', () => {
    const patient = { resourceType: 'Patient' };
    Object.defineProperty(patient, 'gender', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(validateResource(patient).map((i) => i.code)).toEqual(['exception']);
  });

  it('does not walk inherited properties', () => {
    const patient = Object.create({ foo: 1 }) as Record<string, unknown>;
    patient.resourceType = 'Patient';
    expect(validateResource(patient)).toEqual([]);
  });
});
