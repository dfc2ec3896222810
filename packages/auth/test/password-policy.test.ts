import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, generatePassword } from '../src/index.ts';

describe('checkPasswordPolicy', () => {
  const cases: Array<[name: string, password: string, username: string | undefined, problem: RegExp | null]> = [
    ['a long passphrase', 'correct horse battery', 'schen', null],
    ['a mixed twelve', 'Tr4vel-Bus-9', 'schen', null],
    ['a long all-lower-case phrase', 'lanternmeadowquietly', 'schen', null],
    ['unicode', 'über-grüne-äpfel', 'schen', null],
    ['the demo password', 'confide-demo-2026', 'schen', null],
    ['too short', 'Sh0rt-pass', undefined, /at least 12 characters/],
    ['empty', '', undefined, /at least 12 characters/],
    ['too long', 'ab-1'.repeat(65), undefined, /at most 256/],
    ['contains the username', 'xx-Schen-2026-yy', 'schen', /username/],
    ['contains the e-mail local part', 'maya.thompson!2026', 'maya.thompson@example.com', /username/],
    ['common', 'password123!', undefined, /most commonly used/],
    ['common number', '123456789012', undefined, /most commonly used/],
    ['common keyboard', 'qwertyuiop12', undefined, /most commonly used/],
    ['common, any case', 'PASSWORD1234', undefined, /most commonly used/],
    ['a padded common word', 'P@ssw0rd2024!', undefined, /common word/],
    ['a padded context word', 'Confide#2026', undefined, /common word/],
    ['a repeated common word', 'adminadmin12', undefined, /common word/],
    ['an alphabet run', 'bcdefghijklmn', undefined, /sequence/],
    ['a digit run', '345678901234', undefined, /sequence/],
    ['a reversed keyboard walk', 'lkjhgfdsapoi', undefined, /sequence/],
    ['one repeated character', 'aaaaaaaaaaaaaaaaaaaa', undefined, /different characters/],
    ['two alternating characters', 'abababababababababab', undefined, /different characters/],
    ['only digits, short', '739164820573', undefined, /only digits/],
    ['only lower case, short', 'lanternmeadow', undefined, /only lower-case letters/],
    ['control characters', 'good\tpassword-1234', undefined, /control characters/],
  ];
  it.each(cases)('%s', (_name, password, username, problem) => {
    const problems = checkPasswordPolicy(password, { username });
    if (problem === null) expect(problems).toEqual([]);
    else expect(problems.join(' ')).toMatch(problem);
  });

  it('normalizes Unicode before counting (NFKC)', () => {
    // Twelve full-width digits are twelve ASCII digits after NFKC, which makes a common password.
    expect(checkPasswordPolicy('１２３４５６７８９０１２').join(' ')).toMatch(/most commonly used/);
  });
});

describe('generatePassword', () => {
  it('makes distinct passwords that pass the policy', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword({ username: 'admin' });
      expect(p).toMatch(/^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
      expect(checkPasswordPolicy(p, { username: 'admin' })).toEqual([]);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});
