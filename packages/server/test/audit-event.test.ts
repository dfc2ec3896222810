import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { extractSearchValues, parseSearchRequest, validateResource, type IndexValue } from '@confide/fhir';
import {
  ACT_REASON,
  CONFIDE_AUDIT_SUBTYPE,
  CONFIDE_OAUTH_CLIENT,
  DICOM,
  RESTFUL_INTERACTION,
  auditActor,
  buildAuditEvent,
  cleanText,
  disclosureRows,
  isDisclosure,
  type AuditActor,
  type AuditInput,
} from '../src/audit/audit-event.ts';

const when = new Date('2026-03-01T10:20:30.456Z');
const alice: AuditActor = { kind: 'staff', username: 'alice', fhirUser: 'Practitioner/pr-1', clientId: 'confide-web', purposeOfUse: 'TREAT' };
const pat: AuditActor = { kind: 'patient', username: 'pat', fhirUser: 'Patient/p-1', clientId: 'confide-portal', purposeOfUse: 'PATRQT' };
const payer: AuditActor = { kind: 'system', clientId: 'acme-payer', purposeOfUse: 'HPAYMT' };

function input(over: Partial<AuditInput>): AuditInput {
  return { kind: 'rest', actor: alice, remoteAddress: '10.0.0.7', outcome: { status: 200 }, recorded: when, ...over };
}

const code = (c: { coding?: { system?: string; code?: string }[] } | { system?: string; code?: string } | undefined) =>
  c && 'coding' in c ? `${c.coding?.[0]?.system}|${c.coding?.[0]?.code}` : c ? `${(c as { system?: string }).system}|${(c as { code?: string }).code}` : undefined;

const refs = (values: IndexValue[] | undefined) => (values ?? []).map((v) => (v.kind === 'reference' ? v.reference : undefined));

interface Case {
  name: string;
  in: AuditInput;
  type: string;
  subtype: string[];
  action: AuditEvent['action'];
  outcome: AuditEvent['outcome'];
  patients: string[];
}

