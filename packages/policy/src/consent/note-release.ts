import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import type { Actor } from '../actor.ts';
import { ACT_REASON_SYSTEM, CONSENT_SCOPE_SYSTEM, LOINC_SYSTEM, PARTICIPATION_TYPE_SYSTEM, purposeCodes, purposeCovers } from '../labels/vocabulary.ts';
import { isPrivacyConsent } from './evaluate.ts';
import { periodRange } from './period.ts';
import { referenceKey, SOURCE_ROLES } from './provision.ts';

/**
 * Release of psychotherapy notes under a specific HIPAA authorization (45 CFR 164.508(a)(2)): the one way, besides
 * the author's delegation, that a psychotherapy note (PSYTHPN) opens to anyone but its author. Pure; the store keeps
 * `compileNoteRelease` of every Consent in the `note_release` table (migration 0013) in the Consent's write
 * transaction, and its segmentation SQL asks `confide_note_released` exactly what `noteReleased` decides here.
 *
 * An authorization is a FHIR R4 Consent (consent.html) that presents itself as one — `category` LOINC 64292-6
 * "Release of information consent" and a `provision.data` naming a Composition or DocumentReference — and it
 * **counts** only when all of these hold (`noteAuthorizationProblems` lists what is missing):
 *
 * - `status` is `active` (R4 Consent.status; revocation, 164.508(b)(5), is `inactive`, a mistake `entered-in-error`);
 * - `scope` is `patient-privacy` and `patient` is the note's patient (R4 invariant ppc-2);
 * - the root `provision.type` is `permit`, with no nested provisions (one authorization, one meaning);
 * - `provision.actor` names at least one recipient — a Practitioner, Organization or PractitionerRole, with a role
 *   other than the data's source (CST/AUT) — 164.508(c)(1)(iii) "the name or other specific identification of the
 *   person(s) … to whom the covered entity may make the requested use or disclosure";
 * - every `provision.data` entry has `meaning: instance` and references a Composition or DocumentReference by id —
 *   164.508(c)(1)(i) "a description of the information … in a specific and meaningful fashion", and 164.508(b)(3)(ii):
 *   an authorization for psychotherapy notes may only be combined with another one for psychotherapy notes;
 * - `provision.period.end` is set — 164.508(c)(1)(v) "an expiration date or an expiration event"; before
 *   `period.start` (when given) and from `period.end` on it opens nothing;
 * - `provision.purpose`, when given, holds v3-ActReason codes, and the request's purpose of use must fall within one
 *   (164.508(c)(1)(iv)); no other criterion (`securityLabel`, `class`, `code`, `dataPeriod`, non-read `action`s).
 *
 * What it opens: the current version of each named note that is a psychotherapy note of that patient, to a caller
 * known by one of the recipients (`Segmentation.recipients`: their Practitioner, Organizations and PractitionerRoles),
 * for read, search, `_include`, chains, `_has`, `$everything`, history (current version) and bulk export. Never to
 * a patient user, never through break-the-glass, and never older versions (an earlier draft is not what was
 * authorized). A named resource that is not a psychotherapy note of that patient is not affected at all.
 */

/** LOINC 64292-6 "Release of information consent" (R4 consent-category value set). */
export const RELEASE_OF_INFORMATION_CATEGORY = { system: LOINC_SYSTEM, code: '64292-6' } as const;
/** The resource types a psychotherapy note can be (the label rules' note types). */
export const NOTE_RESOURCE_TYPES: readonly string[] = ['Composition', 'DocumentReference'];
/** The types a recipient of a release may be. */
export const RELEASE_RECIPIENT_TYPES: readonly string[] = ['Practitioner', 'Organization', 'PractitionerRole'];

const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';
const READ_ACTIONS = ['access', 'use', 'disclose'];

/** One authorization as the database keeps it (migration 0013 `note_release`, one row per note). */
export interface NoteRelease {
  /** `Consent/<id>`. */
  consent: string;
  /** `Patient/<id>`. */
  patient: string;
  /** `Composition/<id>` / `DocumentReference/<id>` named, sorted. */
  notes: string[];
  /** `Practitioner/…`, `Organization/…`, `PractitionerRole/…`, sorted: one must be the caller's. */
  recipients: string[];
  /** Every v3-ActReason code the named purposes cover; null: any purpose. */
  purposes: string[] | null;
  /** [start, end) in epoch ms; start null: from the start. */
  start: number | null;
  end: number;
}

export interface NoteAuthorizationProblem {
  /** FHIRPath of the element, for the OperationOutcome's `expression`. */
  expression: string;
  message: string;
}

