import type { Coding } from '@medplum/fhirtypes';
import {
  CONFIDENTIALITY_SYSTEM,
  compareConfidentiality,
  confidentialityOf,
  DEFAULT_CONFIDENTIALITY,
  describeLabel,
  labelKey,
  type ConfidentialityCode,
} from './vocabulary.ts';

export interface LabelChange {
  allowed: boolean;
  /** Labels of the current version (other than confidentiality) that the new version does not carry. */
  removed: Coding[];
  /** Set when the new version's confidentiality is lower than the current one's (absent = N). */
  lowered?: { from: ConfidentialityCode; to: ConfidentialityCode };
  reason: string;
}

/**
 * Whether a write may change a resource's security labels from `before` (the current version's `meta.security`;
 * undefined for a create) to `after`. Without the right to lower labels (`canLower`, e.g. the privacy officer's), a
 * client may add labels and raise confidentiality, but may not drop any label the current version has (sensitivity,
 * policy, obligation or any other) nor lower its confidentiality. With the right, anything goes — except what the
 * rules require, see below.
 *
 * How it works with the rules: the server first computes `after` with `assignLabels` on the version being written,
 * which puts back every label the rules derive (from the new content and the record-keeping organization), then
 * asks this function. So nobody — not even with `canLower` — removes a rule-derived label through a write: it comes
 * back; to lose it the content must change (a recoded Condition) or the rules must. A privileged client removing it
 * just sees it return; an unprivileged one is never refused for it, since it is not missing from `after`.
 *
 * The server should also carry the current labels over when an update has no `meta.security` at all (clients that
 * do not echo server-managed metadata), and pass the explicit list only when the client sent one; otherwise every
 * ordinary update of a labelled record would count as removing its labels and be refused.
 */
export function checkLabelChange(before: readonly Coding[] | undefined, after: readonly Coding[], canLower: boolean): LabelChange {
  if (!before || before.length === 0) return { allowed: true, removed: [], reason: 'no labels to keep' };
  const keep = new Set(after.map(labelKey));
  const removed = dedupe(before.filter((l) => !isConfidentiality(l) && !keep.has(labelKey(l))));
  const from = confidentialityOf(before) ?? DEFAULT_CONFIDENTIALITY;
  const to = confidentialityOf(after) ?? DEFAULT_CONFIDENTIALITY;
  const lowered = compareConfidentiality(to, from) < 0 ? { from, to } : undefined;

  const changes: string[] = [];
  if (removed.length) changes.push(`removes ${removed.map(describeLabel).join(', ')}`);
  if (lowered) changes.push(`lowers confidentiality from ${lowered.from} to ${lowered.to}`);
  const result: LabelChange = { allowed: true, removed, reason: '' };
  if (lowered) result.lowered = lowered;
  if (changes.length === 0) {
    result.reason = 'keeps every label and the confidentiality';
  } else if (canLower) {
    result.reason = `${changes.join(' and ')} (allowed: the client may lower labels)`;
  } else {
    result.allowed = false;
    result.reason = `the write ${changes.join(' and ')}, which needs the right to lower security labels`;
  }
  return result;
}

function isConfidentiality(l: Coding): boolean {
  return l.system === CONFIDENTIALITY_SYSTEM && confidentialityOf([l]) !== undefined;
}

function dedupe(labels: Coding[]): Coding[] {
  const seen = new Set<string>();
  return labels.filter((l) => {
    const k = labelKey(l);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
