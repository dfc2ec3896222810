import type { Coding, Resource } from '@medplum/fhirtypes';
import type { Actor } from './actor.ts';
import { recipientKeys } from './consent/compile.ts';
import { categoryOf } from './table.ts';
import {
  ACT_CODE_SYSTEM,
  labelKey,
  labelKind,
  purposeCovers,
  securityLabels,
} from './labels/vocabulary.ts';

/**
 * Data segmentation (issue #5): what the security labels on a row mean for who sees it, beyond the access table.
 * Pure; the store turns `segmentationFor(actor)` into SQL on every read, search, chain, include and history
 * query (packages/store/src/access/segmentation-sql.ts), and applies `versionVisible` to old versions.
 *
 * 1. **Psychotherapy notes** (PSYTHPN or HIPAAPsyNotes): only their authors (the note's `author` is the caller's
 *    Practitioner), the practitioners the author delegated to (a `meta.tag` in `NOTE_DELEGATE_TAG_SYSTEM` whose
 *    code is `Practitioner/<id>`) and the recipients of a specific authorization that names the note
 *    (consent/note-release.ts, 164.508(a)(2)) see them; to everyone else — patients, backend services,
 *    break-the-glass — they do not exist (45 CFR 164.501, 164.508(a)(2), 164.524(a)(1)(i)).
 * 2. **42 CFR Part 2 records** (`42CFRPart2`): visible within the program that keeps them (the caller belongs to a
 *    designated program named in the record's `PART2_PROGRAM_TAG_SYSTEM` tag) for TREAT, HPAYMT or HOPERAT
 *    (2.12(c)(3)); outside it only under a consent that permits it and names the recipient, the purpose and the
 *    Part 2 data (2.31), or in a medical emergency (break-the-glass, 2.51). Patients see their own (2.23).
 * 3. **Consents**: a row in the compartment of a patient with an active privacy consent that denies this
 *    recipient/purpose/type/label is hidden, unless the caller broke the glass for that patient. The Patient and
 *    the patient's Consents themselves are never hidden by consent (the chart must be found to be treated, and
 *    the directives must be readable to be followed).
 */

/** Tag on a record that a designated Part 2 program keeps: code `Organization/<id>` (server-managed). */
export const PART2_PROGRAM_TAG_SYSTEM = 'https://confide.health/fhir/CodeSystem/part2-program';
/** Tag on an Organization that the practice has designated a 42 CFR Part 2 program. */
export const ORGANIZATION_DESIGNATION_SYSTEM = 'https://confide.health/fhir/CodeSystem/organization-designation';
export const PART2_PROGRAM_DESIGNATION = 'part2-program';

/** Does this resource (an Organization) carry the practice's Part 2 program designation? */
export function isDesignatedPart2Program(r: { meta?: { tag?: { system?: string; code?: string }[] } } | undefined): boolean {
  return (r?.meta?.tag ?? []).some((t) => t.system === ORGANIZATION_DESIGNATION_SYSTEM && t.code === PART2_PROGRAM_DESIGNATION);
}
/** Tag on a psychotherapy note naming a practitioner its author delegated access to: code `Practitioner/<id>`. */
export const NOTE_DELEGATE_TAG_SYSTEM = 'https://confide.health/fhir/CodeSystem/note-delegate';

/** Labels that make a record a psychotherapy note, as label keys. */
export const PSYCHOTHERAPY_LABEL_KEYS: readonly string[] = [`${ACT_CODE_SYSTEM}|PSYTHPN`, `${ACT_CODE_SYSTEM}|HIPAAPsyNotes`];
export const PART2_LABEL_KEY = `${ACT_CODE_SYSTEM}|42CFRPart2`;
/** Purposes for which a Part 2 program's own staff see its records without consent (42 CFR 2.12(c)(3)). */
const WITHIN_PROGRAM_PURPOSES = ['TREAT', 'HPAYMT', 'HOPERAT'];

/** Resource types whose rows consent never hides (see 3. above). */
export const CONSENT_EXEMPT_TYPES: readonly string[] = ['Patient', 'Consent'];

