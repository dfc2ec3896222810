import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';

/**
 * Time-based one-time passwords (RFC 6238) as authenticator apps expect them: HMAC-SHA-1, 6 digits, 30-second
 * steps, secrets of 20 random bytes in Base32. A code is accepted one step either side of now (clock drift),
 * and a step that has been used once is refused afterwards (replay).
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted on either side of the current one. */
export const TOTP_WINDOW = 1;

/** A new random secret (Base32, 160 bits). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The `otpauth://totp/...` URI an authenticator app reads from a QR code. */
export function totpUri(secret: string, username: string, issuer = 'Confide'): string {
  return generateURI({ issuer, label: username, secret, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

/** The RFC 6238 time step of an instant. */
export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for `now` (for tests and tools; the server never needs to produce one). */
export function totpCode(secret: string, now: Date = new Date()): string {
  return generateSync({ secret, epoch: Math.floor(now.getTime() / 1000), algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

export type TotpCheck = { ok: true; step: number } | { ok: false; step?: undefined };

/**
 * Checks a code typed by the user (spaces are ignored). `lastStep` is the step of the last code accepted for
 * this secret: that step and every earlier one are refused, so a code works once. On success `step` is the
 * step to store as the new `lastStep`.
 */
export function checkTotp(secret: string, code: string, now: Date, lastStep?: number | null): TotpCheck {
  const token = code.replace(/\s+/g, '');
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(token)) return { ok: false };
  const epoch = Math.floor(now.getTime() / 1000);
  const latest = totpStep(now) + TOTP_WINDOW;
  // Nothing in the window is newer than the last accepted step (the clock went back): nothing can match.
  if (lastStep !== undefined && lastStep !== null && lastStep >= latest) return { ok: false };
  try {
    const r = verifySync({
      secret,
      token,
      epoch,
      algorithm: 'sha1',
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD_SECONDS,
      epochTolerance: TOTP_WINDOW * TOTP_PERIOD_SECONDS,
      afterTimeStep: lastStep ?? undefined,
    });
    return r.valid && 'timeStep' in r ? { ok: true, step: r.timeStep } : { ok: false };
  } catch {
    // A malformed secret or token: not a match.
    return { ok: false };
  }
}
