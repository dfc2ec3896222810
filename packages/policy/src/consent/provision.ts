import type { Coding, ConsentProvision, Period } from '@medplum/fhirtypes';
import {
  ACT_REASON_SYSTEM,
  CONFIDENTIALITY_SYSTEM,
  effectiveConfidentiality,
  isConfidentialityCode,
  labelCovers,
  labelKind,
  PARTICIPATION_TYPE_SYSTEM,
  purposeCovers,
  RESOURCE_TYPES_SYSTEM,
  type ConfidentialityCode,
} from '../labels/vocabulary.ts';
import { allOfTri, anyOfTri, periodContains, periodInside, type Tri } from './period.ts';

/**
 * One access, as consent evaluation sees it. Everything is passed in: the pure policy looks nothing up. Optional
 * facts the caller does not pass are *unknown*, and unknowns always resolve against disclosure: a deny provision
 * that might apply applies, a permit provision that might apply does not.
 */
export interface ConsentRequest {
  /** Organizations the recipient acts for (bare ids or `Organization/<id>`). */
  recipientOrganizations: readonly string[];
  /** The recipient's other identities, as `Type/id`: `Practitioner/x`, `PractitionerRole/y`, `RelatedPerson/z`, `Device/d`, and the `CareTeam/…` and `Group/…` the caller knows the recipient to be a member of. */
  recipientActors: readonly string[];
  /** v3-ActReason purpose of use: TREAT, ETREAT, HPAYMT, HOPERAT, PATRQT… */
  purposeOfUse: string;
  /** The type of the resource being accessed. */
  resourceType: string;
  /** Its security labels (`meta.security`). */
  labels: readonly Coding[];
  /** The instant of the access (no clock in the policy). */
  now: string;
  /** `Type/id` of the resource, for provisions that name data. */
  resourceRef?: string;
  /** The patient the resource is about (bare id or `Patient/<id>`): consents of other patients are ignored. */
  patient?: string;
  /** Consent action (http://terminology.hl7.org/CodeSystem/consentaction: collect, access, use, disclose, correct). Default: a read (access, use or disclose). */
  action?: string;
  /** Codes found in the resource (its `code`, `type`…), for provisions with `code`. */
  codes?: readonly Coding[];
  /** Canonical URLs of profiles the resource claims (`meta.profile`), for `class` codes that are profiles. */
  profiles?: readonly string[];
  /** The clinically relevant period of the data (effective, onset, period…; a single date as start = end), for `dataPeriod`. */
  dataPeriod?: Period;
  /** `Type/id` of the resources this resource refers to (for `data.meaning = dependents`). */
  references?: readonly string[];
  /** `Type/id` of the resources that refer to this resource (for `data.meaning = related`). */
  referencedBy?: readonly string[];
  /** `Type/id` of the authors of this resource (for `data.meaning = authoredby`). */
  authors?: readonly string[];
  /** Organizations the data comes from (its custodian), for actors with a source role (CST, AUT). */
  sourceOrganizations?: readonly string[];
  /** Practitioners etc. the data comes from, for actors with a source role. */
  sourceActors?: readonly string[];
}

/** The criteria a provision can have. */
export type Criterion = 'period' | 'actor' | 'source' | 'action' | 'securityLabel' | 'purpose' | 'class' | 'code' | 'dataPeriod' | 'data';

export interface CriterionResult {
  criterion: Criterion;
  result: Tri;
  /** What was compared, for reasons. */
  detail: string;
}

/**
 * Actor roles that say where the data comes from rather than who receives it (v3-ParticipationType CST custodian,
 * AUT author). Actors with any other role (PRCP primary information recipient, IRCP information recipient, …)
 * are recipients.
 */
export const SOURCE_ROLES: readonly string[] = ['CST', 'AUT'];

/** Read-type consent actions: a request without an action is one of these. */
const READ_ACTIONS: readonly string[] = ['access', 'use', 'disclose'];
const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';

/** `Type/id` for a relative or absolute reference (`Organization/1`, `https://x/fhir/Organization/1/_history/2`). */
export function referenceKey(ref: string): string {
  const parts = ref.trim().split('/').filter((p) => p !== '');
  const h = parts.indexOf('_history');
  const upto = h >= 0 ? parts.slice(0, h) : parts;
  return upto.length >= 2 ? `${upto[upto.length - 2]}/${upto[upto.length - 1]}` : ref.trim();
}

/** `Type/id` for a bare id of a given type or a reference. */
export function keyOf(type: string, idOrRef: string): string {
  return idOrRef.includes('/') ? referenceKey(idOrRef) : `${type}/${idOrRef.trim()}`;
}

