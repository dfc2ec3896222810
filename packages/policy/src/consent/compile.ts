import type { Coding, Consent, ConsentProvision } from '@medplum/fhirtypes';
import {
  ACT_CODE_SYSTEM,
  ACT_REASON_SYSTEM,
  CONFIDENTIALITY_CODES,
  CONFIDENTIALITY_SYSTEM,
  compareConfidentiality,
  DEFAULT_CONFIDENTIALITY,
  isConfidentialityCode,
  labelCovers,
  labelKey,
  PARTICIPATION_TYPE_SYSTEM,
  purposeCodes,
  purposeCovers,
  RESOURCE_TYPES_SYSTEM,
  sensitiveActCodes,
  type ConfidentialityCode,
} from '../labels/vocabulary.ts';
import { baseType, isPrivacyConsent } from './evaluate.ts';
import { periodRange } from './period.ts';
import { keyOf, referenceKey, SOURCE_ROLES } from './provision.ts';

/**
 * A patient's privacy consents, flattened into rules a database can apply to every row of a query (the store keeps
 * them in a table maintained in the same transaction as the Consent write, and its access SQL consults it). Pure.
 *
 * Each provision of an active `patient-privacy` Consent that has a type (its own, or its parent's: a nested
 * provision without a type acts as its parent, as `decideConsent`) becomes one rule whose criteria are the AND of
 * the criteria on its path from the root. Applying them gives `decideConsent`'s answer for the criteria a query
 * can know about every row — recipient (`actor`), `purpose`, `period`, `class` (resource type), `securityLabel` —
 * with the same rules: the deepest matching provision of a consent decides, at equal depth deny wins, and one
 * denying consent overrides any number of permitting ones.
 *
 * Criteria a row-level rule cannot evaluate (`code`, `dataPeriod`, `data`, profile classes, source actors CST/AUT,
 * actions in unknown systems) resolve against disclosure, as `decideConsent` does with unknown facts: a *deny*
 * provision with one of them is kept without it (it applies more widely), a *permit* provision with one of them
 * is dropped (it never permits). A provision whose actions are all non-read actions (collect, correct) never
 * applies to a read and is dropped.
 */
export interface ConsentRule {
  /** `Consent/<id>`. */
  consent: string;
  /** `Patient/<id>`: the consent's patient. */
  patient: string;
  /** `provision`, `provision.provision[1]`…, for reasons. */
  path: string;
  /** 0 for the root provision. */
  depth: number;
  effect: 'permit' | 'deny';
  /** Recipients the path names (`Organization/x`, `Practitioner/y`…): one must be the caller's. Null: anyone. */
  actors: string[] | null;
  /** Every purpose-of-use code the path's purposes cover (their v3-ActReason descendants included). Null: any. */
  purposes: string[] | null;
  /** Resource types the path names. Null: any. */
  classes: string[] | null;
  /**
   * The path's sensitivity/policy labels as label keys (`system|code`) of every known label they cover, and of
   * those they do not: a permit needs the row to carry a covered one and no uncovered one (it must cover *every*
   * sensitivity/policy label of the data); a deny needs only a covered one. Null: no label criterion.
   */
  labels: { covered: string[]; uncovered: string[] } | null;
  /**
   * Confidentiality ceiling: label keys of the confidentiality codes above it (the row must carry none of them) and
   * of those within it, and whether an unlabelled row (N) is within it. Null: no confidentiality criterion.
   */
  confidentiality: { above: string[]; within: string[]; normalWithin: boolean } | null;
  /** Half-open [start, end) in epoch ms (the intersection of the periods on the path); null: unbounded. */
  start: number | null;
  end: number | null;
  /**
   * For a permit: whether its path names the recipient, the purpose and the Part 2 information (a label covering
   * 42CFRPart2 or SUD, or a class) — what 42 CFR 2.31 requires of a consent to disclose Part 2 records
   * (`part2ConsentGaps`; a general authorization is "NOT sufficient", 2.32).
   */
  part2: boolean;
}

interface PathState {
  actors: string[] | null;
  purposes: string[] | null;
  classes: string[] | null;
  sensitivity: Coding[];
  confidentiality: ConfidentialityCode | null;
  start: number;
  end: number;
  /** A criterion a row-level rule cannot evaluate was on the path. */
  unknown: boolean;
  /** A criterion on the path can never match a read (empty intersection, non-read actions). */
  never: boolean;
}

const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';
const READ_ACTIONS = ['access', 'use', 'disclose'];
const PART2 = { system: ACT_CODE_SYSTEM, code: '42CFRPart2' };
const SUD = { system: ACT_CODE_SYSTEM, code: 'SUD' };

/** The rules of one Consent; empty unless it is an active `patient-privacy` consent about a patient. */
export function compileConsent(consent: Consent): ConsentRule[] {
  if (consent.status !== 'active' || !consent.id) return [];
  if (!isPrivacyConsent(consent)) return [];
  const patientRef = consent.patient?.reference ? referenceKey(consent.patient.reference) : undefined;
  if (!patientRef?.startsWith('Patient/')) return [];
  const out: ConsentRule[] = [];
  const start: PathState = { actors: null, purposes: null, classes: null, sensitivity: [], confidentiality: null, start: -Infinity, end: Infinity, unknown: false, never: false };
  walk(consent.provision ?? {}, 'provision', 0, baseType(consent), start, (rule) => out.push({ consent: `Consent/${consent.id}`, patient: patientRef, ...rule }));
  return out;
}