const hasCoding = (c: Consent['category'], system: string, code: string): boolean =>
  (c ?? []).some((cc) => (cc.coding ?? []).some((x) => x.system === system && x.code === code));

const isRecipient = (a: NonNullable<ConsentProvision['actor']>[number]): boolean =>
  !(a.role?.coding ?? []).some((c) => (c.system === PARTICIPATION_TYPE_SYSTEM || c.system === undefined) && SOURCE_ROLES.includes(c.code ?? ''));

const typeOf = (ref: string | undefined): string => (ref ? referenceKey(ref).split('/')[0] : '');

/** Whether a Consent presents itself as a psychotherapy-note authorization (whatever its status or defects). */
export function isNoteAuthorization(consent: Consent): boolean {
  if (!hasCoding(consent.category, RELEASE_OF_INFORMATION_CATEGORY.system, RELEASE_OF_INFORMATION_CATEGORY.code)) return false;
  return namedNotes(consent).length > 0;
}

/** The notes (`Composition/<id>`, `DocumentReference/<id>`) a Consent's provisions name in `data`, at any depth. */
export function namedNotes(consent: Consent): string[] {
  const out = new Set<string>();
  const walk = (p: ConsentProvision | undefined): void => {
    if (!p) return;
    for (const d of p.data ?? []) {
      const ref = d.reference?.reference;
      if (ref && NOTE_RESOURCE_TYPES.includes(typeOf(ref))) out.add(referenceKey(ref));
    }
    (p.provision ?? []).forEach(walk);
  };
  walk(consent.provision);
  return [...out].sort();
}

/**
 * Why an active note authorization would not count (empty: it counts). The write rule refuses an active one with
 * problems (422), so that no one believes a defective authorization is in force; `compileNoteRelease` ignores one.
 */
export function noteAuthorizationProblems(consent: Consent): NoteAuthorizationProblem[] {
  const out: NoteAuthorizationProblem[] = [];
  const add = (expression: string, message: string) => out.push({ expression: `Consent.${expression}`, message });
  if (!isPrivacyConsent(consent)) add('scope', `A psychotherapy-note authorization has scope ${CONSENT_SCOPE_SYSTEM}|patient-privacy`);
  if (!consent.patient?.reference || typeOf(consent.patient.reference) !== 'Patient') add('patient', 'A psychotherapy-note authorization names its Patient');
  const p = consent.provision;
  if (!p) {
    add('provision', 'A psychotherapy-note authorization has a provision');
    return out;
  }
  if (p.type !== 'permit') add('provision.type', 'A psychotherapy-note authorization permits: provision.type is permit');
  if (p.provision?.length) add('provision.provision', 'A psychotherapy-note authorization has no nested provisions (write one Consent per authorization)');
  const recipients = (p.actor ?? []).filter(isRecipient);
  if (recipients.length === 0) add('provision.actor', 'A psychotherapy-note authorization names its recipient (45 CFR 164.508(c)(1)(iii))');
  recipients.forEach((a, i) => {
    if (!RELEASE_RECIPIENT_TYPES.includes(typeOf(a.reference?.reference)) || referenceKey(a.reference?.reference ?? '').split('/').length !== 2) {
      add(`provision.actor[${i}].reference`, `The recipient of a psychotherapy-note authorization is a ${RELEASE_RECIPIENT_TYPES.join(', ')} by reference`);
    }
  });
  (p.data ?? []).forEach((d, i) => {
    if (d.meaning !== 'instance') add(`provision.data[${i}].meaning`, 'A psychotherapy-note authorization names each note itself: data.meaning is instance (45 CFR 164.508(c)(1)(i))');
    if (!NOTE_RESOURCE_TYPES.includes(typeOf(d.reference?.reference))) {
      add(`provision.data[${i}].reference`, 'A psychotherapy-note authorization names psychotherapy notes only (45 CFR 164.508(b)(3)(ii))');
    }
  });
  const range = p.period ? periodRange(p.period) : undefined;
  if (!p.period?.end) add('provision.period.end', 'A psychotherapy-note authorization has an expiration date: provision.period.end (45 CFR 164.508(c)(1)(v))');
  else if (!range || range.start >= range.end) add('provision.period', 'The period of a psychotherapy-note authorization is not a valid period');
  (p.purpose ?? []).forEach((c, i) => {
    if (c.system !== ACT_REASON_SYSTEM) add(`provision.purpose[${i}]`, `A purpose is a ${ACT_REASON_SYSTEM} code`);
  });
  (p.action ?? []).forEach((a, i) => {
    if (!(a.coding ?? []).some((c) => c.system === CONSENT_ACTION_SYSTEM && READ_ACTIONS.includes(c.code ?? ''))) {
      add(`provision.action[${i}]`, `A psychotherapy-note authorization permits ${READ_ACTIONS.join(', ')} (${CONSENT_ACTION_SYSTEM})`);
    }
  });
  for (const criterion of ['securityLabel', 'class', 'code', 'dataPeriod'] as const) {
    if (p[criterion] !== undefined) add(`provision.${criterion}`, `A psychotherapy-note authorization names its notes in provision.data, not by ${criterion}`);
  }
  return out;
}