const cases: Case[] = [
  {
    name: 'read of an Observation',
    in: input({ interaction: 'read', resources: ['Observation/o-1'], patients: ['p-1'] }),
    type: 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest',
    subtype: [`${RESTFUL_INTERACTION}|read`],
    action: 'R',
    outcome: '0',
    patients: ['Patient/p-1'],
  },
  {
    name: 'vread (versioned reference)',
    in: input({ interaction: 'vread', resources: ['Observation/o-1/_history/3'], patients: ['Patient/p-1'] }),
    type: 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest',
    subtype: [`${RESTFUL_INTERACTION}|vread`],
    action: 'R',
    outcome: '0',
    patients: ['Patient/p-1'],
  },
  {
    name: 'search with its query, two patients',
    in: input({ interaction: 'search-type', query: 'Observation?code=http://loinc.org|8867-4', patients: ['p-1', 'p-2', 'p-1'] }),
    type: 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest',
    subtype: [`${RESTFUL_INTERACTION}|search-type`],
    action: 'E',
    outcome: '0',
    patients: ['Patient/p-1', 'Patient/p-2'],
  },
  {
    name: 'create',
    in: input({ interaction: 'create', resources: ['Condition/c-1'], patients: ['p-1'], outcome: { status: 201 } }),
    type: 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest',
    subtype: [`${RESTFUL_INTERACTION}|create`],
    action: 'C',
    outcome: '0',
    patients: ['Patient/p-1'],
  },
  {
    name: 'patch',
    in: input({ interaction: 'patch', resources: ['Condition/c-1'], patients: ['p-1'] }),
    type: 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest',
    subtype: [`${RESTFUL_INTERACTION}|patch`],
    action: 'U',
    outcome: '0',
    patients: ['Patient/p-1'],
  },
  {
    name: 'delete refused (403)',
    in: input({ interaction: 'delete', resources: ['Condition/c-1'], outcome: { status: 403, text: 'forbidden' } }),
    type: 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest',
    subtype: [`${RESTFUL_INTERACTION}|delete`],
    action: 'D',
    outcome: '4',
    patients: [],
  },
  {
    name: 'operation failing on the server (500)',
    in: input({ interaction: 'operation', query: 'Patient/p-1/$everything', patients: ['p-1'], outcome: { status: 500 } }),
    type: 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest',
    subtype: [`${RESTFUL_INTERACTION}|operation`],
    action: 'E',
    outcome: '8',
    patients: ['Patient/p-1'],
  },
  {
    name: 'a patient reading their own record',
    in: input({ actor: pat, interaction: 'read', resources: ['Patient/p-1'], patients: ['p-1'] }),
    type: 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest',
    subtype: [`${RESTFUL_INTERACTION}|read`],
    action: 'R',
    outcome: '0',
    patients: ['Patient/p-1'],
  },
  {
    name: 'sign-in',
    in: input({ kind: 'sign-in', actor: { kind: 'staff', username: 'alice' } }),
    type: `${DICOM}|110114`,
    subtype: [`${DICOM}|110122`],
    action: 'E',
    outcome: '0',
    patients: [],
  },
  {
    name: 'failed sign-in of an unknown name',
    in: input({ kind: 'sign-in', actor: { kind: 'anonymous', username: 'mallory\u0000' }, outcome: { status: 401, text: 'invalid credentials' } }),
    type: `${DICOM}|110114`,
    subtype: [`${DICOM}|110122`],
    action: 'E',
    outcome: '4',
    patients: [],
  },
  {
    name: 'sign-out',
    in: input({ kind: 'sign-out', actor: { kind: 'staff', username: 'alice' } }),
    type: `${DICOM}|110114`,
    subtype: [`${DICOM}|110123`],
    action: 'E',
    outcome: '0',
    patients: [],
  },
  {
    name: 'export',
    in: input({ kind: 'export', query: '$export?_type=Patient,Observation', patients: ['p-1', 'p-2'] }),
    type: `${DICOM}|110106`,
    subtype: [],
    action: 'R',
    outcome: '0',
    patients: ['Patient/p-1', 'Patient/p-2'],
  },
  {
    name: 'permission change',
    in: input({ kind: 'permission-change', target: { username: 'bob', fhirUser: 'Practitioner/pr-2', change: 'roles +auditor -billing' } }),
    type: `${DICOM}|110113`,
    subtype: [`${DICOM}|110136`],
    action: 'E',
    outcome: '0',
    patients: [],
  },
  {
    name: 'emergency access',
    in: input({ kind: 'emergency-access', patients: ['p-9'] }),
    type: `${DICOM}|110113`,
    subtype: [`${DICOM}|110127`],
    action: 'E',
    outcome: '0',
    patients: ['Patient/p-9'],
  },
  {
    name: 'disclosure to a payer by a backend service (REST read)',
    in: input({ kind: 'disclosure', actor: payer, interaction: 'read', resources: ['Claim/cl-1'], patients: ['p-1'], disclosure: { recipient: 'Acme Health Plan', purpose: 'HPAYMT' } }),
    type: 'http://terminology.hl7.org/CodeSystem/audit-event-type|rest',
    subtype: [`${RESTFUL_INTERACTION}|read`, `${CONFIDE_AUDIT_SUBTYPE}|disclosure`],
    action: 'R',
    outcome: '0',
    patients: ['Patient/p-1'],
  },
  {
    name: 'disclosure outside the API (records sent to an HIE)',
    in: input({ kind: 'disclosure', patients: ['p-1'], disclosure: { recipient: 'Regional HIE', purpose: 'continuity of care' } }),
    type: `${DICOM}|110106`,
    subtype: [`${CONFIDE_AUDIT_SUBTYPE}|disclosure`],
    action: 'R',
    outcome: '0',
    patients: ['Patient/p-1'],
  },
];