function walk(
  p: ConsentProvision,
  path: string,
  depth: number,
  inherited: 'permit' | 'deny' | undefined,
  parent: PathState,
  emit: (r: Omit<ConsentRule, 'consent' | 'patient'>) => void,
): void {
  const state = narrow(parent, p);
  if (state.never) return;
  const type = depth === 0 ? inherited : (p.type ?? inherited);
  if (type === 'deny' || (type === 'permit' && !state.unknown)) emit(toRule(state, path, depth, type));
  (p.provision ?? []).forEach((child, i) => walk(child, `${path}.provision[${i}]`, depth + 1, type, state, emit));
}

/** The path state after one more provision's criteria. */
function narrow(parent: PathState, p: ConsentProvision): PathState {
  const s: PathState = { ...parent, sensitivity: [...parent.sensitivity] };
  if (p.period) {
    const r = periodRange(p.period);
    if (!r) s.unknown = true;
    else {
      s.start = Math.max(s.start, r.start);
      s.end = Math.min(s.end, r.end);
      if (s.start >= s.end) s.never = true;
    }
  }
  const actors = p.actor ?? [];
  const recipients = actors.filter((a) => !(a.role?.coding ?? []).some((c) => (c.system === PARTICIPATION_TYPE_SYSTEM || c.system === undefined) && SOURCE_ROLES.includes(c.code ?? '')));
  if (actors.length > recipients.length) s.unknown = true; // the data's source (CST/AUT) is not a row column
  if (recipients.length) s.actors = intersect(s.actors, recipients.map((a) => referenceKey(a.reference?.reference ?? '')));
  if (p.action?.length) {
    const codes = p.action.flatMap((a) => a.coding ?? []).filter((c) => c.system === CONSENT_ACTION_SYSTEM || c.system === undefined);
    if (codes.length === 0) s.unknown = true;
    else if (!codes.some((c) => READ_ACTIONS.includes(c.code ?? ''))) s.never = true;
  }
  if (p.purpose?.length) {
    const known = p.purpose.filter((c) => c.system === ACT_REASON_SYSTEM || c.system === undefined).map((c) => c.code ?? '');
    if (known.length === 0) s.unknown = true;
    else s.purposes = intersect(s.purposes, purposeCodes().filter((code) => known.some((k) => purposeCovers(k, code))));
  }
  if (p.class?.length) {
    const types = p.class.filter((c) => c.system === RESOURCE_TYPES_SYSTEM || (c.system === undefined && c.code && !c.code.includes(':'))).map((c) => c.code as string);
    if (types.length < p.class.length) s.unknown = true; // profiles: the row's profiles are not consulted
    if (types.length) s.classes = intersect(s.classes, types);
    else s.unknown = true;
  }
  for (const l of p.securityLabel ?? []) {
    if (l.system === CONFIDENTIALITY_SYSTEM && isConfidentialityCode(l.code)) {
      const c = l.code as ConfidentialityCode;
      s.confidentiality = s.confidentiality === null || compareConfidentiality(c, s.confidentiality) < 0 ? c : s.confidentiality;
    } else s.sensitivity.push(l);
  }
  if (p.code?.length || p.dataPeriod || p.data?.length) s.unknown = true;
  if ((s.actors && s.actors.length === 0) || (s.purposes && s.purposes.length === 0) || (s.classes && s.classes.length === 0)) s.never = true;
  return s;
}

function intersect(a: string[] | null, b: string[]): string[] {
  const uniq = [...new Set(b)].sort();
  return a === null ? uniq : uniq.filter((x) => a.includes(x));
}

function toRule(s: PathState, path: string, depth: number, effect: 'permit' | 'deny'): Omit<ConsentRule, 'consent' | 'patient'> {
  let labels: ConsentRule['labels'] = null;
  if (s.sensitivity.length) {
    const known = sensitiveActCodes().map((code) => ({ system: ACT_CODE_SYSTEM, code }));
    const covered = known.filter((d) => s.sensitivity.some((p) => labelCovers(p, d)));
    const uncovered = known.filter((d) => !covered.includes(d));
    labels = { covered: covered.map(labelKey), uncovered: uncovered.map(labelKey) };
  }
  let confidentiality: ConsentRule['confidentiality'] = null;
  if (s.confidentiality !== null) {
    const ceiling = s.confidentiality;
    confidentiality = {
      above: CONFIDENTIALITY_CODES.filter((c) => compareConfidentiality(c, ceiling) > 0).map((code) => labelKey({ system: CONFIDENTIALITY_SYSTEM, code })),
      within: CONFIDENTIALITY_CODES.filter((c) => compareConfidentiality(c, ceiling) <= 0).map((code) => labelKey({ system: CONFIDENTIALITY_SYSTEM, code })),
      normalWithin: compareConfidentiality(DEFAULT_CONFIDENTIALITY, ceiling) <= 0,
    };
  }
  const namesPart2Data = s.sensitivity.some((l) => labelCovers(l, PART2) || labelCovers(l, SUD)) || s.classes !== null;
  return {
    path,
    depth,
    effect,
    actors: s.actors,
    purposes: s.purposes,
    classes: s.classes,
    labels,
    confidentiality,
    start: Number.isFinite(s.start) ? s.start : null,
    end: Number.isFinite(s.end) ? s.end : null,
    part2: effect === 'permit' && s.actors !== null && s.purposes !== null && namesPart2Data,
  };
}

/** The recipient keys a caller is known by (what a rule's `actors` are compared with). */
export function recipientKeys(organizations: readonly string[], actors: readonly string[]): string[] {
  return [...new Set([...organizations.map((o) => keyOf('Organization', o)), ...actors.map(referenceKey)])].sort();
}
