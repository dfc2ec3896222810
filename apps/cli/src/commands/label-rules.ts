import { DEFAULT_LABEL_RULES, renderLabelRules } from '@confide/policy';
import { labelRulesFromEnv, readLabelRules } from '../label-rules-file.ts';

const USAGE = `Usage: confide label-rules show [--json]   the rules in force (CONFIDE_LABEL_RULES, else the defaults)
       confide label-rules check FILE      says whether FILE can be used as CONFIDE_LABEL_RULES
`;

/**
 * `confide label-rules`: lets a privacy officer read the rules that label records at write time (as a table, or as
 * the JSON to start an edited copy from) and check an edited file before it is put in force. Records stored before
 * a change keep their labels until `confide relabel`.
 */
export async function labelRulesCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'show') {
    const rules = labelRulesFromEnv() ?? DEFAULT_LABEL_RULES;
    process.stdout.write(rest.includes('--json') ? `${JSON.stringify(rules, null, 2)}\n` : `${renderLabelRules(rules)}\n`);
    return 0;
  }
  if (sub === 'check' && rest.length === 1) {
    const rules = readLabelRules(rest[0]);
    process.stdout.write(`${rest[0]}: ${rules.rules.length} rules, usable. Put it in force with CONFIDE_LABEL_RULES=${rest[0]}, then run confide relabel.\n`);
    return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}
