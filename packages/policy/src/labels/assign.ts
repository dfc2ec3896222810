import type { Coding, Resource } from '@medplum/fhirtypes';
import { categoryOf } from '../table.ts';
import { codingsAt, normalizeCode, pathAppliesTo, type FoundCoding } from './codes.ts';
import { DEFAULT_LABEL_RULES, type CodeLabelRule, type LabelRule, type LabelRules } from './rules.ts';
import {
  confidentialityLabel,
  confidentialityOf,
  CONFIDENTIALITY_SYSTEM,
  describeLabel,
  label,
  labelKey,
  maxConfidentiality,
  normalizeLabels,
  securityLabels,
  type ConfidentialityCode,
} from './vocabulary.ts';

export interface LabelContext {
  /** The rule set; `DEFAULT_LABEL_RULES` when absent. */
  rules?: LabelRules;
  /** Organizations the practice has designated 42 CFR Part 2 programs (bare ids or `Organization/<id>`). */
  part2Programs: readonly string[];
  /**
   * The organizations that keep this record (bare ids or `Organization/<id>`): for Confide, the organizations the
   * store writes into the row's `organizations` column, or the writing user's organization for a new record.
   */
  authoringOrganizations: readonly string[];
  /**
   * Codes the caller resolved for this resource that a pure function cannot read: the `code` of a Medication that a
   * MedicationRequest/Statement/Dispense/Administration references (not contained). Matched by rules with
   * `matchResolvedCodes`.
   */
  resolvedCodes?: readonly Coding[];
}

export interface LabelAssignment {
  /** The labels the resource must carry after the write: existing ∪ rule-derived, one confidentiality (the highest), deterministic order. */
  security: Coding[];
  /** Those in `security` that the resource did not have (including a raised confidentiality). */
  added: Coding[];
  /** One line per rule that applied: `rule-id: why → labels`. */
  reasons: string[];
  /** The labels the rules require on their own (without the existing ones): what a write can never remove. */
  required: Coding[];
}

/** `Organization/<id>` for a bare id or a reference. */
export function organizationKey(ref: string): string {
  const trimmed = ref.trim();
  if (!trimmed.includes('/')) return `Organization/${trimmed}`;
  const parts = trimmed.split('/');
  const i = parts.lastIndexOf('Organization');
  return i >= 0 && parts[i + 1] ? `Organization/${parts[i + 1]}` : trimmed;
}

/**
 * The security labels a resource must carry after a write: the union of the labels it has and those the rules
 * derive from its content and its record-keeping organization, with confidentiality raised to the highest level any
 * rule requires and never lowered (an existing V stays V). Pure and deterministic: the same input gives the same
 * labels in the same order, without duplicates.
 *
 * Apply it to the version being written (create, update, patch); then `checkLabelChange(current, result.security,
 * canLower)` decides whether the write may drop or lower anything the current version has.
 */
export function assignLabels(resource: Resource, context: LabelContext): LabelAssignment {
  const rules = context.rules ?? DEFAULT_LABEL_RULES;
  const existing = securityLabels(resource);
  const derived: Coding[] = [];
  const reasons: string[] = [];
  let required: ConfidentialityCode | undefined;

  for (const rule of rules.rules) {
    const why = ruleApplies(rule, resource, context);
    if (why === undefined) continue;
    const labels = rule.labels.map((l) => label(l.system, l.code));
    derived.push(...labels);
    required = maxConfidentiality(required, rule.confidentiality);
    const what = [...labels.map(describeLabel), ...(rule.confidentiality ? [`confidentiality ≥ ${rule.confidentiality}`] : [])].join(', ');
    reasons.push(`${rule.id}: ${why} → ${what}`);
  }

  const current = confidentialityOf(existing);
  const confidentiality = maxConfidentiality(current, required);
  const others = [...existing, ...derived].filter((l) => l.system !== CONFIDENTIALITY_SYSTEM || confidentialityOf([l]) === undefined);
  const keptConfidentiality = confidentiality === undefined ? [] : [existing.find((l) => l.system === CONFIDENTIALITY_SYSTEM && l.code === confidentiality) ?? confidentialityLabel(confidentiality)];
  const security = normalizeLabels([...keptConfidentiality, ...others]);

  const before = new Set(existing.map(labelKey));
  const added = security.filter((l) => !before.has(labelKey(l)));
  const requiredLabels = normalizeLabels([...(required ? [confidentialityLabel(required)] : []), ...derived]);
  return { security, added, reasons, required: requiredLabels };
}

/** Why the rule applies to the resource, or undefined when it does not. */
function ruleApplies(rule: LabelRule, resource: Resource, context: LabelContext): string | undefined {
  if (rule.kind === 'part2-program') {
    if (!categoryOf(resource.resourceType)?.patientData) return undefined;
    const programs = new Set(context.part2Programs.map(organizationKey));
    const keeping = context.authoringOrganizations.map(organizationKey).filter((o) => programs.has(o));
    return keeping.length ? `kept by Part 2 program ${[...new Set(keeping)].sort().join(', ')}` : undefined;
  }
  return codeRuleMatch(rule, resource, context.resolvedCodes ?? []);
}

function codeRuleMatch(rule: CodeLabelRule, resource: Resource, resolved: readonly Coding[]): string | undefined {
  const paths = rule.elements.filter((p) => pathAppliesTo(p, resource.resourceType));
  if (paths.length === 0) return undefined;
  const found: FoundCoding[] = paths.flatMap((p) => codingsAt(resource, p));
  if (rule.matchResolvedCodes) for (const coding of resolved) found.push({ coding, element: '(resolved)' });
  for (const { coding, element } of found) {
    if (coding.system !== rule.system || typeof coding.code !== 'string') continue;
    if (codeMatches(rule, coding.code)) return `${element} ${coding.system}|${coding.code}`;
  }
  return undefined;
}

/** Whether a code is in the rule's codes or ranges and not excluded (all compared as `normalizeCode`). */
export function codeMatches(rule: Pick<CodeLabelRule, 'codes' | 'ranges' | 'exclude'>, code: string): boolean {
  const c = normalizeCode(code);
  if (c === '') return false;
  if ((rule.exclude ?? []).some((e) => c.startsWith(normalizeCode(e.code)))) return false;
  if ((rule.codes ?? []).some((e) => normalizeCode(e.code) === c)) return true;
  return (rule.ranges ?? []).some((r) => {
    const from = normalizeCode(r.from);
    const to = normalizeCode(r.to);
    const head = c.slice(0, from.length);
    return head.length === from.length && head >= from && head <= to;
  });
}
