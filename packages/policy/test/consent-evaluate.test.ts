import type { Consent } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { ACT_CODE_SYSTEM, decideConsent, matchSecurityLabels, periodContains, periodInside, type ConsentDecisionValue, type ConsentRequest } from '../src/index.ts';
import { A, actor, C, consent, purpose, REQUEST, resourceClass } from './consent-fixtures.ts';

type Case = [name: string, consents: Consent[], request: Partial<ConsentRequest>, decision: ConsentDecisionValue, by?: string];

/** Patient p1 lets org2 see everything for treatment. */
const treatmentByOrg2 = consent('t', { type: 'permit', actor: [actor('Organization/org2')], purpose: purpose('TREAT') });
/** Patient p1 lets Dr 2 (whatever organization) see everything for treatment. */
const treatmentByDr2 = consent('d', { type: 'permit', actor: [actor('Practitioner/dr2')], purpose: purpose('TREAT') });
/** Nothing, except for emergency treatment at org2. */
const emergencyOnly = consent('e', {
  type: 'deny',
  provision: [{ type: 'permit', actor: [actor('Organization/org2')], purpose: purpose('ETREAT') }],
});
/** Everything, except SUD data — which Dr 2 may still see. */
const notSudExceptDr2 = consent('s', {
  type: 'permit',
  provision: [{ type: 'deny', securityLabel: [A('SUD')], provision: [{ type: 'permit', actor: [actor('Practitioner/dr2')] }] }],
});
/** Two exceptions at the same depth that both match: deny wins. */
const tie = consent('tie', {
  type: 'permit',
  provision: [
    { type: 'permit', purpose: purpose('TREAT') },
    { type: 'deny', actor: [actor('Organization/org2')] },
  ],
});
const denyAll = (id: string, extra: Partial<Consent> = {}): Consent => consent(id, { type: 'deny' }, extra);