export interface Segmentation {
  /** `staff`/`system`: every rule; `patient`: the own record, only rule 1. */
  kind: Actor['kind'];
  purposeOfUse: string;
  /** `Practitioner/<id>` of the caller: the author/delegate it is known as on psychotherapy notes (empty: none). */
  noteIdentities: string[];
  /** Recipient keys consents and note authorizations are compared with (`Organization/x`, `Practitioner/y`, `PractitionerRole/z`). */
  recipients: string[];
  /** `Organization/<id>` of the caller's organizations, when the purpose allows within-program access (else empty). */
  programOrganizations: string[];
  /** `Patient/<id>` the caller holds an active break-the-glass grant for (staff only; its accesses are ETREAT). */
  breakGlass: string[];
}

export function defaultPurposeOfUse(actor: Actor): string {
  return actor.kind === 'patient' ? 'PATRQT' : 'TREAT';
}

export function segmentationFor(actor: Actor): Segmentation {
  const purposeOfUse = actor.purposeOfUse ?? defaultPurposeOfUse(actor);
  const practitioner = actor.kind === 'staff' && actor.practitionerId ? [`Practitioner/${actor.practitionerId}`] : [];
  const withinProgram = WITHIN_PROGRAM_PURPOSES.some((p) => purposeCovers(p, purposeOfUse));
  return {
    kind: actor.kind,
    purposeOfUse,
    noteIdentities: practitioner,
    recipients: recipientKeys(actor.organizations, [...practitioner, ...(actor.kind === 'staff' ? (actor.practitionerRoles ?? []).map((r) => `PractitionerRole/${r}`) : [])]),
    programOrganizations: actor.kind === 'staff' && withinProgram ? actor.organizations.map((o) => `Organization/${o}`).sort() : [],
    breakGlass: actor.kind === 'staff' ? [...new Set(actor.breakGlassPatients ?? [])].map((p) => `Patient/${p}`).sort() : [],
  };
}

/** Whether segmentation applies to rows of this type (patient data, the access table's patient-data categories). */
export function segmentedType(type: string): boolean {
  return categoryOf(type)?.patientData === true;
}

/** Whether a resource is a psychotherapy note by its labels. */
export function isPsychotherapyNote(resource: Resource): boolean {
  return securityLabels(resource).some((l) => PSYCHOTHERAPY_LABEL_KEYS.includes(labelKey(l)));
}

/** The `Practitioner/<id>` authors and delegates of a note, as `segmentationFor(...).noteIdentities` is compared with. */
export function noteIdentitiesOf(resource: Resource): string[] {
  const authors = ((resource as { author?: { reference?: string }[] }).author ?? []).map((a) => a.reference ?? '');
  const delegates = (resource.meta?.tag ?? []).filter((t) => t.system === NOTE_DELEGATE_TAG_SYSTEM).map((t) => t.code ?? '');
  return [...authors, ...delegates].filter((r) => r.startsWith('Practitioner/'));
}

function sensitive(labels: readonly Coding[]): string[] {
  return labels.filter((l) => ['sensitivity', 'policy', 'confidentiality'].includes(labelKind(l))).map(labelKey);
}

/**
 * Whether an old version (vread, history) may be shown, given that the current version is visible to the caller
 * (checked in SQL): the current version itself always; an older psychotherapy note version only to its authors and
 * delegates of that version (an authorization releases the note as it is, not its earlier drafts), and no version
 * that carries a sensitivity, policy or confidentiality label the current version does not (it could be hidden by
 * a rule the current version escapes). Versions of non-segmented types pass.
 */
export function versionVisible(actor: Actor, version: Resource, current: Resource | undefined): boolean {
  if (!segmentedType(version.resourceType)) return true;
  // The current version itself: the SQL that found `current` visible decided (a released note's recipient sees it).
  if (current && version.meta?.versionId !== undefined && version.meta.versionId === current.meta?.versionId) return true;
  const seg = segmentationFor(actor);
  if (isPsychotherapyNote(version) && !noteIdentitiesOf(version).some((r) => seg.noteIdentities.includes(r))) return false;
  if (!current) return false;
  const now = new Set(sensitive(securityLabels(current)));
  return sensitive(securityLabels(version)).every((k) => now.has(k));
}
