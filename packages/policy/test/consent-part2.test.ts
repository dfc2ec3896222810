import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { EMERGENCY_DISCLOSURE_RECORD, PART2_REDISCLOSURE_NOTICE, part2DisclosureAllowed, type Part2Request, type Part2Rule } from '../src/index.ts';
import { A, actor, C, consent, purpose, REQUEST, resourceClass } from './consent-fixtures.ts';

/** A progress note of the SUD clinic (org-sud, a designated Part 2 program), as the label rules left it. */
const PART2_RECORD: Part2Request = {
  ...REQUEST,
  labels: [C('R'), A('42CFRPart2'), A('NORDSCLCD')],
  part2Programs: ['org-sud'],
  recordOrganizations: ['org-sud'],
};

/** Patient p1 consents to the SUD clinic disclosing its Part 2 records to org2 for treatment. */
const part2Consent = (provision: Partial<ConsentProvision> = {}, extra: Partial<Consent> = {}): Consent =>
  consent('p2', { type: 'permit', actor: [actor('Organization/org2')], purpose: purpose('TREAT'), securityLabel: [A('42CFRPart2')], ...provision }, extra);

type Case = [name: string, consents: Consent[], request: Partial<Part2Request>, rule: Part2Rule, allowed: boolean];

describe('part2DisclosureAllowed', () => {
  it.each<Case>([
    ['a record without the Part 2 label is not a Part 2 question', [], { labels: [C('R'), A('SUD')] }, 'not-part2', true],
    // within the program: no consent needed
    ['treatment within the program', [], { recipientOrganizations: ['org-sud'] }, 'within-program', true],
    ['billing within the program', [], { recipientOrganizations: ['Organization/org-sud'], purposeOfUse: 'HPAYMT' }, 'within-program', true],
    ['research is not a duty of treatment, even within the program', [], { recipientOrganizations: ['org-sud'], purposeOfUse: 'HRESCH' }, 'no-consent', false],
    ['a Part 2 record received from outside has no "within"', [], { recipientOrganizations: ['org-sud'], recordOrganizations: ['org-elsewhere'] }, 'no-consent', false],
    // outside the program
    ['outside the program, no consent', [], {}, 'no-consent', false],
    ['outside the program, a consent naming recipient, purpose and Part 2 data', [part2Consent()], {}, 'consent', true],
    ['the recipient named as a practitioner', [part2Consent({ actor: [actor('Practitioner/dr2')] })], { recipientOrganizations: ['org9'] }, 'consent', true],
    ['the data named by the SUD label', [part2Consent({ securityLabel: [A('SUD'), A('42CFRPart2')] })], { labels: [C('R'), A('SUD'), A('42CFRPart2')] }, 'consent', true],
    ['the data named by the SUD label alone (a Part 2 record is SUD information)', [part2Consent({ securityLabel: [A('SUD')] })], {}, 'consent', true],
    ['a consent for SUD data does not cover a Part 2 record that is also HIV-sensitive', [part2Consent({ securityLabel: [A('SUD')] })], { labels: [C('R'), A('42CFRPart2'), A('HIV')] }, 'no-consent', false],
    ['the data named by class', [part2Consent({ securityLabel: undefined, class: [resourceClass('Observation')] })], {}, 'consent', true],
    ['the data named by instance', [part2Consent({ securityLabel: undefined, data: [{ meaning: 'instance', reference: { reference: 'Observation/o1' } }] })], {}, 'consent', true],
    ['a consent for another recipient', [part2Consent({ actor: [actor('Organization/org3')] })], {}, 'no-consent', false],
    ['a consent for another purpose', [part2Consent({ purpose: purpose('HPAYMT') })], {}, 'no-consent', false],
    ['a general authorization (no recipient named) is not enough', [part2Consent({ actor: undefined })], {}, 'no-consent', false],
    ['a consent without a purpose is not enough', [part2Consent({ purpose: undefined })], {}, 'no-consent', false],
    ['a consent that does not name the Part 2 data is not enough', [part2Consent({ securityLabel: undefined })], {}, 'no-consent', false],
    ['an expired consent', [part2Consent({ period: { end: '2024-01-31' } })], {}, 'no-consent', false],
    ['an inactive consent', [part2Consent({}, { status: 'inactive' })], {}, 'no-consent', false],
    ['a deny overrides a sufficient permit', [part2Consent(), consent('no', { type: 'deny', actor: [actor('Organization/org2')] })], {}, 'consent-denied', false],
    // medical emergency (42 CFR 2.51)
    ['emergency treatment without consent', [], { purposeOfUse: 'ETREAT' }, 'medical-emergency', true],
    ['break the glass', [], { purposeOfUse: 'BTG' }, 'medical-emergency', true],
    ['emergency despite a deny consent', [consent('no', { type: 'deny' })], { purposeOfUse: 'ETREAT' }, 'medical-emergency', true],
  ])('%s → %s', (_name, consents, overrides, rule, allowed) => {
    const d = part2DisclosureAllowed(consents, { ...PART2_RECORD, ...overrides });
    expect(d.rule, d.reason).toBe(rule);
    expect(d.allowed).toBe(allowed);
  });

  it('sends the 2.32 notice with a disclosure outside the program, and only then', () => {
    expect(part2DisclosureAllowed([part2Consent()], PART2_RECORD)).toMatchObject({ rule: 'consent', consent: 'Consent/p2', provision: 'provision', notice: PART2_REDISCLOSURE_NOTICE });
    expect(part2DisclosureAllowed([], { ...PART2_RECORD, purposeOfUse: 'ETREAT' }).notice).toBe(PART2_REDISCLOSURE_NOTICE);
    expect(part2DisclosureAllowed([], { ...PART2_RECORD, recipientOrganizations: ['org-sud'] }).notice).toBeUndefined();
    expect(part2DisclosureAllowed([], PART2_RECORD).notice).toBeUndefined();
  });

  it('flags an emergency disclosure for the record 42 CFR 2.51(c) requires', () => {
    const d = part2DisclosureAllowed([], { ...PART2_RECORD, purposeOfUse: 'ETREAT' });
    expect(d.audit).toEqual({ citation: '42 CFR 2.51(c)', record: [...EMERGENCY_DISCLOSURE_RECORD] });
    expect(d.reason).toMatch(/42 CFR 2\.51\(a\)/);
    expect(part2DisclosureAllowed([part2Consent()], PART2_RECORD).audit).toBeUndefined();
  });

  it('says why a record is withheld, for the banner', () => {
    expect(part2DisclosureAllowed([], PART2_RECORD).reason).toBe(
      'withheld: this record is protected by 42 CFR Part 2 and no active consent permits disclosing it to Organization/org2, Practitioner/dr2 for TREAT',
    );
    expect(part2DisclosureAllowed([part2Consent({ actor: undefined, purpose: undefined })], PART2_RECORD)).toMatchObject({
      rule: 'no-consent',
      consent: 'Consent/p2',
      reason:
        'withheld: Consent/p2 permits, but a 42 CFR Part 2 disclosure needs a consent that names the recipient, the purpose and the Part 2 information; it does not name the recipient, the purpose',
    });
    const denied = part2DisclosureAllowed([consent('no', { type: 'deny' })], PART2_RECORD);
    expect(denied).toMatchObject({ rule: 'consent-denied', consent: 'Consent/no', provision: 'provision' });
    expect(denied.reason).toBe('withheld by consent: Consent/no provision denies: every access');
  });
});