describe('buildAuditEvent', () => {
  it.each(cases)('$name', (c) => {
    const e = buildAuditEvent(c.in);
    expect(validateResource(e)).toEqual([]);
    expect(code(e.type)).toBe(c.type);
    expect((e.subtype ?? []).map(code)).toEqual(c.subtype);
    expect(e.action).toBe(c.action);
    expect(e.outcome).toBe(c.outcome);
    expect(e.recorded).toBe('2026-03-01T10:20:30.456Z');
    expect(e.source.observer.display).toBe('Confide');
    expect(code(e.source.type?.[0])).toBe('http://terminology.hl7.org/CodeSystem/security-source-type|4');
    expect(e.agent[0].requestor).toBe(true);
    expect(e.agent.filter((a) => a.requestor)).toHaveLength(1);
    if (c.outcome === '0') expect(e.outcomeDesc).toBeUndefined();
    else expect(e.outcomeDesc).toBeTruthy();

    // The search parameters the audit report uses see what the event says.
    const values = extractSearchValues(e);
    // (A patient user is also found as the acting agent: AuditEvent-patient covers agent.who too.)
    const expected = new Set([...c.patients, ...(c.in.actor.fhirUser?.startsWith('Patient/') ? [c.in.actor.fhirUser] : [])]);
    expect([...new Set(refs(values.get('patient')))].sort()).toEqual([...expected].sort());
    expect(values.get('action')?.map((v) => (v.kind === 'token' ? v.code : undefined))).toEqual([c.action]);
    const date = values.get('date')?.[0];
    expect(date?.kind === 'date' && date.start).toBe('2026-03-01T10:20:30.456Z');
    if (c.in.actor.fhirUser) expect(refs(values.get('agent'))).toContain(c.in.actor.fhirUser);
    const name = c.in.actor.kind === 'system' ? c.in.actor.clientId : c.in.actor.username;
    if (name) expect(values.get('altid')?.map((v) => (v.kind === 'token' ? v.code : undefined))).toContain(cleanText(name));
  });

  it('records who, from where and why on the requesting agent, and the app as a second agent', () => {
    const e = buildAuditEvent(input({ interaction: 'read', resources: ['Observation/o-1'], remoteAddress: '::ffff:192.168.1.20' }));
    const [user, app] = e.agent;
    expect(user.who).toEqual({ reference: 'Practitioner/pr-1', identifier: { system: 'https://confide.health/fhir/sid/username', value: 'alice' }, display: 'alice' });
    expect(user.altId).toBe('alice');
    expect(user.network).toEqual({ address: '192.168.1.20', type: '2' });
    expect(user.purposeOfUse).toEqual([{ coding: [{ system: ACT_REASON, code: 'TREAT' }] }]);
    expect(code(user.type)).toBe('http://terminology.hl7.org/CodeSystem/v3-ParticipationType|IRCP');
    expect(app).toMatchObject({ requestor: false, who: { identifier: { system: CONFIDE_OAUTH_CLIENT, value: 'confide-web' } } });
    expect(code(app.type)).toBe(`${DICOM}|110153`);
  });

  it('records a backend service as one agent, its client', () => {
    const e = buildAuditEvent(input({ actor: payer, interaction: 'search-type', query: 'Claim?patient=p-1' }));
    expect(e.agent).toHaveLength(1);
    expect(e.agent[0].who?.identifier).toEqual({ system: CONFIDE_OAUTH_CLIENT, value: 'acme-payer' });
    expect(e.agent[0].purposeOfUse?.[0].coding?.[0].code).toBe('HPAYMT');
  });

  it('takes the actor from a request’s AccessContext', () => {
    const staff = auditActor({
      actor: { kind: 'staff', userId: 'alice', organizations: [], roles: ['clinician'], scopes: [] },
      via: 'token',
      clientId: 'confide-web',
      username: 'alice',
      fhirUser: 'Practitioner/pr-1',
      purposeOfUse: 'TREAT',
    });
    expect(staff).toEqual({ kind: 'staff', username: 'alice', fhirUser: 'Practitioner/pr-1', clientId: 'confide-web', purposeOfUse: 'TREAT' });
    const service = auditActor({ actor: { kind: 'system', userId: 'acme-payer', organizations: [], roles: [], scopes: [] }, via: 'token', purposeOfUse: 'HPAYMT' });
    expect(service).toEqual({ kind: 'system', username: undefined, fhirUser: undefined, clientId: 'acme-payer', purposeOfUse: 'HPAYMT' });
  });

  it('forces purpose of use ETREAT for emergency access', () => {
    const e = buildAuditEvent(input({ kind: 'emergency-access', patients: ['p-9'] }));
    expect(e.agent[0].purposeOfUse).toEqual([{ coding: [{ system: ACT_REASON, code: 'ETREAT' }] }]);
    expect(e.purposeOfEvent?.[0].coding?.[0].code).toBe('ETREAT');
  });

  it('holds references only: the query base64 as BALP, never resource content', () => {
    const e = buildAuditEvent(input({ interaction: 'search-type', query: 'Patient?name=smith', patients: ['p-1'], resources: ['Patient/p-1', 'not a reference', 'Observation/o-1'] }));
    const q = e.entity?.find((x) => x.query);
    expect(Buffer.from(q!.query!, 'base64').toString()).toBe('Patient?name=smith');
    expect(q?.role?.code).toBe('24');
    // Patient/p-1 appears once (as the patient), the malformed reference not at all.
    expect(e.entity?.filter((x) => x.what?.reference).map((x) => [x.what?.reference, x.role?.code])).toEqual([
      ['Patient/p-1', '1'],
      ['Observation/o-1', '4'],
    ]);
    expect(Object.keys(e).sort()).toEqual(['action', 'agent', 'entity', 'outcome', 'recorded', 'resourceType', 'source', 'subtype', 'type']);
  });

  it('keeps control characters and very long names out', () => {
    const e = buildAuditEvent(input({ kind: 'sign-in', actor: { kind: 'anonymous', username: 'x\u0000y' + 'z'.repeat(1000) }, outcome: { status: 401 } }));
    expect(e.agent[0].altId).toMatch(/^x\ufffdyz+…$/);
    expect(e.agent[0].altId!.length).toBe(256);
    expect(e.outcomeDesc).toBe('HTTP 401');
    expect(cleanText('a\ud800b\udc00c\ud83d\ude00')).toBe('a\ufffdb\ufffdc\ud83d\ude00');
    expect(cleanText('abc\ud83d\ude00d', 5)).toBe('abc…');
    expect(validateResource(e)).toEqual([]);
  });

  it('refuses input the server should never produce', () => {
    expect(() => buildAuditEvent(input({ interaction: undefined }))).toThrow(/interaction/);
    expect(() => buildAuditEvent(input({ kind: 'disclosure' }))).toThrow(/recipient/);
    expect(() => buildAuditEvent(input({ interaction: 'read', recorded: new Date('nope') }))).toThrow(/time/);
  });

  it('is found by the audit report queries', () => {
    for (const q of ['patient=p-1', 'agent=Practitioner/pr-1', 'altid=alice', 'date=ge2026-03-01', 'action=R', '_sort=-date', `subtype=${CONFIDE_AUDIT_SUBTYPE}|disclosure`]) {
      const r = parseSearchRequest('AuditEvent', new URLSearchParams(q));
      expect(r.request.filters.length + r.request.sort.length, q).toBe(1);
    }
  });
});

