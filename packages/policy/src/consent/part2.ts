import type { Consent } from '@medplum/fhirtypes';
import { organizationKey } from '../labels/assign.ts';
import { PART2_REDISCLOSURE_NOTICE } from '../labels/notice.ts';
import { actCodeLabel, hasLabel, isEmergencyPurpose, labelCovers, purposeCovers } from '../labels/vocabulary.ts';
import { decideConsent, type ConsentEvaluation } from './evaluate.ts';
import type { ConsentRequest } from './provision.ts';

/**
 * 42 CFR Part 2 disclosure: may a record labelled `42CFRPart2` go to this recipient for this purpose? Pure.
 *
 * This answers only the Part 2 question; the caller also applies the patient's privacy consents (`decideConsent`)
 * and the access table. Order of the rules:
 * 1. A record without the `42CFRPart2` label: not a Part 2 question (`not-part2`, allowed).
 * 2. Within the program: the recipient acts for a designated Part 2 program that keeps the record, for treatment,
 *    payment or operations (and their v3-ActReason descendants) — 42 CFR 2.12(c)(3) exempts communications within a
 *    program of information needed in connection with duties arising out of diagnosis, treatment or referral.
 *    A Part 2 record that no designated program of this practice keeps (one received from outside) has no "within".
 * 3. Medical emergency: purpose ETREAT (or BTG, ERTREAT) — 42 CFR 2.51(a) allows disclosure to medical personnel
 *    "to the extent necessary to meet a bona fide medical emergency in which the patient's prior written consent
 *    cannot be obtained". Allowed and flagged: 2.51(c) requires the program to document it immediately. The caller
 *    must make sure the recipient is medical personnel.
 * 4. Otherwise only under an active consent that permits it (`consent`), and only if the permitting provision's
 *    path names the recipient (an actor matching the recipient's organization or identity), the purpose, and the
 *    Part 2 information (a security label covering 42CFRPart2 or SUD, a class, or the data itself): a consent that
 *    permits "everyone" or "everything" is a general authorization, which 42 CFR 2.32 says "is NOT sufficient"
 *    (see 2.31). Any applicable deny wins (`consent-denied`); no sufficient permit is `no-consent`.
 *
 * A disclosure outside the program (rules 3 and 4) carries the 2.32 notice: 2.32(a) requires it with every
 * disclosure made with consent; Confide adds it to emergency disclosures too, since the record keeps its
 * NORDSCLCD obligation.
 */

export interface Part2Request extends ConsentRequest {
  /** Organizations the practice has designated 42 CFR Part 2 programs (bare ids or `Organization/<id>`). */
  part2Programs: readonly string[];
  /** The organizations that keep the record (its `organizations` column). */
  recordOrganizations: readonly string[];
}

export type Part2Rule = 'not-part2' | 'within-program' | 'medical-emergency' | 'consent' | 'consent-denied' | 'no-consent';

export interface Part2Decision {
  allowed: boolean;
  /** Which rule decided, for audit and the "withheld by consent" banner. */
  rule: Part2Rule;
  reason: string;
  /** The consent that permitted or denied (`Consent/<id>`). */
  consent?: string;
  provision?: string;
  /** Present for a medical emergency: what 42 CFR 2.51(c) requires the program to record right after the disclosure. */
  audit?: { citation: string; record: string[] };
  /** The notice that must go with the data (42 CFR 2.32), when it leaves the program. */
  notice?: string;
}

const PART2 = actCodeLabel('42CFRPart2');
const SUD = actCodeLabel('SUD');
/** Purposes for which communication within the program needs no consent. */
const WITHIN_PROGRAM_PURPOSES = ['TREAT', 'HPAYMT', 'HOPERAT'];

/** What 42 CFR 2.51(c) requires the program to document after an emergency disclosure. */
export const EMERGENCY_DISCLOSURE_RECORD: readonly string[] = [
  'the name of the medical personnel to whom disclosure was made and their affiliation with any health care facility',
  'the name of the individual making the disclosure',
  'the date and time of the disclosure',
  'the nature of the emergency',
];