/** The release an authorization grants: undefined unless it is a note authorization that is active and counts. */
export function compileNoteRelease(consent: Consent): NoteRelease | undefined {
  if (consent.status !== 'active' || !consent.id || !isNoteAuthorization(consent)) return undefined;
  if (noteAuthorizationProblems(consent).length > 0) return undefined;
  const p = consent.provision as ConsentProvision;
  const range = periodRange(p.period ?? {});
  if (!range) return undefined;
  const known = (p.purpose ?? []).map((c) => c.code ?? '');
  return {
    consent: `Consent/${consent.id}`,
    patient: referenceKey(consent.patient?.reference ?? ''),
    notes: namedNotes(consent),
    recipients: [...new Set((p.actor ?? []).filter(isRecipient).map((a) => referenceKey(a.reference?.reference ?? '')))].sort(),
    purposes: known.length ? purposeCodes().filter((code) => known.some((k) => purposeCovers(k, code))) : null,
    start: Number.isFinite(range.start) ? range.start : null,
    end: range.end,
  };
}

/** One access to a psychotherapy note, as `noteReleased` sees it. */
export interface NoteReleaseRequest {
  /** `Composition/<id>` / `DocumentReference/<id>`. */
  note: string;
  /** `Patient/<id>`s whose compartment holds the note. */
  patients: readonly string[];
  /** The caller's recipient keys (`Segmentation.recipients`). */
  recipients: readonly string[];
  purposeOfUse: string;
  /** Epoch ms. */
  now: number;
}

/** Whether one of the releases opens the note to the caller now (the SQL function `confide_note_released`). */
export function noteReleased(releases: readonly NoteRelease[], req: NoteReleaseRequest): boolean {
  return releases.some(
    (r) =>
      r.notes.includes(req.note) &&
      req.patients.includes(r.patient) &&
      r.recipients.some((x) => req.recipients.includes(x)) &&
      (r.purposes === null || r.purposes.includes(req.purposeOfUse)) &&
      (r.start === null || r.start <= req.now) &&
      req.now < r.end,
  );
}

/** A note an authorization names, as the write rule found it (read unrestricted; never shown to the caller). */
export interface NamedNote {
  ref: string;
  /** Undefined when there is no such current note. */
  psychotherapy?: boolean;
  /** `Practitioner/<id>` in its `author`. */
  authors?: readonly string[];
  /** `Patient/<id>` of its subject. */
  patient?: string;
}

export type NoteAuthorizationWrite = { ok: true } | { ok: false; status: 403 | 422; message: string };

/**
 * Who may create, change, revoke or delete a psychotherapy-note authorization: the server's own work (import, seed:
 * no actor); a staff user with the `privacy-officer` role (the official of 164.530(a) who processes authorizations;
 * the notes are not looked at for them, so the answer reveals nothing about notes they cannot see); otherwise only
 * the author of every note it names (before and after the write), each a psychotherapy note of the Consent's patient.
 * A delegate may read a note but not release it. The refusal is the same whether a named note exists or not.
 */
export function noteAuthorizationWrite(actor: Actor | undefined, patient: string | undefined, notes: readonly NamedNote[]): NoteAuthorizationWrite {
  if (!actor) return { ok: true };
  if (actor.kind === 'staff' && actor.roles.includes('privacy-officer')) return { ok: true };
  const me = actor.kind === 'staff' && actor.practitionerId ? `Practitioner/${actor.practitionerId}` : undefined;
  const refused = notes.filter((n) => !me || !n.psychotherapy || !(n.authors ?? []).includes(me));
  if (refused.length > 0) {
    return {
      ok: false,
      status: 403,
      message: `Only the author of a psychotherapy note or a privacy officer may authorize its release (${refused.map((n) => n.ref).join(', ')})`,
    };
  }
  const elsewhere = notes.filter((n) => n.patient !== patient);
  if (elsewhere.length > 0) return { ok: false, status: 422, message: `${elsewhere.map((n) => n.ref).join(', ')} is not a note of ${patient ?? 'the Consent’s patient'}` };
  return { ok: true };
}
