import type { Coding, Meta } from '@medplum/fhirtypes';
import { SYSTEMS } from './systems.ts';

/** Every demo resource carries this tag, so the demo data can be found (and removed) as a whole. */
export const DEMO_TAG: Coding = { system: SYSTEMS.demoTag, code: 'demo', display: 'Confide demo data' };

/**
 * Security labels for records of the 42 CFR Part 2 substance-use program: restricted confidentiality, the
 * Part 2 privacy law, and substance-use-disorder information sensitivity (HL7 v3 ActCode / Confidentiality).
 */
export const PART2_SECURITY: readonly Coding[] = [
  { system: SYSTEMS.confidentiality, code: 'R', display: 'restricted' },
  { system: SYSTEMS.actCode, code: '42CFRPart2', display: '42 CFR Part2' },
  { system: SYSTEMS.actCode, code: 'SUD', display: 'substance use disorder information sensitivity' },
];

export function demoMeta(options: { profile?: string; part2?: boolean } = {}): Meta {
  const meta: Meta = { tag: [{ ...DEMO_TAG }] };
  if (options.profile) meta.profile = [options.profile];
  if (options.part2) meta.security = PART2_SECURITY.map((c) => ({ ...c }));
  return meta;
}

export function isPart2Labelled(meta: Meta | undefined): boolean {
  return meta?.security?.some((c) => c.system === SYSTEMS.actCode && c.code === '42CFRPart2') === true;
}