/** Evaluates the criteria present on one provision (its nested provisions are not looked at). */
export function matchProvision(p: ConsentProvision, req: ConsentRequest): CriterionResult[] {
  const out: CriterionResult[] = [];
  if (p.period) out.push({ criterion: 'period', result: periodContains(p.period, req.now), detail: `period ${p.period.start ?? '…'}–${p.period.end ?? '…'}` });
  const actors = p.actor ?? [];
  const recipients = actors.filter((a) => !isSourceRole(a.role?.coding));
  const sources = actors.filter((a) => isSourceRole(a.role?.coding));
  if (recipients.length) out.push(matchRecipients(recipients.map((a) => a.reference?.reference ?? ''), req));
  if (sources.length) out.push(matchSources(sources.map((a) => a.reference?.reference ?? ''), req));
  if (p.action?.length) out.push(matchAction(p.action.flatMap((a) => a.coding ?? []), req));
  if (p.securityLabel?.length) out.push(matchSecurityLabels(p.securityLabel, req.labels));
  if (p.purpose?.length) out.push(matchPurpose(p.purpose, req.purposeOfUse));
  if (p.class?.length) out.push(matchClass(p.class, req));
  if (p.code?.length) out.push(matchCode(p.code.flatMap((c) => c.coding ?? []), req.codes));
  if (p.dataPeriod) out.push({ criterion: 'dataPeriod', result: periodInside(p.dataPeriod, req.dataPeriod), detail: `data period ${p.dataPeriod.start ?? '…'}–${p.dataPeriod.end ?? '…'}` });
  if (p.data?.length) out.push(matchData(p.data, req));
  return out;
}

function isSourceRole(codings: Coding[] | undefined): boolean {
  return (codings ?? []).some((c) => (c.system === PARTICIPATION_TYPE_SYSTEM || c.system === undefined) && SOURCE_ROLES.includes(c.code ?? ''));
}

function recipientKeys(req: ConsentRequest): Set<string> {
  return new Set([...req.recipientOrganizations.map((o) => keyOf('Organization', o)), ...req.recipientActors.map(referenceKey)]);
}

function matchRecipients(refs: string[], req: ConsentRequest): CriterionResult {
  const mine = recipientKeys(req);
  const named = refs.map(referenceKey);
  const hit = named.find((r) => mine.has(r));
  return { criterion: 'actor', result: hit ? 'yes' : 'no', detail: hit ? `recipient ${hit}` : `recipients ${named.join(', ')}` };
}

function matchSources(refs: string[], req: ConsentRequest): CriterionResult {
  const named = refs.map(referenceKey);
  if (req.sourceOrganizations === undefined && req.sourceActors === undefined) {
    return { criterion: 'source', result: 'unknown', detail: `source ${named.join(', ')} (the data's source is not known)` };
  }
  const mine = new Set([...(req.sourceOrganizations ?? []).map((o) => keyOf('Organization', o)), ...(req.sourceActors ?? []).map(referenceKey)]);
  const hit = named.find((r) => mine.has(r));
  return { criterion: 'source', result: hit ? 'yes' : 'no', detail: hit ? `source ${hit}` : `sources ${named.join(', ')}` };
}

function matchAction(codings: Coding[], req: ConsentRequest): CriterionResult {
  const codes = codings.filter((c) => c.system === CONSENT_ACTION_SYSTEM || c.system === undefined).map((c) => c.code ?? '');
  if (codes.length === 0) return { criterion: 'action', result: 'unknown', detail: 'actions in an unknown code system' };
  const wanted = req.action ? [req.action] : READ_ACTIONS;
  const hit = codes.find((c) => wanted.includes(c));
  return { criterion: 'action', result: hit ? 'yes' : 'no', detail: `action ${codes.join(', ')}` };
}

/**
 * Security labels (R4 Consent.provision.securityLabel): confidentiality codes are a high-water mark (the data's
 * confidentiality, N when it has none, must not exceed the highest listed); the other codes (sensitivity and
 * policy) use subsumption and must cover *every* sensitivity/policy label of the data for a `yes` — a provision
 * about SUD data is not about a record that is also HIV-sensitive. Covering some but not all is `unknown` (a deny
 * applies, a permit does not); covering none, or data with no such label, is `no`.
 */
