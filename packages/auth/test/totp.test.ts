import { describe, expect, it } from 'vitest';
import { checkTotp, newTotpSecret, totpCode, totpStep, totpUri } from '../src/index.ts';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII "12345678901234567890"; the 6-digit code is the last six
// digits of the 8-digit test value (both are the same truncated HMAC modulo 10^digits).
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // Base32 of "12345678901234567890"
const vectors: Array<[seconds: number, eight: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP', () => {
  it('the secret is the RFC seed', () => {
    expect(Buffer.from('12345678901234567890').toString('hex')).toBe('3132333435363738393031323334353637383930');
  });

  it.each(vectors)('RFC 6238 vector at T=%i', (seconds, eight) => {
    const now = new Date(seconds * 1000);
    expect(totpCode(RFC_SECRET, now)).toBe(eight.slice(2));
    expect(checkTotp(RFC_SECRET, eight.slice(2), now)).toEqual({ ok: true, step: Math.floor(seconds / 30) });
  });

  it('accepts one step either side, not two', () => {
    const now = new Date(1111111111 * 1000);
    const code = (deltaSteps: number) => totpCode(RFC_SECRET, new Date(now.getTime() + deltaSteps * 30_000));
    expect(checkTotp(RFC_SECRET, code(-1), now).ok).toBe(true);
    expect(checkTotp(RFC_SECRET, code(1), now).ok).toBe(true);
    expect(checkTotp(RFC_SECRET, code(-2), now).ok).toBe(false);
    expect(checkTotp(RFC_SECRET, code(2), now).ok).toBe(false);
  });

  it('refuses a replayed step, and steps before it', () => {
    const now = new Date(1234567890 * 1000);
    const first = checkTotp(RFC_SECRET, '005924', now);
    expect(first.ok).toBe(true);
    expect(checkTotp(RFC_SECRET, '005924', new Date(now.getTime() + 5000), first.step)).toEqual({ ok: false });
    const previous = totpCode(RFC_SECRET, new Date(now.getTime() - 30_000));
    expect(checkTotp(RFC_SECRET, previous, now, first.step).ok).toBe(false);
    const next = new Date(now.getTime() + 30_000);
    expect(checkTotp(RFC_SECRET, totpCode(RFC_SECRET, next), next, first.step)).toEqual({ ok: true, step: first.step! + 1 });
    // A last step beyond the whole window (the clock went back) refuses everything, without throwing.
    expect(checkTotp(RFC_SECRET, '005924', now, totpStep(now) + 5).ok).toBe(false);
  });

  it('refuses malformed codes and tolerates spaces', () => {
    const now = new Date(59 * 1000);
    expect(checkTotp(RFC_SECRET, '287 082', now).ok).toBe(true);
    for (const bad of ['', '28708', '2870822', 'abcdef', '28708x', '94287082']) expect(checkTotp(RFC_SECRET, bad, now).ok).toBe(false);
    expect(checkTotp('not base32!', '287082', now).ok).toBe(false);
  });

  it('makes 160-bit Base32 secrets and otpauth URIs', () => {
    const s = newTotpSecret();
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(s);
    const uri = new URL(totpUri(s, 'schen'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Confide:schen');
    expect(uri.searchParams.get('secret')).toBe(s);
    expect(uri.searchParams.get('issuer')).toBe('Confide');
  });
});
