import type { Coding, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { ACT_CODE_SYSTEM, assignLabels, checkLabelChange, CONFIDENTIALITY_SYSTEM, ICD10CM_SYSTEM } from '../src/index.ts';

const C = (code: string): Coding => ({ system: CONFIDENTIALITY_SYSTEM, code });
const A = (code: string): Coding => ({ system: ACT_CODE_SYSTEM, code });

type Case = [name: string, before: Coding[] | undefined, after: Coding[], canLower: boolean, allowed: boolean, removed: string[], lowered?: [string, string]];

describe('checkLabelChange: nobody without the right lowers labels', () => {
  it.each<Case>([
    ['create: anything goes', undefined, [C('R'), A('SUD')], false, true, []],
    ['create without labels', undefined, [], false, true, []],
    ['current version has no labels', [], [A('HIV')], false, true, []],
    ['unchanged', [C('R'), A('SUD')], [A('SUD'), C('R')], false, true, []],
    ['adds a sensitivity label', [C('R'), A('SUD')], [C('R'), A('SUD'), A('HIV')], false, true, []],
    ['raises R to V', [C('R'), A('SUD')], [C('V'), A('SUD')], false, true, []],
    ['raises the implicit N to R', [A('SUD')], [C('R'), A('SUD')], false, true, []],
    ['display changes do not count', [{ ...A('SUD'), display: 'x' }], [{ ...A('SUD'), display: 'y' }], false, true, []],
    ['removes SUD', [C('R'), A('SUD')], [C('R')], false, false, ['SUD']],
    ['removes the Part 2 policy and its obligation', [C('R'), A('42CFRPart2'), A('NORDSCLCD')], [C('R')], false, false, ['42CFRPart2', 'NORDSCLCD']],
    ['removes an unknown label', [{ system: 'urn:x', code: 'q' }], [], false, false, ['q']],
    ['lowers V to R', [C('V'), A('PSYTHPN')], [C('R'), A('PSYTHPN')], false, false, [], ['V', 'R']],
    ['drops R (absent is N)', [C('R')], [], false, false, [], ['R', 'N']],
    ['replaces R by N', [C('R')], [C('N')], false, false, [], ['R', 'N']],
    ['removes and lowers at once', [C('V'), A('HIV')], [C('N')], false, false, ['HIV'], ['V', 'N']],
    ['with the right: removes SUD', [C('R'), A('SUD')], [C('R')], true, true, ['SUD']],
    ['with the right: lowers V to N', [C('V')], [C('N')], true, true, [], ['V', 'N']],
    ['several confidentiality codes before: the highest counts', [C('N'), C('V')], [C('R')], false, false, [], ['V', 'R']],
  ])('%s', (_name, before, after, canLower, allowed, removed, lowered) => {
    const change = checkLabelChange(before, after, canLower);
    expect(change.allowed, change.reason).toBe(allowed);
    expect(change.removed.map((l) => l.code)).toEqual(removed);
    expect(change.lowered).toEqual(lowered ? { from: lowered[0], to: lowered[1] } : undefined);
  });

  it('says why', () => {
    expect(checkLabelChange([C('V'), A('HIV')], [C('N')], false).reason).toBe(
      'the write removes HIV and lowers confidentiality from V to N, which needs the right to lower security labels',
    );
    expect(checkLabelChange([C('R'), A('SUD')], [C('R')], true).reason).toBe('removes SUD (allowed: the client may lower labels)');
  });

  it('rule-derived labels come back before the check, so even a privileged write cannot remove them', () => {
    const current: Resource = {
      resourceType: 'Condition',
      subject: { reference: 'Patient/p1' },
      code: { coding: [{ system: ICD10CM_SYSTEM, code: 'F11.20' }] },
      meta: { security: [C('R'), A('SUD'), A('HIV')] },
    };
    // The client strips every label, including the HIV label set by hand.
    const update: Resource = { ...current, meta: { security: [] } };
    const after = assignLabels(update, { part2Programs: [], authoringOrganizations: ['org1'] }).security;
    expect(after.map((l) => l.code)).toEqual(['R', 'SUD']);
    const unprivileged = checkLabelChange(current.meta?.security, after, false);
    expect(unprivileged).toMatchObject({ allowed: false });
    expect(unprivileged.removed.map((l) => l.code)).toEqual(['HIV']); // only the manual label is at stake
    const privileged = checkLabelChange(current.meta?.security, after, true);
    expect(privileged.allowed).toBe(true);
    expect(after.map((l) => l.code)).toContain('SUD'); // SUD stays whatever the right
  });
});
