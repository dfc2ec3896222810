import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import {
  ACT_CODE_SYSTEM,
  compileNoteRelease,
  decideConsent,
  isNoteAuthorization,
  LOINC_SYSTEM,
  noteAuthorizationProblems,
  noteAuthorizationWrite,
  noteReleased,
  recipientKeys,
  type Actor,
  type ConsentRequest,
  type NamedNote,
} from '../src/index.ts';
import { actor, consent, purpose, REQUEST } from './consent-fixtures.ts';

/**
 * Psychotherapy-note authorizations (45 CFR 164.508(a)(2); consent/note-release.ts): which Consents count, what they
 * open, and who may write them. `noteReleased` over `compileNoteRelease` is what the SQL function
 * `confide_note_released` computes; for every authorization that counts it must agree with the general Consent
 * evaluator `decideConsent` on the same request (a permit exactly when the release opens the note).
 */
const ROI = [{ coding: [{ system: LOINC_SYSTEM, code: '64292-6' }] }];
const note = (ref: string) => ({ meaning: 'instance' as const, reference: { reference: ref } });
const period = { start: '2024-01-01', end: '2024-12-31' };
const auth = (provision: ConsentProvision, extra: Partial<Consent> = {}): Consent =>
  consent('a1', { type: 'permit', actor: [actor('Practitioner/dr2')], data: [note('Composition/n1')], period, ...provision }, { category: ROI, ...extra });

describe('which Consents are psychotherapy-note authorizations, and which count', () => {
  it.each([
    ['a valid authorization', auth({}), true, []],
    ['not release-of-information', auth({}, { category: [{ coding: [{ system: LOINC_SYSTEM, code: '59284-0' }] }] }), false, []],
    ['names no note', auth({ data: [note('Observation/o1')] }), false, []],
    ['no expiry', auth({ period: { start: '2024-01-01' } }), true, ['Consent.provision.period.end']],
    ['no recipient', auth({ actor: [] }), true, ['Consent.provision.actor']],
    ['only a source actor', auth({ actor: [actor('Practitioner/dr1', 'AUT')] }), true, ['Consent.provision.actor']],
    ['a Patient as recipient', auth({ actor: [actor('Patient/p1')] }), true, ['Consent.provision.actor[0].reference']],
    ['a deny', auth({ type: 'deny' }), true, ['Consent.provision.type']],
    ['combined with other data', auth({ data: [note('Composition/n1'), note('Observation/o1')] }), true, ['Consent.provision.data[1].reference']],
    ['data by related', auth({ data: [{ meaning: 'related', reference: { reference: 'Composition/n1' } }] }), true, ['Consent.provision.data[0].meaning']],
    ['nested provisions', auth({ provision: [{ type: 'deny' }] }), true, ['Consent.provision.provision']],
    ['a label criterion', auth({ securityLabel: [{ system: ACT_CODE_SYSTEM, code: 'PSYTHPN' }] }), true, ['Consent.provision.securityLabel']],
    ['a purpose in another system', auth({ purpose: [{ system: 'urn:x', code: 'TREAT' }] }), true, ['Consent.provision.purpose[0]']],
    ['a non-read action', auth({ action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'correct' }] }] }), true, ['Consent.provision.action[0]']],
    ['a treatment consent', auth({}, { scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] } }), true, ['Consent.scope']],
  ] as [string, Consent, boolean, string[]][])('%s', (_name, c, is, problems) => {
    expect(isNoteAuthorization(c)).toBe(is);
    if (!is) return expect(compileNoteRelease(c)).toBeUndefined();
    expect(noteAuthorizationProblems(c).map((p) => p.expression)).toEqual(problems);
    expect(compileNoteRelease(c) !== undefined).toBe(problems.length === 0);
  });

  it('an inactive or entered-in-error authorization opens nothing (revocation, 164.508(b)(5))', () => {
    expect(compileNoteRelease(auth({}, { status: 'inactive' }))).toBeUndefined();
    expect(compileNoteRelease(auth({}, { status: 'entered-in-error' }))).toBeUndefined();
  });

  it('compiles recipients, notes, purposes (with their descendants) and the period', () => {
    const r = compileNoteRelease(auth({ actor: [actor('Organization/org2'), actor('PractitionerRole/r2')], data: [note('DocumentReference/d1'), note('Composition/n1')], purpose: purpose('HOPERAT') }));
    expect(r).toMatchObject({ consent: 'Consent/a1', patient: 'Patient/p1', notes: ['Composition/n1', 'DocumentReference/d1'], recipients: ['Organization/org2', 'PractitionerRole/r2'] });
    expect(r?.purposes).toEqual(expect.arrayContaining(['HOPERAT', 'CAREMGT']));
    expect(r?.purposes).not.toContain('TREAT');
    expect(r?.start).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(r?.end).toBe(Date.parse('2025-01-01T00:00:00Z'));
  });
});

