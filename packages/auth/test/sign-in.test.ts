import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@confide/store';
import { totpCode, type AccountEvent } from '../src/index.ts';
import { accountsWith, migratedDb, PASSWORD } from './support.ts';

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await migratedDb());
});
afterAll(() => close());

/** No event may carry a password, a code, a TOTP secret or a session token. */
function expectNoSecrets(events: AccountEvent[], ...secrets: string[]) {
  const text = JSON.stringify(events);
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('sign-in without MFA', () => {
  it('opens a session with the right password', async () => {
    const { accounts, events } = accountsWith(db);
    await accounts.createUser({ username: 'pat1', kind: 'patient', fhirUser: 'Patient/p1', password: PASSWORD });
    const r = await accounts.signIn({ username: 'PAT1', password: PASSWORD, remoteAddress: '10.0.0.7' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.user.username).toBe('pat1');
    expect(r.session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.session.id).toMatch(/^[0-9a-f]{64}$/);
    expect(r.session.mfa).toBe(false);
    expect(r.needsMfaEnrollment).toBe(false);
    expect(r.needsPasswordChange).toBe(false);
    expect(r.session.expiresAt.getTime() - Date.parse('2026-03-02T09:00:00Z')).toBe(12 * 3_600_000);
    expect(events.at(-1)).toEqual({ type: 'sign-in', username: 'pat1', userId: r.user.id, remoteAddress: '10.0.0.7' });
    const stored = await db.query<{ id: string }>('SELECT id FROM auth_session WHERE id = $1', [r.session.id]);
    expect(stored.rows).toHaveLength(1);
    const anyToken = await db.query('SELECT 1 FROM auth_session WHERE id = $1', [r.session.token]);
    expect(anyToken.rows).toHaveLength(0);
    expectNoSecrets(events, PASSWORD, r.session.token);
  });

  it('gives an unknown user and a wrong password the same answer, in comparable time', async () => {
    const { accounts, events } = accountsWith(db);
    await accounts.createUser({ username: 'pat2', kind: 'patient', fhirUser: 'Patient/p2', password: PASSWORD });
    // CPU time, not wall time: an Argon2id verification is CPU work (on libuv's pool, counted in the process),
    // while the wrong-password path also waits for the database — and a loaded machine stretches waits.
    const time = async (username: string) => {
      const t = process.cpuUsage();
      const r = await accounts.signIn({ username, password: 'wrong-password-xx' });
      const d = process.cpuUsage(t);
      return { r, ms: (d.user + d.system) / 1000 };
    };
    const unknown = [await time('nobody-here'), await time('nobody-here'), await time('nobody-here')];
    const wrong = [await time('pat2'), await time('pat2'), await time('pat2')];
    for (const x of [...unknown, ...wrong]) expect(x.r).toEqual({ ok: false, reason: 'invalid-credentials' });
    const median = (xs: { ms: number }[]) => xs.map((x) => x.ms).sort((a, b) => a - b)[1];
    // Both pay for one Argon2id verification; the unknown user must not answer in a fraction of the time.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.4);
    expect(events.filter((e) => e.type === 'sign-in-failed').map((e) => e.reason)).toEqual([
      'unknown-user',
      'unknown-user',
      'unknown-user',
      'wrong-password',
      'wrong-password',
      'wrong-password',
    ]);
    // A password typed into the username field never reaches the audit trail.
    await accounts.signIn({ username: 'My Secret Pass!', password: 'x' });
    expect(events.at(-1)).toMatchObject({ type: 'sign-in-failed', username: '(invalid)' });
  });

  it('refuses a disabled user (after the password check, so it reveals nothing without it)', async () => {
    const { accounts } = accountsWith(db);
    await accounts.createUser({ username: 'pat3', kind: 'patient', fhirUser: 'Patient/p3', password: PASSWORD });
    await accounts.disableUser('pat3');
    expect(await accounts.signIn({ username: 'pat3', password: 'wrong-password-xx' })).toEqual({ ok: false, reason: 'invalid-credentials' });
    expect(await accounts.signIn({ username: 'pat3', password: PASSWORD })).toEqual({ ok: false, reason: 'disabled' });
    await accounts.enableUser('pat3');
    expect((await accounts.signIn({ username: 'pat3', password: PASSWORD })).ok).toBe(true);
  });

  it('asks for a password change, or signs in with needsPasswordChange when allowed', async () => {
    const { accounts } = accountsWith(db, { staffMfaRequired: false });
    const { password } = await accounts.createUser({ username: 'newbie', kind: 'staff' });
    expect(await accounts.signIn({ username: 'newbie', password })).toEqual({ ok: false, reason: 'password-change-required' });
    const r = await accounts.signIn({ username: 'newbie', password, allowPasswordChange: true });
    expect(r).toMatchObject({ ok: true, needsPasswordChange: true, needsMfaEnrollment: false });
    if (!r.ok) return;
    expect((await accounts.validateSession(r.session.token))!.pending).toEqual(['password-change']);
    await accounts.changePassword('newbie', password, 'brand-New-pass-9', { keepSession: r.session.token });
    expect((await accounts.validateSession(r.session.token))!.pending).toEqual([]);
  });
});

describe('lockout', () => {
  it('locks after 5 failures; the right password is refused while locked and works after lockMinutes', async () => {
    const { accounts, clock, events } = accountsWith(db);
    await accounts.createUser({ username: 'locky', kind: 'patient', fhirUser: 'Patient/p4', password: PASSWORD });
    for (let i = 0; i < 4; i++) {
      expect(await accounts.signIn({ username: 'locky', password: `wrong-password-${i}` })).toEqual({ ok: false, reason: 'invalid-credentials' });
    }
    expect((await accounts.getUser('locky'))!.lockedUntil).toBeNull();
    expect(await accounts.signIn({ username: 'locky', password: 'wrong-password-5' })).toEqual({ ok: false, reason: 'invalid-credentials' });
    expect((await accounts.getUser('locky'))!.lockedUntil).toEqual(new Date(clock.t + 15 * 60_000));
    expect(events.filter((e) => e.type === 'locked')).toHaveLength(1);

    expect(await accounts.signIn({ username: 'locky', password: PASSWORD })).toEqual({ ok: false, reason: 'locked' });
    clock.advance(14);
    expect(await accounts.signIn({ username: 'locky', password: PASSWORD })).toEqual({ ok: false, reason: 'locked' });
    expect(await accounts.signIn({ username: 'locky', password: 'wrong-again-xx' })).toEqual({ ok: false, reason: 'locked' });
    clock.advance(1);
    const r = await accounts.signIn({ username: 'locky', password: PASSWORD });
    expect(r.ok).toBe(true);
    expect((await accounts.getUser('locky'))!.lockedUntil).toBeNull();
    // The count starts afresh after a success.
    for (let i = 0; i < 4; i++) await accounts.signIn({ username: 'locky', password: `wrong-password-${i}` });
    expect((await accounts.signIn({ username: 'locky', password: PASSWORD })).ok).toBe(true);
  });

  it('counts concurrent failures', async () => {
    const { accounts } = accountsWith(db);
    await accounts.createUser({ username: 'stormy', kind: 'patient', fhirUser: 'Patient/p5', password: PASSWORD });
    await Promise.all(Array.from({ length: 6 }, (_, i) => accounts.signIn({ username: 'stormy', password: `wrong-password-${i}` })));
    expect(await accounts.signIn({ username: 'stormy', password: PASSWORD })).toEqual({ ok: false, reason: 'locked' });
  });

  it('honours a custom policy', async () => {
    const { accounts, clock } = accountsWith(db, { lockout: { maxFailures: 2, lockMinutes: 1 } });
    await accounts.createUser({ username: 'quick', kind: 'patient', fhirUser: 'Patient/p6', password: PASSWORD });
    await accounts.signIn({ username: 'quick', password: 'wrong-password-1' });
    await accounts.signIn({ username: 'quick', password: 'wrong-password-2' });
    expect(await accounts.signIn({ username: 'quick', password: PASSWORD })).toEqual({ ok: false, reason: 'locked' });
    clock.advance(1);
    expect((await accounts.signIn({ username: 'quick', password: PASSWORD })).ok).toBe(true);
  });
});

describe('sign-in with TOTP', () => {
  it('enrolls a staff user, then requires and checks the code, refusing replays', async () => {
    const { accounts, clock, events } = accountsWith(db);
    await accounts.createUser({ username: 'drmfa', kind: 'staff', fhirUser: 'Practitioner/pr1', roles: ['clinician'], password: PASSWORD });
    expect(await accounts.signIn({ username: 'drmfa', password: PASSWORD })).toEqual({ ok: false, reason: 'mfa-enrollment-required' });

    // The web sign-in page lets the user in only to enroll.
    const first = await accounts.signIn({ username: 'drmfa', password: PASSWORD, allowEnrollment: true });
    if (!first.ok) throw new Error(first.reason);
    expect(first).toMatchObject({ needsMfaEnrollment: true, needsPasswordChange: false, session: { mfa: false } });
    expect((await accounts.validateSession(first.session.token))!.pending).toEqual(['mfa-enrollment']);

    const { secret, uri } = await accounts.startTotpEnrollment('drmfa');
    expect(uri).toContain(`secret=${secret}`);
    expect((await accounts.getUser('drmfa'))!.mfaEnrolled).toBe(false);
    expect(await accounts.confirmTotpEnrollment('drmfa', '000000')).toBe(false);
    expect(await accounts.confirmTotpEnrollment('drmfa', totpCode(secret, clock.now()), first.session.token)).toBe(true);
    expect((await accounts.getUser('drmfa'))!.mfaEnrolled).toBe(true);
    expect((await accounts.validateSession(first.session.token))!.pending).toEqual([]);
    await expect(accounts.startTotpEnrollment('drmfa')).rejects.toMatchObject({ code: 'mfa-already-enrolled' });

    // The enrollment code's step is used; the next step's code signs in.
    clock.advanceSeconds(30);
    expect(await accounts.signIn({ username: 'drmfa', password: PASSWORD })).toEqual({ ok: false, reason: 'mfa-required' });
    expect(await accounts.signIn({ username: 'drmfa', password: PASSWORD, totp: '123456' === totpCode(secret, clock.now()) ? '654321' : '123456' })).toEqual({
      ok: false,
      reason: 'mfa-invalid',
    });
    const code = totpCode(secret, clock.now());
    const ok = await accounts.signIn({ username: 'drmfa', password: PASSWORD, totp: code });
    expect(ok).toMatchObject({ ok: true, session: { mfa: true }, needsMfaEnrollment: false });
    // Replayed a few seconds later: refused, and it counts as a failure.
    clock.advanceSeconds(5);
    expect(await accounts.signIn({ username: 'drmfa', password: PASSWORD, totp: code })).toEqual({ ok: false, reason: 'mfa-invalid' });
    expect(events.filter((e) => e.type === 'sign-in-failed').map((e) => e.reason)).toEqual([
      'mfa-enrollment-required',
      'mfa-invalid',
      'mfa-replayed',
    ]);
    // A wrong password never reaches the code check.
    expect(await accounts.signIn({ username: 'drmfa', password: 'wrong-password-xx', totp: code })).toEqual({ ok: false, reason: 'invalid-credentials' });
    expectNoSecrets(events, PASSWORD, secret, code, first.session.token);
  });

  it('two sign-ins racing with the same code: exactly one succeeds', async () => {
    const { accounts, clock } = accountsWith(db);
    await accounts.createUser({ username: 'racer', kind: 'staff', password: PASSWORD });
    const { secret } = await accounts.startTotpEnrollment('racer');
    expect(await accounts.confirmTotpEnrollment('racer', totpCode(secret, clock.now()))).toBe(true);
    clock.advanceSeconds(30);
    const code = totpCode(secret, clock.now());
    const results = await Promise.all([
      accounts.signIn({ username: 'racer', password: PASSWORD, totp: code }),
      accounts.signIn({ username: 'racer', password: PASSWORD, totp: code }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('locks after repeated wrong codes', async () => {
    const { accounts, clock } = accountsWith(db);
    await accounts.createUser({ username: 'guesser', kind: 'staff', password: PASSWORD });
    const { secret } = await accounts.startTotpEnrollment('guesser');
    await accounts.confirmTotpEnrollment('guesser', totpCode(secret, clock.now()));
    clock.advanceSeconds(30);
    const right = totpCode(secret, clock.now());
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await accounts.signIn({ username: 'guesser', password: PASSWORD, totp: wrong })).ok).toBe(false);
    expect(await accounts.signIn({ username: 'guesser', password: PASSWORD, totp: right })).toEqual({ ok: false, reason: 'locked' });
  });

  it('resetTotp removes the enrollment and ends the sessions', async () => {
    const { accounts, clock, events } = accountsWith(db);
    await accounts.createUser({ username: 'lostphone', kind: 'staff', password: PASSWORD });
    const { secret } = await accounts.startTotpEnrollment('lostphone');
    await accounts.confirmTotpEnrollment('lostphone', totpCode(secret, clock.now()));
    clock.advanceSeconds(30);
    const r = await accounts.signIn({ username: 'lostphone', password: PASSWORD, totp: totpCode(secret, clock.now()) });
    if (!r.ok) throw new Error(r.reason);
    const u = await accounts.resetTotp('lostphone', { by: 'admin' });
    expect(u.mfaEnrolled).toBe(false);
    expect(await accounts.validateSession(r.session.token)).toBeUndefined();
    expect(await accounts.signIn({ username: 'lostphone', password: PASSWORD })).toEqual({ ok: false, reason: 'mfa-enrollment-required' });
    expect(events.some((e) => e.type === 'mfa-reset' && e.by === 'admin')).toBe(true);
  });

  it('confirming without starting is an error', async () => {
    const { accounts } = accountsWith(db);
    await accounts.createUser({ username: 'nostart', kind: 'staff', password: PASSWORD });
    await expect(accounts.confirmTotpEnrollment('nostart', '123456')).rejects.toMatchObject({ code: 'mfa-not-started' });
  });
});
