import {
  CONSENT_EXEMPT_TYPES,
  NOTE_DELEGATE_TAG_SYSTEM,
  NOTE_RESOURCE_TYPES,
  PART2_LABEL_KEY,
  PART2_PROGRAM_TAG_SYSTEM,
  PSYCHOTHERAPY_LABEL_KEYS,
  segmentedType,
  type Segmentation,
} from '@confide/policy';
import type { SqlParams } from '../search/sql-params.ts';

/** How labels and tags stand in `search_tokens` (search/columns.ts: `<column>=<system>|<code>`). */
export const securityToken = (key: string): string => `_security=${key}`;
export const tagToken = (system: string, code: string): string => `_tag=${system}|${code}`;

const PSYCHOTHERAPY_TOKENS = PSYCHOTHERAPY_LABEL_KEYS.map(securityToken);
const PART2_TOKEN = securityToken(PART2_LABEL_KEY);
/** True while no compiled Consent rule denies anything (then no row can be withheld by a patient's consent). */
export const NO_DENY_RULES = `NOT EXISTS (SELECT 1 FROM consent_rule WHERE effect = 'deny')`;
/** The Part 2 label as it stands in `search_tokens`. */
export const PART2_SECURITY_TOKEN = PART2_TOKEN;

/**
 * The SQL condition that applies data segmentation (@confide/policy segmentation.ts) to the row aliased `t` of
 * `type`: psychotherapy notes only for their authors, delegates and the recipients of an authorization naming them
 * (`confide_note_released`, migration 0013); Part 2 records within their program, under a
 * sufficient consent or after break-the-glass; nothing a patient's consent denies to this caller. Undefined for
 * types that are not patient data.
 *
 * It reads the row's small `labels` column (null for almost every row: access/row-labels.ts), never the large
 * `search_tokens`. The Consent rules (`consent_rule`, kept with each Consent write: consent/consent-rules.ts) are
 * applied by two functions of migration 0009, `confide_part2_permitted` and `confide_consent_denies`, exactly as
 * `decideConsent` orders them; the condition calls them only for a row a rule can concern, so a read of an
 * unlabelled row while no Consent anywhere denies anything costs a few array tests and one probe of
 * `consent_rule`, made once per statement.
 */
export function segmentationSql(seg: Segmentation, type: string, t: string, params: SqlParams): string | undefined {
  const parts = segmentationParts(seg, type, t, params);
  if (!parts) return undefined;
  return parts.consent ? `(${parts.notes} AND ${parts.consent})` : parts.notes;
}

/**
 * The two halves of `segmentationSql`: `notes` (psychotherapy notes: authorship, never to be revealed) and `consent`
 * (Part 2, consents, break-the-glass: what the "withheld by consent" signal may report). `consent` is absent for
 * patients reading their own record.
 */
export function segmentationParts(seg: Segmentation, type: string, t: string, params: SqlParams): { notes: string; consent?: string } | undefined {
  if (!segmentedType(type)) return undefined;
  const labels = `${t}.labels`;
  const psy = params.textArray(PSYCHOTHERAPY_TOKENS);
  const noteKeys = seg.noteIdentities.flatMap((p) => [`author=${p}`, tagToken(NOTE_DELEGATE_TAG_SYSTEM, p)]);
  // A specific authorization (45 CFR 164.508(a)(2), @confide/policy consent/note-release.ts) opens a note to its
  // recipients: asked last, so only a psychotherapy note the caller neither wrote nor was delegated calls it. Never
  // for a patient user (HIPAA gives no right of access to these notes, 164.524(a)(1)(i)).
  const released =
    seg.kind !== 'patient' && seg.recipients.length && NOTE_RESOURCE_TYPES.includes(type)
      ? ` OR confide_note_released(${params.add(`${type}/`)}::text || ${t}.id, ${t}.compartments, ${params.textArray(seg.recipients)}, ${params.add(seg.purposeOfUse)}::text)`
      : '';
  const notes = `(${labels} IS NULL OR NOT (${labels} && ${psy})${noteKeys.length ? ` OR ${labels} && ${params.textArray(noteKeys)}` : ''}${released})`;
  // A patient sees their own Part 2 records (42 CFR 2.23) and is not subject to their own consents.
  if (seg.kind === 'patient') return { notes };

  const args = `${t}.compartments, ${labels}, ${params.textArray(seg.recipients)}, ${params.add(seg.purposeOfUse)}::text, ${params.add(type)}::text`;
  const programTags = seg.programOrganizations.map((o) => tagToken(PART2_PROGRAM_TAG_SYSTEM, o));
  const part2 =
    `(${labels} IS NULL OR NOT (${labels} @> ${params.textArray([PART2_TOKEN])})` +
    (programTags.length ? ` OR ${labels} && ${params.textArray(programTags)}` : '') +
    ` OR confide_part2_permitted(${args}))`;
  // The uncorrelated NOT EXISTS first: PostgreSQL evaluates it once per statement (an InitPlan), so while no
  // Consent anywhere denies anything, no row pays for the call behind it.
  const consentDeny = CONSENT_EXEMPT_TYPES.includes(type) ? undefined : `(${NO_DENY_RULES} OR NOT confide_consent_denies(${args}))`;
  const restricted = consentDeny ? `(${part2} AND ${consentDeny})` : part2;
  const consent = seg.breakGlass.length ? `(${t}.compartments && ${params.textArray(seg.breakGlass)} OR ${restricted})` : restricted;
  return { notes, consent };
}