/** What a permitting consent evaluation lacks to authorize a Part 2 disclosure (empty: nothing). */
export function part2ConsentGaps(e: ConsentEvaluation): string[] {
  const yes = (c: string): boolean => e.matched.some((m) => m.criterion === c && m.result === 'yes');
  const gaps: string[] = [];
  if (!yes('actor')) gaps.push('the recipient');
  if (!yes('purpose')) gaps.push('the purpose');
  const labelled = yes('securityLabel') && e.namedLabels.some((l) => labelCovers(l, PART2) || labelCovers(l, SUD));
  if (!labelled && !yes('class') && !yes('data')) gaps.push('the Part 2 information (label 42CFRPart2 or SUD, a class, or the data)');
  return gaps;
}

export function part2DisclosureAllowed(consents: readonly Consent[], request: Part2Request): Part2Decision {
  if (!hasLabel(request.labels, PART2)) return { allowed: true, rule: 'not-part2', reason: 'the record is not labelled 42CFRPart2' };

  const programs = new Set(request.part2Programs.map(organizationKey));
  const keeping = request.recordOrganizations.map(organizationKey).filter((o) => programs.has(o));
  const recipients = new Set(request.recipientOrganizations.map(organizationKey));
  const inside = keeping.filter((o) => recipients.has(o));
  if (inside.length && WITHIN_PROGRAM_PURPOSES.some((p) => purposeCovers(p, request.purposeOfUse))) {
    return {
      allowed: true,
      rule: 'within-program',
      reason: `the recipient acts for ${inside.join(', ')}, the Part 2 program that keeps the record, for ${request.purposeOfUse} (42 CFR 2.12(c)(3): no consent needed within the program)`,
    };
  }

  if (isEmergencyPurpose(request.purposeOfUse)) {
    return {
      allowed: true,
      rule: 'medical-emergency',
      reason: `disclosed for a medical emergency (${request.purposeOfUse}) without consent under 42 CFR 2.51(a); it must be documented (2.51(c))`,
      audit: { citation: '42 CFR 2.51(c)', record: [...EMERGENCY_DISCLOSURE_RECORD] },
      notice: PART2_REDISCLOSURE_NOTICE,
    };
  }

  const decision = decideConsent(consents, request);
  if (decision.decision === 'deny') {
    const denied: Part2Decision = { allowed: false, rule: 'consent-denied', reason: `withheld by consent: ${decision.reason}` };
    if (decision.consent) denied.consent = decision.consent;
    if (decision.provision) denied.provision = decision.provision;
    return denied;
  }
  const permits = decision.evaluations.filter((e) => e.decision === 'permit');
  const sufficient = permits.find((e) => part2ConsentGaps(e).length === 0);
  if (sufficient) {
    const allowed: Part2Decision = {
      allowed: true,
      rule: 'consent',
      reason: `disclosed under ${sufficient.reason}`,
      consent: sufficient.consent,
      notice: PART2_REDISCLOSURE_NOTICE,
    };
    if (sufficient.provision) allowed.provision = sufficient.provision;
    return allowed;
  }
  const who = [...recipients, ...request.recipientActors].join(', ') || 'the recipient';
  if (permits.length) {
    const first = permits[0];
    return {
      allowed: false,
      rule: 'no-consent',
      consent: first.consent,
      reason: `withheld: ${first.consent} permits, but a 42 CFR Part 2 disclosure needs a consent that names the recipient, the purpose and the Part 2 information; it does not name ${part2ConsentGaps(first).join(', ')}`,
    };
  }
  return {
    allowed: false,
    rule: 'no-consent',
    reason: `withheld: this record is protected by 42 CFR Part 2 and no active consent permits disclosing it to ${who} for ${request.purposeOfUse}`,
  };
}