describe('decideConsent', () => {
  it.each<Case>([
    // applicability
    ['no consent on file', [], {}, 'not-applicable'],
    ['a consent that permits the recipient organization', [treatmentByOrg2], {}, 'permit', 'Consent/t provision'],
    ['actor by organization, recipient by bare id or reference', [treatmentByOrg2], { recipientOrganizations: ['Organization/org2'] }, 'permit'],
    ['actor by practitioner, from any organization', [treatmentByDr2], { recipientOrganizations: ['org9'] }, 'permit', 'Consent/d provision'],
    ['actor is someone else', [treatmentByDr2], { recipientActors: ['Practitioner/dr3'] }, 'not-applicable'],
    ['organization actor does not match a practitioner of another organization', [treatmentByOrg2], { recipientOrganizations: ['org3'] }, 'not-applicable'],
    ['absolute actor reference', [consent('abs', { type: 'permit', actor: [actor('https://ehr.example/fhir/Organization/org2/_history/3')] })], {}, 'permit'],
    ['purpose mismatch (payment)', [treatmentByOrg2], { purposeOfUse: 'HPAYMT' }, 'not-applicable'],
    ['purpose subsumed (coordination of care is treatment)', [treatmentByOrg2], { purposeOfUse: 'COC' }, 'permit'],
    ['inactive consent ignored', [denyAll('x', { status: 'inactive' })], {}, 'not-applicable'],
    ['draft consent ignored', [denyAll('x', { status: 'draft' })], {}, 'not-applicable'],
    ['rejected consent ignored', [denyAll('x', { status: 'rejected' })], {}, 'not-applicable'],
    ['another patient\'s consent ignored', [denyAll('x', { patient: { reference: 'Patient/p2' } })], {}, 'not-applicable'],
    ['a treatment consent is not a privacy consent', [denyAll('x', { scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'treatment' }] } })], {}, 'not-applicable'],
    // nested provisions
    ['base deny applies when no exception matches', [emergencyOnly], {}, 'deny', 'Consent/e provision'],
    ['nested permit for emergencies', [emergencyOnly], { purposeOfUse: 'ETREAT' }, 'permit', 'Consent/e provision.provision[0]'],
    ['break the glass is an emergency', [emergencyOnly], { purposeOfUse: 'BTG' }, 'permit'],
    ['nested exception is not for other organizations', [emergencyOnly], { purposeOfUse: 'ETREAT', recipientOrganizations: ['org3'], recipientActors: [] }, 'deny'],
    ['two levels: SUD data denied', [notSudExceptDr2], { labels: [C('R'), A('SUD')], recipientActors: ['Practitioner/dr3'] }, 'deny', 'Consent/s provision.provision[0]'],
    ['two levels: the most specific wins', [notSudExceptDr2], { labels: [C('R'), A('SUD')] }, 'permit', 'Consent/s provision.provision[0].provision[0]'],
    ['two levels: other data falls to the base', [notSudExceptDr2], { recipientActors: ['Practitioner/dr3'] }, 'permit', 'Consent/s provision'],
    ['OPIOIDUD data is SUD data', [notSudExceptDr2], { labels: [A('OPIOIDUD')], recipientActors: [] }, 'deny'],
    ['equally specific permit and deny: deny wins', [tie], {}, 'deny', 'Consent/tie provision.provision[1]'],
    // several consents
    ['deny overrides a permit of another consent', [treatmentByOrg2, denyAll('no')], {}, 'deny', 'Consent/no provision'],
    ['deny overrides, whatever the order', [denyAll('no'), treatmentByOrg2], {}, 'deny', 'Consent/no provision'],
    ['an inactive deny does not override', [treatmentByOrg2, denyAll('no', { status: 'inactive' })], {}, 'permit', 'Consent/t provision'],
    // base from policyRule (R4 style: no type on the root)
    ['policyRule OPTOUT without root type', [consent('o', {}, { policyRule: { coding: [{ system: ACT_CODE_SYSTEM, code: 'OPTOUT' }] } })], {}, 'deny'],
    ['policyRule OPTIN without root type', [consent('i', {}, { policyRule: { coding: [{ system: ACT_CODE_SYSTEM, code: 'OPTIN' }] } })], {}, 'permit'],
    ['no provision, OPTIN', [consent('i', undefined, { policyRule: { coding: [{ system: ACT_CODE_SYSTEM, code: 'OPTIN' }] } })], {}, 'permit'],
    ['no base type: only nested provisions decide', [consent('n', { provision: [{ type: 'deny', purpose: purpose('HPAYMT') }] })], {}, 'not-applicable'],
    ['no base type, a nested deny matches', [consent('n', { provision: [{ type: 'deny', purpose: purpose('HPAYMT') }] })], { purposeOfUse: 'HPAYMT' }, 'deny'],
    // class, data, action, source
    ['class matches the resource type', [consent('c', { type: 'permit', class: [resourceClass('Observation')] })], {}, 'permit'],
    ['class of another type', [consent('c', { type: 'permit', class: [resourceClass('Condition')] })], {}, 'not-applicable'],
    ['data instance denied', [consent('i', { type: 'deny', data: [{ meaning: 'instance', reference: { reference: 'Observation/o1' } }] })], {}, 'deny'],
    ['data instance: another resource', [consent('i', { type: 'deny', data: [{ meaning: 'instance', reference: { reference: 'Observation/o2' } }] })], {}, 'not-applicable'],
    ['data instance: resource unknown, a deny applies', [consent('i', { type: 'deny', data: [{ meaning: 'instance', reference: { reference: 'Observation/o2' } }] })], { resourceRef: undefined }, 'deny'],
    ['data instance: resource unknown, a permit does not', [consent('i', { type: 'permit', data: [{ meaning: 'instance', reference: { reference: 'Observation/o1' } }] })], { resourceRef: undefined }, 'not-applicable'],
    ['data dependents: this resource refers to the named one', [consent('dep', { type: 'permit', data: [{ meaning: 'dependents', reference: { reference: 'Encounter/e1' } }] })], { references: ['Encounter/e1'] }, 'permit'],
    ['data related: the named one refers to this resource', [consent('rel', { type: 'deny', data: [{ meaning: 'related', reference: { reference: 'DiagnosticReport/r1' } }] })], { referencedBy: ['DiagnosticReport/r1'] }, 'deny'],
    ['data authoredby', [consent('au', { type: 'deny', data: [{ meaning: 'authoredby', reference: { reference: 'Practitioner/x' } }] })], { authors: ['Practitioner/y'] }, 'not-applicable'],
    ['action correct is not a read', [consent('act', { type: 'deny', action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'correct' }] }] })], {}, 'not-applicable'],
    ['action access is a read', [consent('act', { type: 'deny', action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'access' }] }] })], {}, 'deny'],
    ['source (custodian) unknown: a deny applies', [consent('src', { type: 'deny', actor: [actor('Organization/orgA', 'CST')] })], {}, 'deny'],
    ['source (custodian) known to be another', [consent('src', { type: 'deny', actor: [actor('Organization/orgA', 'CST')] })], { sourceOrganizations: ['orgB'] }, 'not-applicable'],
    ['source and recipient both named', [consent('src', { type: 'permit', actor: [actor('Organization/orgA', 'CST'), actor('Organization/org2')] })], { sourceOrganizations: ['orgA'] }, 'permit'],
    // security labels
    ['permit for SUD data covers SUD data', [consent('l', { type: 'permit', securityLabel: [A('SUD')] })], { labels: [A('SUD')] }, 'permit'],
    ['permit for SUD data does not cover SUD+HIV data', [consent('l', { type: 'permit', securityLabel: [A('SUD')] })], { labels: [A('SUD'), A('HIV')] }, 'not-applicable'],
    ['deny of SUD data touches SUD+HIV data', [consent('l', { type: 'deny', securityLabel: [A('SUD')] })], { labels: [A('SUD'), A('HIV')] }, 'deny'],
    ['permit up to R covers R data (high-water mark)', [consent('l', { type: 'permit', securityLabel: [C('R')] })], { labels: [C('R'), A('SUD')] }, 'permit'],
    ['permit up to R does not cover V data', [consent('l', { type: 'permit', securityLabel: [C('R')] })], { labels: [C('V')] }, 'not-applicable'],
    ['permit up to N covers unlabelled data', [consent('l', { type: 'permit', securityLabel: [C('N')] })], {}, 'permit'],
    ['permit for SPI covers PSY and MH data', [consent('l', { type: 'permit', securityLabel: [A('SPI')] })], { labels: [A('PSY'), A('MH')] }, 'permit'],
  ])('%s → %s', (_name, consents, overrides, decision, by) => {
    const d = decideConsent(consents, { ...REQUEST, ...overrides });
    expect(d.decision, d.reason).toBe(decision);
    if (by) expect(`${d.consent} ${d.provision}`).toBe(by);
    expect(d.evaluations).toHaveLength(consents.length);
  });

  describe('periods', () => {
    const until = (end: string): Consent => consent('p', { type: 'deny', period: { start: '2024-01-01', end } });
    it.each<[string, Consent, string, ConsentDecisionValue]>([
      ['in force on the last day (a date is the whole day)', until('2024-06-15'), '2024-06-15T23:59:59Z', 'deny'],
      ['expired the next day', until('2024-06-15'), '2024-06-16T00:00:00Z', 'not-applicable'],
      ['in force from its first instant', until('2024-12-31'), '2024-01-01T00:00:00Z', 'deny'],
      ['not yet in force', until('2024-12-31'), '2023-12-31T23:59:59Z', 'not-applicable'],
      ['time zones count', consent('p', { type: 'deny', period: { end: '2024-06-15T12:00:00+02:00' } }), '2024-06-15T10:30:00Z', 'not-applicable'],
      ['open-ended', consent('p', { type: 'deny', period: { start: '2020' } }), '2024-06-15T12:00:00Z', 'deny'],
      [
        'an expired nested exception no longer applies',
        consent('p', { type: 'permit', provision: [{ type: 'deny', period: { end: '2024-05-31' }, actor: [{ ...actor('Organization/org2') }] }] }),
        '2024-06-15T12:00:00Z',
        'permit',
      ],
    ])('%s', (_name, c, now, decision) => {
      const d = decideConsent([c], { ...REQUEST, now });
      expect(d.decision, d.reason).toBe(decision);
    });

    const about2023 = (type: 'permit' | 'deny'): Consent => consent('dp', { type, dataPeriod: { start: '2023-01-01', end: '2023-12-31' } });
    it.each<[string, 'permit' | 'deny', ConsentRequest['dataPeriod'], ConsentDecisionValue]>([
      ['permit: data inside the data period', 'permit', { start: '2023-03-01', end: '2023-03-01' }, 'permit'],
      ['permit: data on the last day', 'permit', { start: '2023-12-31T22:00:00Z', end: '2023-12-31T23:00:00Z' }, 'permit'],
      ['permit: data after it', 'permit', { start: '2024-01-01', end: '2024-01-01' }, 'not-applicable'],
      ['permit: data straddling its start', 'permit', { start: '2022-12-30', end: '2023-01-02' }, 'not-applicable'],
      ['permit: data date unknown', 'permit', undefined, 'not-applicable'],
      ['deny: data inside', 'deny', { start: '2023-03-01', end: '2023-03-01' }, 'deny'],
      ['deny: data straddling its start', 'deny', { start: '2022-12-30', end: '2023-01-02' }, 'deny'],
      ['deny: data date unknown', 'deny', undefined, 'deny'],
      ['deny: data before it', 'deny', { start: '2022-12-31', end: '2022-12-31' }, 'not-applicable'],
    ])('dataPeriod, %s', (_name, type, dataPeriod, decision) => {
      const request: ConsentRequest = { ...REQUEST };
      if (dataPeriod) request.dataPeriod = dataPeriod;
      expect(decideConsent([about2023(type)], request).decision).toBe(decision);
    });
  });

  it('names the consent and provision, and says why, for the audit trail and the banner', () => {
    const d = decideConsent([treatmentByOrg2, emergencyOnly], REQUEST);
    expect(d).toMatchObject({ decision: 'deny', consent: 'Consent/e', provision: 'provision' });
    expect(d.reason).toBe('Consent/e provision denies: every access');
    expect(d.evaluations.map((e) => [e.consent, e.decision])).toEqual([
      ['Consent/t', 'permit'],
      ['Consent/e', 'deny'],
    ]);
    expect(d.evaluations[0].reason).toBe('Consent/t provision permits: recipient Organization/org2; purpose TREAT within TREAT');
    const expired = decideConsent([consent('x', { type: 'deny', period: { end: '2024-01-01' } })], REQUEST);
    expect(expired.evaluations[0].reason).toBe('Consent/x does not apply: it is not in force at 2024-06-15T12:00:00Z (period …–2024-01-01)');
    expect(decideConsent([], REQUEST).reason).toBe('the patient has no consent on file');
  });

  it('marks a deny that applied only because something could not be ruled out', () => {
    const d = decideConsent([consent('u', { type: 'deny', dataPeriod: { start: '2023' } })], REQUEST);
    expect(d.evaluations[0]).toMatchObject({ decision: 'deny', certain: false });
    expect(d.reason).toContain('(not established)');
  });
});

