import { describe, expect, it } from 'vitest';
import { applyReferenceMap, findReferences } from '../src/index.ts';

describe('findReferences / applyReferenceMap', () => {
  const map = new Map([
    ['urn:uuid:a', 'Patient/1'],
    ['urn:uuid:b', 'Practitioner/2'],
  ]);

  it.each([
    ['a top-level reference', { subject: { reference: 'urn:uuid:a' } }, { subject: { reference: 'Patient/1' } }],
    ['references inside arrays and backbone elements', { participant: [{ individual: { reference: 'urn:uuid:b' } }, { individual: { reference: 'urn:uuid:a' } }] }, { participant: [{ individual: { reference: 'Practitioner/2' } }, { individual: { reference: 'Patient/1' } }] }],
    ['unknown references stay', { subject: { reference: 'Patient/9' }, x: { reference: 'urn:uuid:zzz' } }, { subject: { reference: 'Patient/9' }, x: { reference: 'urn:uuid:zzz' } }],
    ['the narrative', { text: { status: 'generated', div: '<div><a href="urn:uuid:a">x</a> urn:uuid:q</div>' } }, { text: { status: 'generated', div: '<div><a href="Patient/1">x</a> urn:uuid:q</div>' } }],
    [
      'not the entries of a Bundle held as a resource',
      { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Observation', subject: { reference: 'urn:uuid:a' } } }] },
      { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Observation', subject: { reference: 'urn:uuid:a' } } }] },
    ],
    ['a string that is not a reference', { note: [{ text: 'urn:uuid:a' }] }, { note: [{ text: 'urn:uuid:a' }] }],
  ])('%s', (_name, input, expected) => {
    const copy = structuredClone(input);
    applyReferenceMap(findReferences(copy), map);
    expect(copy).toEqual(expected);
  });

  it('lists every reference once, in document order', () => {
    const found = findReferences({ a: { reference: 'x' }, b: [{ reference: 'y' }, { c: { reference: 'z' } }] });
    expect(found.refs.map((r) => r.reference)).toEqual(['x', 'y', 'z']);
  });
});
