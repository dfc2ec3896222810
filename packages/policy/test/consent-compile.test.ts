import type { Coding, Consent } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { compileConsent, decideConsent, labelKey, recipientKeys, type ConsentRequest, type ConsentRule } from '../src/index.ts';
import { A, actor, C, consent, purpose, REQUEST, resourceClass } from './consent-fixtures.ts';

/**
 * `compileConsent` flattens consents into row rules the store applies in SQL. This suite applies the rules the way
 * the SQL does (packages/store/src/access/segmentation-sql.ts: deepest matching rule of a consent decides, deny on
 * ties, any denying consent wins) and checks the result against `decideConsent` for every consent × request of a
 * table, for the criteria a row rule evaluates (recipient, purpose, period, class, security labels).
 */

/** The SQL's semantics, in memory: does rule `r` match (permit: every sensitive label covered; deny: one)? */
function matches(r: ConsentRule, req: ConsentRequest, sem: 'permit' | 'deny'): boolean {
  const now = Date.parse(req.now);
  const labels = new Set(req.labels.map(labelKey));
  const recipients = recipientKeys(req.recipientOrganizations, req.recipientActors);
  if (r.actors && !r.actors.some((a) => recipients.includes(a))) return false;
  if (r.purposes && !r.purposes.includes(req.purposeOfUse)) return false;
  if (r.classes && !r.classes.includes(req.resourceType)) return false;
  if (r.start !== null && r.start > now) return false;
  if (r.end !== null && r.end <= now) return false;
  if (r.confidentiality) {
    if (r.confidentiality.above.some((k) => labels.has(k))) return false;
    if (!r.confidentiality.normalWithin && !r.confidentiality.within.some((k) => labels.has(k))) return false;
  }
  if (r.labels) {
    if (!r.labels.covered.some((k) => labels.has(k))) return false;
    if (sem === 'permit' && r.labels.uncovered.some((k) => labels.has(k))) return false;
  }
  return true;
}

function decideByRules(consents: Consent[], req: ConsentRequest): 'permit' | 'deny' | 'not-applicable' {
  const rules = consents.flatMap(compileConsent);
  const denies = rules.some(
    (d) => d.effect === 'deny' && matches(d, req, 'deny') && !rules.some((p) => p.consent === d.consent && p.effect === 'permit' && p.depth > d.depth && matches(p, req, 'permit')),
  );
  if (denies) return 'deny';
  const permits = rules.some(
    (p) => p.effect === 'permit' && matches(p, req, 'permit') && !rules.some((d) => d.consent === p.consent && d.effect === 'deny' && d.depth >= p.depth && matches(d, req, 'deny')),
  );
  return permits ? 'permit' : 'not-applicable';
}

const CONSENTS: Record<string, Consent[]> = {
  'none': [],
  'deny all': [consent('c1', { type: 'deny' })],
  'permit all but HIV': [consent('c1', { type: 'permit', provision: [{ type: 'deny', securityLabel: [A('HIV')] }] })],
  'deny org2 mental health': [consent('c1', { type: 'permit', provision: [{ type: 'deny', actor: [actor('Organization/org2')], securityLabel: [A('MH')] }] })],
  'deny all, permit dr2 SUD for treatment': [consent('c1', { type: 'deny', provision: [{ type: 'permit', actor: [actor('Practitioner/dr2')], purpose: purpose('TREAT'), securityLabel: [A('SUD')] }] })],
  'deny observations for operations': [consent('c1', { type: 'permit', provision: [{ type: 'deny', purpose: purpose('HOPERAT'), class: [resourceClass('Observation')] }] })],
  'deny in 2024 only': [consent('c1', { type: 'deny', period: { start: '2024-01-01', end: '2024-12-31' } })],
  'deny expired': [consent('c1', { type: 'deny', period: { start: '2019-01-01', end: '2020-01-01' } })],
  'deny above normal': [consent('c1', { type: 'permit', provision: [{ type: 'deny', securityLabel: [C('R')], provision: [{ type: 'permit', securityLabel: [C('N')] }] }] })],
  'permit and deny consents': [consent('c1', { type: 'permit' }), consent('c2', { type: 'permit', provision: [{ type: 'deny', securityLabel: [A('SUD')] }] })],
  'inactive deny': [consent('c1', { type: 'deny' }, { status: 'inactive' })],
  'nested deny inside permit for dr2': [consent('c1', { type: 'deny', provision: [{ type: 'permit', actor: [actor('Practitioner/dr2')], provision: [{ type: 'deny', securityLabel: [A('HIV')] }] }] })],
};

