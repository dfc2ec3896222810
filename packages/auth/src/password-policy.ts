import { randomInt } from 'node:crypto';
import { COMMON_PASSWORDS, COMMON_WORDS } from './common-passwords.ts';

/**
 * The password policy, after NIST SP 800-63B §5.1.1.2: length matters more than composition, any printable
 * character (spaces and Unicode too) is allowed, and passwords known to be common, sequential, repetitive or
 * built from the username are refused. There is no expiry and no "one upper case, one digit, one symbol" rule.
 *
 * The one composition rule: a password made of a single kind of character (only digits, only lower-case
 * letters…) must be longer (16) — twelve digits are a trillion guesses, which is not enough offline.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
export const SINGLE_CLASS_MIN_LENGTH = 16;
const MIN_DISTINCT = 5;

/** Keyboard rows, columns and the alphabet: a password that is a run along one of these is refused. */
const WALKS = [
  'abcdefghijklmnopqrstuvwxyz',
  '0123456789',
  'qwertyuiopasdfghjklzxcvbnm',
  '1234567890qwertyuiopasdfghjklzxcvbnm',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'qazwsxedcrfvtgbyhnujmikolp',
  'qwertzuiopasdfghjklyxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
];

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/** NIST SP 800-63B asks verifiers to normalize Unicode; hashing and the policy both see this form. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * The problems with a proposed password, in plain English (empty: acceptable). `username` is the account's
 * login; a password containing it is refused.
 */
export function checkPasswordPolicy(password: string, context: { username?: string } = {}): string[] {
  const problems: string[] = [];
  const normalized = normalizePassword(password);
  const chars = [...normalized];
  if (chars.length < PASSWORD_MIN_LENGTH) problems.push(`Password must be at least ${PASSWORD_MIN_LENGTH} characters long.`);
  if (chars.length > PASSWORD_MAX_LENGTH) problems.push(`Password must be at most ${PASSWORD_MAX_LENGTH} characters long.`);
  if (/\p{Cc}/u.test(normalized)) problems.push('Password must not contain control characters (tabs, line breaks…).');
  const lower = normalized.toLowerCase();
  if (containsUsername(lower, context.username)) problems.push('Password must not contain the username.');
  if (COMMON_PASSWORDS.has(lower)) {
    problems.push('Password is one of the most commonly used passwords.');
  } else if (isPaddedCommonWord(lower)) {
    problems.push('Password is a common word with digits or symbols added; use a longer phrase.');
  } else if (isWalk(lower)) {
    problems.push('Password is a keyboard or alphabet sequence.');
  }
  if (chars.length > 0 && new Set(chars).size < MIN_DISTINCT) problems.push(`Password must use at least ${MIN_DISTINCT} different characters.`);
  if (chars.length >= PASSWORD_MIN_LENGTH && chars.length < SINGLE_CLASS_MIN_LENGTH) {
    const only = singleClass(normalized);
    if (only) {
      problems.push(`Password uses only ${only}: use at least ${SINGLE_CLASS_MIN_LENGTH} characters, or mix in other kinds of characters.`);
    }
  }
  return problems;
}

function containsUsername(lowerPassword: string, username: string | undefined): boolean {
  if (!username) return false;
  const u = username.toLowerCase();
  const parts = [u];
  const at = u.indexOf('@');
  if (at > 0) parts.push(u.slice(0, at));
  return parts.some((p) => p.length >= 3 && lowerPassword.includes(p));
}

/** "P@ssw0rd2024!", "Welcome#1234", "adminadmin123": a common word, perhaps repeated, padded at the ends. */
function isPaddedCommonWord(lower: string): boolean {
  const core = lower.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
  if (core.length === 0) return false;
  const plain = [...core].map((c) => LEET[c] ?? c).join('');
  for (const word of [core, plain]) {
    if (COMMON_WORDS.has(word)) return true;
    for (const w of COMMON_WORDS) {
      if (word.length % w.length === 0 && w.repeat(word.length / w.length) === word) return true;
    }
  }
  return false;
}

function isWalk(lower: string): boolean {
  return WALKS.some((w) => {
    const twice = w + w;
    return twice.includes(lower) || [...twice].reverse().join('').includes(lower);
  });
}

function singleClass(s: string): string | undefined {
  const classes: [RegExp, string][] = [
    [/\p{Ll}/u, 'lower-case letters'],
    [/\p{Lu}/u, 'upper-case letters'],
    [/\p{Nd}/u, 'digits'],
    [/[^\p{Ll}\p{Lu}\p{Nd}]/u, 'symbols'],
  ];
  const present = classes.filter(([re]) => re.test(s));
  return present.length === 1 ? present[0][1] : undefined;
}

/** Letters and digits that cannot be confused with one another when read aloud or copied by hand. */
const READABLE = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A random password that passes the policy: four groups of five readable characters joined by dashes
 * (`k7Rm3-xT9pw-…`, about 115 bits), from the operating system's cryptographic random source.
 */
export function generatePassword(context: { username?: string } = {}): string {
  for (;;) {
    const groups: string[] = [];
    for (let g = 0; g < 4; g++) {
      let s = '';
      for (let i = 0; i < 5; i++) s += READABLE[randomInt(READABLE.length)];
      groups.push(s);
    }
    const password = groups.join('-');
    if (checkPasswordPolicy(password, context).length === 0) return password;
  }
}
