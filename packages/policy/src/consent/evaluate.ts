import type { Coding, Consent, ConsentProvision } from '@medplum/fhirtypes';
import { ACT_CODE_SYSTEM, CONSENT_SCOPE_SYSTEM } from '../labels/vocabulary.ts';
import { keyOf, matchProvision, referenceKey, type ConsentRequest, type CriterionResult } from './provision.ts';

/**
 * Evaluation of FHIR R4 privacy consents (Consent.scope = patient-privacy) for one access. Pure.
 *
 * Semantics (R4 consent.html, Consent.provision; where R4 is loose, Confide's choice is stated):
 * - Only consents with `status = active` count, and only while `now` is in the root provision's `period` (R4 has no
 *   other validity period: "Timeframe for this rule"). Consents with another scope (treatment, research, adr) and,
 *   when the request names its patient, consents of other patients are ignored.
 * - The root provision is the consent's base rule: when its criteria match the access, its type decides, unless a
 *   nested provision matches. R4 says the root has no `type` and the base comes from `policyRule`; many consents
 *   (and the issue) put the type on the root. Confide takes the root `type` when present, else `policyRule` v3-ActCode
 *   OPTIN / OPTINR → permit, OPTOUT / OPTOUTE → deny; with neither, only nested provisions decide.
 * - Nested provisions are exceptions within their parent ("Rules which provide exceptions to the base rule or
 *   subrules"): one can match only if its parent matched. The most specific matching provision wins — the deepest;
 *   between equally deep matches, deny wins. A nested provision without a type (R4 requires one) acts as its parent.
 * - Criteria of one provision are AND-ed; the values within one criterion are OR-ed (R4: "Multiple types are or'ed
 *   together"). Missing criteria match everything. See `matchProvision` for each criterion.
 * - Unknown facts resolve against disclosure: a permit only wins when every criterion on its path is established; a
 *   deny applies when each criterion on its path holds or cannot be ruled out.
 * - Several consents: deny overrides permit (a patient's refusal stands even if another consent permits); a permit
 *   needs at least one consent that permits; none applying is `not-applicable` — then the practice's default policy
 *   decides (HIPAA permits TPO use without consent; Part 2 does not, see `part2DisclosureAllowed`).
 */

export type ConsentDecisionValue = 'permit' | 'deny' | 'not-applicable';

/** What one consent says about the access. */
export interface ConsentEvaluation {
  /** `Consent/<id>` (or `Consent[<index>]` without an id). */
  consent: string;
  decision: ConsentDecisionValue;
  /** The provision that decided, FHIRPath-like: `provision`, `provision.provision[1].provision[0]`. */
  provision?: string;
  /** For a deny: whether every criterion on its path was established (false: it applied because something could not be ruled out). */
  certain?: boolean;
  reason: string;
  /** The criteria that matched, from the root to the deciding provision. */
  matched: CriterionResult[];
  /** The security labels the deciding path names (its provisions' `securityLabel`s). */
  namedLabels: Coding[];
}

export interface ConsentDecision {
  decision: ConsentDecisionValue;
  /** The consent that decided (`Consent/<id>`). */
  consent?: string;
  /** Its deciding provision. */
  provision?: string;
  /** Why, for audit and for the "withheld by consent" banner. */
  reason: string;
  /** Every consent's evaluation, in input order. */
  evaluations: ConsentEvaluation[];
}

interface Outcome {
  type: 'permit' | 'deny';
  path: string;
  depth: number;
  certain: boolean;
  matched: CriterionResult[];
  labels: Coding[];
}

/** The base type of a consent: the root provision's type, else from `policyRule` (OPTIN/OPTOUT). */
export function baseType(consent: Consent): 'permit' | 'deny' | undefined {
  if (consent.provision?.type) return consent.provision.type;
  for (const c of consent.policyRule?.coding ?? []) {
    if (c.system !== ACT_CODE_SYSTEM && c.system !== undefined) continue;
    if (c.code === 'OPTIN' || c.code === 'OPTINR') return 'permit';
    if (c.code === 'OPTOUT' || c.code === 'OPTOUTE') return 'deny';
  }
  return undefined;
}

/** Whether a Consent is a privacy consent (scope `patient-privacy`), the only kind that decides access. */
export function isPrivacyConsent(consent: Consent): boolean {
  return (consent.scope?.coding ?? []).some((c) => c.code === 'patient-privacy' && (c.system === CONSENT_SCOPE_SYSTEM || c.system === undefined));
}

function describe(results: readonly CriterionResult[]): string {
  return results.map((r) => (r.result === 'unknown' ? `${r.detail} (not established)` : r.detail)).join('; ');
}