describe('disclosureRows', () => {
  const events = [
    buildAuditEvent(input({ interaction: 'read', resources: ['Observation/o-1'], patients: ['p-1'] })),
    buildAuditEvent(
      input({
        kind: 'disclosure',
        actor: payer,
        interaction: 'read',
        resources: ['Claim/cl-1'],
        patients: ['p-1'],
        disclosure: { recipient: 'Acme Health Plan', purpose: 'HPAYMT' },
        recorded: new Date('2026-03-02T00:00:00Z'),
      }),
    ),
    buildAuditEvent(
      input({ kind: 'disclosure', patients: ['p-1'], disclosure: { recipient: 'Regional HIE', purpose: 'continuity of care' }, recorded: new Date('2026-02-01T00:00:00Z') }),
    ),
    buildAuditEvent(
      input({ kind: 'disclosure', actor: payer, query: 'Patient/p-2/$everything', patients: ['p-2'], disclosure: { recipient: 'Other', purpose: 'HPAYMT' } }),
    ),
  ];

  it('lists the disclosures of a patient, oldest first: date, recipient, what, purpose', () => {
    expect(events.map(isDisclosure)).toEqual([false, true, true, true]);
    expect(disclosureRows(events, 'p-1')).toEqual([
      { date: '2026-02-01T00:00:00.000Z', recipient: 'Regional HIE', what: ['Patient/p-1'], purpose: 'continuity of care' },
      { date: '2026-03-02T00:00:00.000Z', recipient: 'Acme Health Plan', what: ['Claim/cl-1'], purpose: 'HPAYMT' },
    ]);
    expect(disclosureRows(events, 'Patient/p-2')).toEqual([
      { date: '2026-03-01T10:20:30.456Z', recipient: 'Other', what: ['Patient/p-2/$everything'], purpose: 'HPAYMT' },
    ]);
    expect(disclosureRows(events)).toHaveLength(3);
  });
});