export function matchSecurityLabels(provisionLabels: readonly Coding[], dataLabels: readonly Coding[]): CriterionResult {
  const confidentiality = provisionLabels.filter((l) => l.system === CONFIDENTIALITY_SYSTEM && isConfidentialityCode(l.code));
  const others = provisionLabels.filter((l) => !(l.system === CONFIDENTIALITY_SYSTEM && isConfidentialityCode(l.code)));
  const parts: Tri[] = [];
  const details: string[] = [];
  if (confidentiality.length) {
    const ceiling = confidentiality.map((l) => l.code as ConfidentialityCode);
    const level = effectiveConfidentiality(dataLabels);
    const ok = confidentiality.some((c) => labelCovers(c, { system: CONFIDENTIALITY_SYSTEM, code: level }));
    parts.push(ok ? 'yes' : 'no');
    details.push(`confidentiality ${level} within ${ceiling.join(', ')}`);
  }
  if (others.length) {
    const sensitive = dataLabels.filter((l) => {
      const kind = labelKind(l);
      return kind === 'sensitivity' || kind === 'policy';
    });
    const covered = sensitive.filter((d) => others.some((p) => labelCovers(p, d)));
    const result: Tri = covered.length === 0 ? 'no' : covered.length === sensitive.length ? 'yes' : 'unknown';
    parts.push(result);
    details.push(`labels ${others.map((l) => l.code).join(', ')} cover ${covered.length} of ${sensitive.length} of the data's`);
  }
  return { criterion: 'securityLabel', result: allOfTri(parts), detail: details.join('; ') };
}

function matchPurpose(codings: readonly Coding[], purpose: string): CriterionResult {
  const known = codings.filter((c) => c.system === ACT_REASON_SYSTEM || c.system === undefined);
  const codes = known.map((c) => c.code ?? '');
  if (known.length === 0) return { criterion: 'purpose', result: 'unknown', detail: 'purposes in an unknown code system' };
  const hit = codes.find((c) => purposeCovers(c, purpose));
  return { criterion: 'purpose', result: hit ? 'yes' : 'no', detail: hit ? `purpose ${purpose} within ${hit}` : `purpose ${purpose} not within ${codes.join(', ')}` };
}

function matchClass(codings: readonly Coding[], req: ConsentRequest): CriterionResult {
  const results = codings.map((c): Tri => {
    if (c.system === RESOURCE_TYPES_SYSTEM || (c.system === undefined && c.code && !c.code.includes(':'))) return c.code === req.resourceType ? 'yes' : 'no';
    if (c.code && /^https?:\/\//.test(c.code)) {
      if (!req.profiles) return 'unknown';
      return req.profiles.some((p) => p.split('|')[0] === c.code) ? 'yes' : 'no';
    }
    return 'unknown';
  });
  return { criterion: 'class', result: anyOfTri(results), detail: `class ${codings.map((c) => c.code).join(', ')}` };
}

function matchCode(codings: readonly Coding[], codes: readonly Coding[] | undefined): CriterionResult {
  const named = codings.map((c) => `${c.system ?? ''}|${c.code ?? ''}`);
  if (!codes) return { criterion: 'code', result: 'unknown', detail: `code ${named.join(', ')} (the data's codes are not known)` };
  const mine = new Set(codes.map((c) => `${c.system ?? ''}|${c.code ?? ''}`));
  return { criterion: 'code', result: named.some((n) => mine.has(n)) ? 'yes' : 'no', detail: `code ${named.join(', ')}` };
}

function matchData(data: NonNullable<ConsentProvision['data']>, req: ConsentRequest): CriterionResult {
  const self = req.resourceRef ? referenceKey(req.resourceRef) : undefined;
  const within = (list: readonly string[] | undefined, ref: string): Tri => (list === undefined ? 'unknown' : list.map(referenceKey).includes(ref) ? 'yes' : 'no');
  const results = data.map((d): Tri => {
    const ref = referenceKey(d.reference?.reference ?? '');
    const isSelf: Tri = self === undefined ? 'unknown' : self === ref ? 'yes' : 'no';
    switch (d.meaning) {
      case 'instance':
        return isSelf;
      case 'related':
        // The named resource and the resources it refers to: this one, if the named one refers to it.
        return anyOfTri([isSelf, within(req.referencedBy, ref)]);
      case 'dependents':
        // The named resource and the resources that refer to it: this one, if it refers to the named one.
        return anyOfTri([isSelf, within(req.references, ref)]);
      case 'authoredby':
        return within(req.authors, ref);
      default:
        return 'unknown';
    }
  });
  return { criterion: 'data', result: anyOfTri(results), detail: `data ${data.map((d) => `${d.meaning} ${d.reference?.reference ?? '?'}`).join(', ')}` };
}