/** The better of two outcomes: deeper wins; at equal depth deny wins; otherwise the first. */
function better(a: Outcome | undefined, b: Outcome): Outcome {
  if (!a) return b;
  if (b.depth !== a.depth) return b.depth > a.depth ? b : a;
  if (a.type !== b.type) return a.type === 'deny' ? a : b;
  return a;
}

function evaluateProvision(
  p: ConsentProvision,
  req: ConsentRequest,
  path: string,
  inherited: 'permit' | 'deny' | undefined,
  parent: { certain: boolean; matched: CriterionResult[]; labels: Coding[] },
  depth: number,
): Outcome | undefined {
  const results = matchProvision(p, req);
  if (results.some((r) => r.result === 'no')) return undefined;
  const type = depth === 0 ? inherited : (p.type ?? inherited);
  const here = {
    certain: parent.certain && results.every((r) => r.result === 'yes'),
    matched: [...parent.matched, ...results],
    labels: [...parent.labels, ...(p.securityLabel ?? [])],
  };
  let best: Outcome | undefined;
  (p.provision ?? []).forEach((child, i) => {
    const o = evaluateProvision(child, req, `${path}.provision[${i}]`, type, here, depth + 1);
    if (o) best = better(best, o);
  });
  if (best) return best;
  if (type === 'deny') return { type, path, depth, ...here };
  if (type === 'permit' && here.certain) return { type, path, depth, ...here };
  return undefined;
}

/** What one consent says about the access. */
export function evaluateConsent(consent: Consent, req: ConsentRequest, index = 0): ConsentEvaluation {
  const name = consent.id ? `Consent/${consent.id}` : `Consent[${index}]`;
  const none = (reason: string): ConsentEvaluation => ({ consent: name, decision: 'not-applicable', reason: `${name} does not apply: ${reason}`, matched: [], namedLabels: [] });
  if (consent.status !== 'active') return none(`its status is ${consent.status}`);
  if (!isPrivacyConsent(consent)) return none('it is not a privacy consent (scope patient-privacy)');
  if (req.patient !== undefined) {
    const patient = consent.patient?.reference ? referenceKey(consent.patient.reference) : undefined;
    if (patient !== keyOf('Patient', req.patient)) return none(`it is about ${patient ?? 'no patient'}, not ${keyOf('Patient', req.patient)}`);
  }
  const root: ConsentProvision = consent.provision ?? {};
  const base = baseType(consent);
  const rootResults = matchProvision(root, req);
  const failed = rootResults.find((r) => r.result === 'no');
  if (failed) {
    return none(failed.criterion === 'period' ? `it is not in force at ${req.now} (${failed.detail})` : failed.detail);
  }
  const outcome = evaluateProvision(root, req, 'provision', base, { certain: true, matched: [], labels: [] }, 0);
  if (!outcome) {
    const why =
      base === undefined
        ? 'its base rule has no type (no root provision type, policyRule neither OPTIN nor OPTOUT) and no nested provision decides'
        : `no provision permits with certainty (${describe(rootResults.filter((r) => r.result === 'unknown')) || 'no nested provision matches'})`;
    return none(why);
  }
  const verb = outcome.type === 'permit' ? 'permits' : 'denies';
  const what = describe(outcome.matched) || 'every access';
  const evaluation: ConsentEvaluation = {
    consent: name,
    decision: outcome.type,
    provision: outcome.path,
    reason: `${name} ${outcome.path} ${verb}: ${what}`,
    matched: outcome.matched.filter((r) => r.result === 'yes'),
    namedLabels: outcome.labels,
  };
  if (outcome.type === 'deny') evaluation.certain = outcome.certain;
  return evaluation;
}

/**
 * The consents' decision on one access: deny if any applicable consent denies, permit if one permits and none
 * denies, not-applicable otherwise. The result names the deciding consent and provision, for the audit trail and
 * the "withheld by consent" banner.
 */
export function decideConsent(consents: readonly Consent[], request: ConsentRequest): ConsentDecision {
  const evaluations = consents.map((c, i) => evaluateConsent(c, request, i));
  const deny = evaluations.find((e) => e.decision === 'deny');
  const pick = deny ?? evaluations.find((e) => e.decision === 'permit');
  if (!pick) {
    const reason = consents.length === 0 ? 'the patient has no consent on file' : 'no active privacy consent applies to this access';
    return { decision: 'not-applicable', reason, evaluations };
  }
  const decision: ConsentDecision = { decision: pick.decision, consent: pick.consent, reason: pick.reason, evaluations };
  if (pick.provision) decision.provision = pick.provision;
  return decision;
}