describe('consent building blocks', () => {
  it.each<[string, ReturnType<typeof periodContains>]>([
    ['2024-06-15T00:00:00Z', 'yes'],
    ['2024-06-30T23:59:59.999Z', 'yes'],
    ['2024-07-01T00:00:00Z', 'no'],
    ['not a date', 'unknown'],
  ])('period June 2024 contains %s: %s', (now, result) => {
    expect(periodContains({ start: '2024-06', end: '2024-06' }, now)).toBe(result);
  });

  it('data inside a period', () => {
    expect(periodInside({ start: '2024' }, { start: '2024-02-01', end: '2024-02-02' })).toBe('yes');
    expect(periodInside({ start: '2024' }, { end: '2023-12-31' })).toBe('no');
    expect(periodInside({ start: '2024' }, {})).toBe('unknown');
    expect(periodInside({ start: 'garbage' }, { start: '2024' })).toBe('unknown');
  });

  it('security labels: all of the data\'s sensitivity labels for yes, some for unknown, none for no', () => {
    expect(matchSecurityLabels([A('SUD'), A('HIV')], [C('R'), A('SUD'), A('HIV'), A('NORDSCLCD')]).result).toBe('yes');
    expect(matchSecurityLabels([A('SUD')], [A('SUD'), A('HIV')]).result).toBe('unknown');
    expect(matchSecurityLabels([A('SUD')], [A('HIV')]).result).toBe('no');
    expect(matchSecurityLabels([A('SUD')], [C('R')]).result).toBe('no');
    expect(matchSecurityLabels([A('42CFRPart2')], [A('42CFRPart2'), A('SUD')]).result).toBe('unknown');
    expect(matchSecurityLabels([C('V'), A('42CFRPart2'), A('SUD')], [C('R'), A('42CFRPart2'), A('SUD')]).result).toBe('yes');
  });
});
