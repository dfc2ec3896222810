import { createHash, randomBytes } from 'node:crypto';

/**
 * Session tokens: 32 random bytes in base64url (43 characters). Only their SHA-256 is stored, as the
 * session's id, so a copy of the database holds nothing that can be replayed as a cookie.
 */
export function newSessionToken(): { token: string; id: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, id: sessionIdOf(token) };
}

export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Cheap shape check before any hashing or query: tokens are base64url, session ids are 64 hex digits. */
export function looksLikeToken(s: unknown): s is string {
  return typeof s === 'string' && /^[A-Za-z0-9_-]{32,128}$/.test(s);
}

export function looksLikeSessionId(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
}
