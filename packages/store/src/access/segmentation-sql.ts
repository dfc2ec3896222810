import {
  CONSENT_EXEMPT_TYPES,
  NOTE_DELEGATE_TAG_SYSTEM,
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
 * `type`: psychotherapy notes only for their authors and delegates; Part 2 records within their program, under a
 * sufficient consent or after break-the-glass; nothing a patient's consent denies to this caller. Undefined for
 * types that are not patient data.
 *
 * Rows without sensitive labels in the compartment of a patient without consent rules cost two array overlaps on
 * the row and one probe of `consent_rule`'s patient index. The consent rules (`consent_rule`, maintained with each
 * Consent write, see consent/consent-rules.ts) are applied exactly as `decideConsent` orders them: a consent denies
 * when a deny rule matches and no deeper permit of the same consent does; it permits (for Part 2) when a permit rule
 * naming recipient, purpose and data matches and no deny of the same consent at the same depth or deeper does.
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
  // A row without any token has NULL search_tokens: compare with an empty array so that NOT (…) stays true.
  const tok = `coalesce(${t}.search_tokens, '{}'::text[])`;
  const psy = params.textArray(PSYCHOTHERAPY_TOKENS);
  const noteKeys = seg.noteIdentities.flatMap((p) => [`author=${p}`, tagToken(NOTE_DELEGATE_TAG_SYSTEM, p)]);
  const notes = noteKeys.length
    ? `(NOT (${tok} && ${psy}) OR ${tok} && ${params.textArray(noteKeys)})`
    : `NOT (${tok} && ${psy})`;
  // A patient sees their own Part 2 records (42 CFR 2.23) and is not subject to their own consents.
  if (seg.kind === 'patient') return { notes };

  const ctx: RuleContext = {
    recipients: params.textArray(seg.recipients),
    purpose: params.add(seg.purposeOfUse) + '::text',
    type: params.add(type) + '::text',
  };
  const programTags = seg.programOrganizations.map((o) => tagToken(PART2_PROGRAM_TAG_SYSTEM, o));
  const part2Permit =
    `EXISTS (SELECT 1 FROM consent_rule p WHERE p.patient = ANY(${t}.compartments) AND p.effect = 'permit' AND p.part2 AND ${ruleMatch('p', tok, ctx, 'permit')}` +
    ` AND NOT EXISTS (SELECT 1 FROM consent_rule d WHERE d.consent = p.consent AND d.effect = 'deny' AND d.depth >= p.depth AND ${ruleMatch('d', tok, ctx, 'deny')}))`;
  const part2 =
    `(NOT (${tok} @> ${params.textArray([PART2_TOKEN])})` +
    (programTags.length ? ` OR ${tok} && ${params.textArray(programTags)}` : '') +
    ` OR ${part2Permit})`;
  // The uncorrelated NOT EXISTS first: PostgreSQL evaluates it once per statement (an InitPlan), so while no
  // Consent anywhere denies anything, no row pays for the per-row probe of consent_rule behind it.
  const consentDeny = CONSENT_EXEMPT_TYPES.includes(type)
    ? undefined
    : `(${NO_DENY_RULES} OR NOT EXISTS (SELECT 1 FROM consent_rule d WHERE d.patient = ANY(${t}.compartments) AND d.effect = 'deny' AND ${ruleMatch('d', tok, ctx, 'deny')}` +
      ` AND NOT EXISTS (SELECT 1 FROM consent_rule p WHERE p.consent = d.consent AND p.effect = 'permit' AND p.depth > d.depth AND ${ruleMatch('p', tok, ctx, 'permit')})))`;
  const restricted = consentDeny ? `(${part2} AND ${consentDeny})` : part2;
  const consent = seg.breakGlass.length ? `(${t}.compartments && ${params.textArray(seg.breakGlass)} OR ${restricted})` : restricted;
  return { notes, consent };
}

interface RuleContext {
  recipients: string;
  purpose: string;
  type: string;
}

/** Whether rule `r` (a `consent_rule` row) matches the row whose tokens are `tok`; a permit needs every label covered. */
function ruleMatch(r: string, tok: string, ctx: RuleContext, sem: 'permit' | 'deny'): string {
  const labels =
    sem === 'permit'
      ? `(${r}.labels_covered IS NULL OR (${tok} && ${r}.labels_covered AND NOT (${tok} && ${r}.labels_uncovered)))`
      : `(${r}.labels_covered IS NULL OR ${tok} && ${r}.labels_covered)`;
  return [
    `(${r}.actors IS NULL OR ${r}.actors && ${ctx.recipients})`,
    `(${r}.purposes IS NULL OR ${ctx.purpose} = ANY(${r}.purposes))`,
    `(${r}.classes IS NULL OR ${ctx.type} = ANY(${r}.classes))`,
    `(${r}.starts IS NULL OR ${r}.starts <= now())`,
    `(${r}.ends IS NULL OR ${r}.ends > now())`,
    `(${r}.conf_above IS NULL OR (NOT (${tok} && ${r}.conf_above) AND (${r}.conf_normal_within OR ${tok} && ${r}.conf_within)))`,
    labels,
  ].join(' AND ');
}
