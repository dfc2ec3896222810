import { createHash } from 'node:crypto';
import { safeEqual } from './secrets.ts';

/** RFC 7636 section 4.1: code_verifier = 43*128 unreserved characters. */
export const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;
/** RFC 7636 section 4.2: an S256 challenge is BASE64URL(SHA256(verifier)), 43 characters. */
export const S256_CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** RFC 7636 section 4.6: does the verifier hash to the challenge (S256 only: Confide refuses `plain`)? */
export function verifyPkce(verifier: string, challenge: string): boolean {
  if (!VERIFIER_PATTERN.test(verifier)) return false;
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  return safeEqual(computed, challenge);
}
