import type { Coding } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { ACT_CODE_SYSTEM, CONFIDENTIALITY_SYSTEM, needsRedisclosureNotice, PART2_REDISCLOSURE_NOTICE, PART2_REDISCLOSURE_NOTICE_LONG } from '../src/index.ts';

describe('the 42 CFR 2.32 redisclosure notice', () => {
  it('is Statement 2 of 2.32(a) as the 2024 final rule worded it', () => {
    expect(PART2_REDISCLOSURE_NOTICE).toBe('42 CFR part 2 prohibits unauthorized use or disclosure of these records.');
    expect(PART2_REDISCLOSURE_NOTICE_LONG).toMatch(/^This record which has been disclosed to you is protected by Federal confidentiality rules \(42 CFR part 2\)\. /);
    expect(PART2_REDISCLOSURE_NOTICE_LONG).toMatch(/\(see 42 CFR 2\.31\)\.$/);
  });

  it.each<[string, Coding[], boolean]>([
    ['a Part 2 record', [{ system: CONFIDENTIALITY_SYSTEM, code: 'R' }, { system: ACT_CODE_SYSTEM, code: '42CFRPart2' }], true],
    ['SUD content outside a Part 2 program', [{ system: CONFIDENTIALITY_SYSTEM, code: 'R' }, { system: ACT_CODE_SYSTEM, code: 'SUD' }], false],
    ['NORDSCLCD set by hand on other data', [{ system: ACT_CODE_SYSTEM, code: 'NORDSCLCD' }], false],
    ['the code in another system', [{ system: 'urn:other', code: '42CFRPart2' }], false],
    ['no labels', [], false],
  ])('%s → %s', (_name, labels, expected) => {
    expect(needsRedisclosureNotice(labels)).toBe(expected);
  });
});