describe('what an authorization opens: the release and the Consent evaluator agree', () => {
  const NOTE_REQUEST: ConsentRequest = { ...REQUEST, resourceType: 'Composition', resourceRef: 'Composition/n1', labels: [{ system: ACT_CODE_SYSTEM, code: 'PSYTHPN' }] };
  const AUTHS: Record<string, Consent> = {
    'dr2, n1, 2024': auth({}),
    'org2, n1 and n2': auth({ actor: [actor('Organization/org2')], data: [note('Composition/n1'), note('Composition/n2')] }),
    'dr2 for treatment only': auth({ purpose: purpose('TREAT') }),
    'dr3 only': auth({ actor: [actor('Practitioner/dr3')] }),
    'role r2': auth({ actor: [actor('PractitionerRole/r2')] }),
    'from July 2024': auth({ period: { start: '2024-07-01', end: '2024-12-31' } }),
  };
  const REQUESTS: Record<string, Partial<ConsentRequest>> = {
    'dr2 reads n1 for treatment': {},
    'dr2 reads n2': { resourceRef: 'Composition/n2' },
    'dr2 reads n1 for operations': { purposeOfUse: 'HOPERAT' },
    'dr2 in role r2': { recipientActors: ['Practitioner/dr2', 'PractitionerRole/r2'] },
    'dr3 of org3': { recipientOrganizations: ['org3'], recipientActors: ['Practitioner/dr3'] },
    'dr2 in 2025, after expiry': { now: '2025-01-01T00:00:01Z' },
    'n1 of another patient': { patient: 'p9' },
  };
  for (const [an, c] of Object.entries(AUTHS)) {
    for (const [rn, extra] of Object.entries(REQUESTS)) {
      it(`${an} × ${rn}`, () => {
        const req = { ...NOTE_REQUEST, ...extra };
        const release = compileNoteRelease(c);
        expect(release).toBeDefined();
        const byRelease = noteReleased([release!], {
          note: req.resourceRef!,
          patients: [`Patient/${req.patient}`],
          recipients: recipientKeys(req.recipientOrganizations, req.recipientActors),
          purposeOfUse: req.purposeOfUse,
          now: Date.parse(req.now),
        });
        expect(byRelease).toBe(decideConsent([c], req).decision === 'permit');
      });
    }
  }
  it('the table has both answers', () => {
    const r = compileNoteRelease(AUTHS['dr2, n1, 2024'])!;
    const base = { note: 'Composition/n1', patients: ['Patient/p1'], recipients: ['Practitioner/dr2'], purposeOfUse: 'TREAT', now: Date.parse('2024-06-15T12:00:00Z') };
    expect(noteReleased([r], base)).toBe(true);
    expect(noteReleased([r], { ...base, note: 'Composition/n2' })).toBe(false);
  });
});

describe('who may write an authorization', () => {
  const staff = (practitionerId: string, roles: string[]): Actor => ({ kind: 'staff', userId: practitionerId, practitionerId, organizations: ['org1'], roles, scopes: [] });
  const mine: NamedNote = { ref: 'Composition/n1', psychotherapy: true, authors: ['Practitioner/dr1'], patient: 'Patient/p1' };
  it.each([
    ['the server (import, seed)', undefined, [mine], 'Patient/p1', true],
    ['the author', staff('dr1', ['clinician']), [mine], 'Patient/p1', true],
    ['another clinician', staff('dr2', ['clinician']), [mine], 'Patient/p1', 403],
    ['a privacy officer, who is not shown the notes', staff('po', ['privacy-officer']), [{ ref: 'Composition/n1' }], 'Patient/p1', true],
    ['the author, naming a note of someone else', staff('dr1', ['clinician']), [mine, { ...mine, ref: 'Composition/n2', authors: ['Practitioner/dr2'] }], 'Patient/p1', 403],
    ['the author, naming a note that does not exist (same answer as someone else’s)', staff('dr1', ['clinician']), [{ ref: 'Composition/x' }], 'Patient/p1', 403],
    ['the author, naming a plain note they wrote', staff('dr1', ['clinician']), [{ ...mine, psychotherapy: false }], 'Patient/p1', 403],
    ['the author, for the wrong patient', staff('dr1', ['clinician']), [mine], 'Patient/p2', 422],
    ['a patient', { kind: 'patient', userId: 'p1', patientId: 'p1', organizations: [], roles: [], scopes: [] } as Actor, [mine], 'Patient/p1', 403],
    ['a backend service', { kind: 'system', userId: 'svc', organizations: [], roles: [], scopes: [] } as Actor, [mine], 'Patient/p1', 403],
  ] as [string, Actor | undefined, NamedNote[], string, true | number][])('%s', (_name, who, notes, patient, expected) => {
    const r = noteAuthorizationWrite(who, patient, notes);
    expect(r.ok ? true : r.status).toBe(expected);
  });
});
