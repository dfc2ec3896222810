import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { normalizePassword } from './password-policy.ts';

/**
 * Argon2id (RFC 9106) with OWASP's minimum for Argon2id: 19 MiB of memory, 2 passes, 1 lane. A hash made
 * with weaker parameters is still accepted, and `needsRehash` tells the caller to replace it after a
 * successful sign-in.
 */
export const ARGON2_PARAMS = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

// `Algorithm` is a const enum in the package's typings, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;
const OPTIONS: Options = { ...ARGON2_PARAMS, algorithm: ARGON2ID, outputLen: 32 };

/** The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of a password, with a fresh random salt. */
export function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), OPTIONS);
}

/** Whether `password` matches `passwordHash`. A malformed or empty hash never matches (and does not throw). */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    await dummyVerify(password);
    return false;
  }
  try {
    return await verify(passwordHash, normalizePassword(password));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Costs what a real verification costs and always fails: used when there is no account, or no password, so
 * that the time an answer takes does not tell whether a username exists.
 */
export async function dummyVerify(password: string): Promise<false> {
  dummy ??= hash(randomBytes(24).toString('base64url'), OPTIONS);
  try {
    await verify(await dummy, normalizePassword(password));
  } catch {
    // the outcome is false whatever happens
  }
  return false;
}

/** True when a stored hash is not Argon2id or is weaker than the current parameters. */
export function needsRehash(passwordHash: string): boolean {
  try {
    const p = parseOptions(passwordHash);
    return (
      p.algorithm !== ARGON2ID ||
      p.memoryCost < ARGON2_PARAMS.memoryCost ||
      p.timeCost < ARGON2_PARAMS.timeCost ||
      p.parallelism < ARGON2_PARAMS.parallelism
    );
  } catch {
    return true;
  }
}
