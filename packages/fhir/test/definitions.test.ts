import { describe, expect, it } from 'vitest';
import { isResourceType, isValidId, resourceTypes } from '../src/index.ts';

describe('R4 definitions', () => {
  it('lists the concrete R4 resource types and nothing else', () => {
    const types = resourceTypes();
    expect(types).toContain('Patient');
    expect(types).toContain('Observation');
    expect(types).toContain('Bundle');
    expect(types).not.toContain('Resource');
    expect(types).not.toContain('DomainResource');
    expect(types).not.toContain('Project'); // Medplum's own type
    expect(types).not.toContain('SubscriptionStatus'); // R4B, not R4
    expect(types.length).toBe(146);
  });

  it.each([
    ['Patient', true],
    ['patient', false],
    ['User', false],
    ['', false],
  ])('isResourceType(%s) = %s', (name, expected) => {
    expect(isResourceType(name)).toBe(expected);
  });

  it.each([
    ['abc-123.X', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['has space', false],
    ['under_score', false],
    ['', false],
  ])('isValidId(%s) = %s', (id, expected) => {
    expect(isValidId(id)).toBe(expected);
  });
});
