import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { AuditRecorder } from '../src/audit/audit-recorder.ts';
import type { AuditActor, AuditInput } from '../src/audit/audit-event.ts';

/** Reads fold into one AuditEvent per caller and window, and never across callers (audit-recorder.ts). */
const base: AuditActor = { kind: 'staff', username: 'a', fhirUser: 'Practitioner/b', clientId: 'web', purposeOfUse: 'TREAT' };

function read(actor: AuditActor, resource: string, remoteAddress: string | undefined = '192.0.2.1'): AuditInput {
  return { kind: 'rest', interaction: 'read', actor, remoteAddress, outcome: { status: 200 }, resources: [resource], patients: [], recorded: new Date() };
}

function record(inputs: AuditInput[]): AuditEvent[] {
  const events: AuditEvent[] = [];
  const recorder = new AuditRecorder({ record: (e) => events.push(e) }, 60_000);
  for (const i of inputs) recorder.add(i);
  recorder.flush();
  return events;
}

describe('AuditRecorder folding', () => {
  it('folds one caller\'s reads into one event naming every resource', () => {
    const events = record([read(base, 'Observation/1'), read(base, 'Observation/2'), read(base, 'Observation/1')]);
    expect(events).toHaveLength(1);
    expect(events[0].entity?.map((e) => e.what?.reference)).toEqual(['Observation/1', 'Observation/2']);
  });

  // Pairs of callers that differ in one field, including pairs a key built by plain joining would confuse.
  const pairs: [string, AuditActor, AuditActor, string?, string?][] = [
    ['username', base, { ...base, username: 'c' }],
    ['fhirUser absent vs present', { ...base, fhirUser: undefined }, base],
    ['empty vs absent username', { ...base, username: '' }, { ...base, username: undefined }],
    ['a separator moved between fields', { ...base, username: 'a\u0000Practitioner/b', fhirUser: '' }, { ...base, username: 'a', fhirUser: 'Practitioner/b\u0000' }],
    ['a value that looks like the absent marker', { ...base, clientId: '\u0001' }, { ...base, clientId: undefined }],
    ['a value that looks like an escaped one', { ...base, username: '\u0002"a\\u0000b"' }, { ...base, username: 'a\u0000b' }],
    ['purpose of use', base, { ...base, purposeOfUse: 'ETREAT' }],
    ['kind of actor', base, { ...base, kind: 'patient' }],
    ['address', base, base, '192.0.2.1', '192.0.2.2'],
  ];
  it.each(pairs)('keeps callers apart: %s', (_, first, second, addr1 = '192.0.2.1', addr2 = '192.0.2.1') => {
    const events = record([read(first, 'Observation/1', addr1), read(second, 'Observation/2', addr2)]);
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.entity?.map((x) => x.what?.reference))).toEqual([['Observation/1'], ['Observation/2']]);
  });
});
