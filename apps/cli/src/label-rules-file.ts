import fs from 'node:fs';
import path from 'node:path';
import { validateLabelRules, type LabelRules } from '@confide/policy';

/**
 * The practice's own label rules (docs/consent.md, "Security labels"): a JSON file named by `CONFIDE_LABEL_RULES`,
 * read by every command that writes or relabels (start, seed, import, relabel), so that all of them label alike.
 * Without it, the defaults of @confide/policy apply. A file that cannot be used stops the command with every
 * problem named: labelling with half a rule set would under-protect records silently.
 */
export function labelRulesFromEnv(env: NodeJS.ProcessEnv = process.env): LabelRules | undefined {
  const file = env.CONFIDE_LABEL_RULES;
  if (!file) return undefined;
  return readLabelRules(file);
}

/** Reads and checks a rule set; throws an Error naming the file and each problem. */
export function readLabelRules(file: string): LabelRules {
  const where = path.resolve(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(where, 'utf8'));
  } catch (e) {
    throw new Error(`The label rules in ${where} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const problems = validateLabelRules(parsed);
  if (problems.length) throw new Error(`The label rules in ${where} cannot be used:\n  ${problems.join('\n  ')}`);
  return parsed as LabelRules;
}

/** Repository options that apply the file's rules, if one is named. */
export function labelOptions(env: NodeJS.ProcessEnv = process.env): { repository?: { labels: { rules: LabelRules } } } {
  const rules = labelRulesFromEnv(env);
  return rules ? { repository: { labels: { rules } } } : {};
}