const labels = (...l: Coding[]) => l;
const REQUESTS: Record<string, ConsentRequest> = {
  'plain observation': REQUEST,
  'SUD condition': { ...REQUEST, resourceType: 'Condition', labels: labels(C('R'), A('SUD')) },
  'Part 2 condition': { ...REQUEST, resourceType: 'Condition', labels: labels(C('R'), A('SUD'), A('42CFRPart2'), A('NORDSCLCD')) },
  'SUD + HIV': { ...REQUEST, labels: labels(A('SUD'), A('HIV')) },
  'HIV': { ...REQUEST, labels: labels(C('R'), A('HIV')) },
  'MH': { ...REQUEST, labels: labels(A('MH'), A('PSY')) },
  'operations': { ...REQUEST, purposeOfUse: 'HOPERAT' },
  'care management (a HOPERAT)': { ...REQUEST, purposeOfUse: 'CAREMGT' },
  'another recipient': { ...REQUEST, recipientOrganizations: ['org9'], recipientActors: ['Practitioner/dr9'] },
  'in 2025': { ...REQUEST, now: '2025-03-01T00:00:00Z' },
};

describe('compiled consent rules decide as decideConsent does', () => {
  const cases = Object.keys(CONSENTS).flatMap((c) => Object.keys(REQUESTS).map((r) => [c, r] as const));
  it.each(cases)('%s × %s', (c, r) => {
    const pure = decideConsent(CONSENTS[c], REQUESTS[r]).decision;
    expect(decideByRules(CONSENTS[c], REQUESTS[r])).toBe(pure);
  });
});

describe('compileConsent', () => {
  it('names the Part 2 permits that a 42 CFR 2.31 consent needs: recipient, purpose and the data', () => {
    const sufficient = compileConsent(CONSENTS['deny all, permit dr2 SUD for treatment'][0]);
    expect(sufficient.find((r) => r.effect === 'permit')?.part2).toBe(true);
    const general = compileConsent(consent('c1', { type: 'permit' }));
    expect(general.map((r) => r.part2)).toEqual([false]);
  });

  it('drops permits it cannot evaluate on a row and keeps denies without the unknown criterion (fail closed)', () => {
    const withCode = compileConsent(consent('c1', { type: 'deny', provision: [{ type: 'permit', code: [{ coding: [{ system: 'http://loinc.org', code: '1-8' }] }] }] }));
    expect(withCode.map((r) => `${r.effect} ${r.path}`)).toEqual(['deny provision']);
    const denyByCode = compileConsent(consent('c1', { type: 'permit', provision: [{ type: 'deny', code: [{ coding: [{ system: 'http://loinc.org', code: '1-8' }] }] }] }));
    expect(denyByCode.map((r) => `${r.effect} ${r.path}`)).toEqual(['permit provision', 'deny provision.provision[0]']);
  });

  it('ignores consents that are not active privacy consents about a patient, and non-read actions', () => {
    expect(compileConsent(consent('c1', { type: 'deny' }, { status: 'draft' }))).toEqual([]);
    expect(compileConsent(consent('c1', { type: 'deny' }, { scope: { coding: [{ code: 'research' }] } }))).toEqual([]);
    expect(compileConsent(consent('c1', { type: 'deny' }, { patient: undefined }))).toEqual([]);
    const collect = compileConsent(consent('c1', { type: 'deny', action: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'collect' }] }] }));
    expect(collect).toEqual([]);
  });
});
