import { describe, expect, it } from 'vitest';
import { relabelOrder } from '../src/consent/relabel.ts';

// What carries a Part 2 program (episodes, encounters, orders, documents) is relabelled before what inherits it.
describe('relabelOrder', () => {
  it.each([
    { types: ['Condition', 'Encounter', 'EpisodeOfCare'], order: ['EpisodeOfCare', 'Encounter', 'Condition'] },
    { types: ['Observation', 'DiagnosticReport', 'Encounter'], order: ['Encounter', 'DiagnosticReport', 'Observation'] },
    { types: ['Observation', 'Condition', 'Condition'], order: ['Condition', 'Observation'] },
    // Not patient data: never labelled, not walked.
    { types: ['Organization', 'Practitioner', 'AuditEvent', 'Condition'], order: ['Condition'] },
    { types: [], order: [] },
  ])('$types -> $order', ({ types, order }) => {
    expect(relabelOrder(types)).toEqual(order);
  });
});
