import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@confide/store';
import type { Accounts } from '../src/index.ts';
import { accountsWith, migratedDb, PASSWORD } from './support.ts';

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await migratedDb());
});
afterAll(() => close());

let n = 0;
/** A fresh patient account (no MFA) and a signed-in session. */
async function signedIn(accounts: Accounts, remoteAddress?: string) {
  const username = `sess${++n}`;
  await accounts.createUser({ username, kind: 'patient', fhirUser: `Patient/s${n}`, password: PASSWORD });
  const r = await accounts.signIn({ username, password: PASSWORD, remoteAddress });
  if (!r.ok) throw new Error(r.reason);
  return { username, token: r.session.token, id: r.session.id, user: r.user };
}

describe('sessions', () => {
  it('validates a token and returns the session and the account, never for a made-up token', async () => {
    const { accounts } = accountsWith(db);
    const s = await signedIn(accounts, '192.0.2.1');
    const v = await accounts.validateSession(s.token);
    expect(v).toBeDefined();
    expect(v!.user).toEqual(s.user);
    expect(v!.pending).toEqual([]);
    expect(v!.session).toMatchObject({ id: s.id, userId: s.user.id, mfa: false, remoteAddress: '192.0.2.1', revokedAt: null });
    expect(await accounts.validateSession('A'.repeat(43))).toBeUndefined();
    expect(await accounts.validateSession('')).toBeUndefined();
    expect(await accounts.validateSession(s.id)).toBeUndefined(); // the stored id is not a token
    expect(await accounts.validateSession("x' OR '1'='1")).toBeUndefined();
  });

  it('ends after 15 idle minutes: 14 minutes is fine, 16 is not', async () => {
    const { accounts, clock, events } = accountsWith(db);
    const s = await signedIn(accounts, '192.0.2.2');
    clock.advance(14);
    expect(await accounts.validateSession(s.token)).toBeDefined();
    clock.advance(14);
    expect(await accounts.validateSession(s.token)).toBeDefined(); // 28 minutes old, 14 idle
    clock.advance(16);
    expect(await accounts.validateSession(s.token)).toBeUndefined();
    clock.advance(-15); // even if the clock goes back, an ended session stays ended
    expect(await accounts.validateSession(s.token)).toBeUndefined();
    expect(events.filter((e) => e.type === 'session-expired')).toEqual([
      { type: 'session-expired', username: s.username, userId: s.user.id, reason: 'idle-timeout', remoteAddress: '192.0.2.2' },
    ]);
    const row = await db.query<{ revoked_reason: string }>('SELECT revoked_reason FROM auth_session WHERE id = $1', [s.id]);
    expect(row.rows[0].revoked_reason).toBe('idle-timeout');
  });

  it('honours a configured idle time', async () => {
    const { accounts, clock } = accountsWith(db, { sessionIdleMinutes: 5 });
    const s = await signedIn(accounts);
    clock.advance(4);
    expect(await accounts.validateSession(s.token)).toBeDefined();
    clock.advance(6);
    expect(await accounts.validateSession(s.token)).toBeUndefined();
  });

  it('writes last_seen_at at most every 30 seconds', async () => {
    const { accounts, clock } = accountsWith(db);
    const s = await signedIn(accounts);
    const seen = async () =>
      (await db.query<{ t: number }>('SELECT (extract(epoch FROM last_seen_at) * 1000)::float8 AS t FROM auth_session WHERE id = $1', [s.id])).rows[0].t;
    const start = clock.t;
    clock.advanceSeconds(10);
    await accounts.validateSession(s.token);
    expect(await seen()).toBe(start);
    clock.advanceSeconds(25);
    const v = await accounts.validateSession(s.token);
    expect(await seen()).toBe(clock.t);
    expect(v!.session.lastSeenAt.getTime()).toBe(clock.t);
  });

  it('ends at the absolute limit however active it is', async () => {
    const { accounts, clock, events } = accountsWith(db, { sessionMaxHours: 1 });
    const s = await signedIn(accounts);
    for (let i = 0; i < 5; i++) {
      clock.advance(10);
      expect(await accounts.validateSession(s.token)).toBeDefined();
    }
    clock.advance(10); // 60 minutes after sign-in
    expect(await accounts.validateSession(s.token)).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: 'session-expired', reason: 'expired' });
  });

  it('is revoked by token or by id, and lists the ones in force', async () => {
    const { accounts, events } = accountsWith(db);
    const s = await signedIn(accounts);
    const second = await accounts.signIn({ username: s.username, password: PASSWORD });
    const third = await accounts.signIn({ username: s.username, password: PASSWORD });
    if (!second.ok || !third.ok) throw new Error('sign-in failed');
    expect((await accounts.listSessions(s.username)).map((x) => x.id).sort()).toEqual([s.id, second.session.id, third.session.id].sort());

    expect(await accounts.revokeSession(s.token, 'sign-out')).toBe(true);
    expect(await accounts.revokeSession(s.token, 'sign-out')).toBe(false);
    expect(await accounts.validateSession(s.token)).toBeUndefined();
    expect(await accounts.revokeSession(second.session.id, 'revoked by admin', { by: 'admin' })).toBe(true);
    expect(await accounts.validateSession(second.session.token)).toBeUndefined();
    expect(await accounts.validateSession(third.session.token)).toBeDefined();
    expect((await accounts.listSessions(s.username)).map((x) => x.id)).toEqual([third.session.id]);
    expect(await accounts.revokeSession('not a token', 'x')).toBe(false);
    expect(events.filter((e) => e.type === 'sign-out').map((e) => [e.reason, e.by])).toEqual([
      ['sign-out', undefined],
      ['revoked by admin', 'admin'],
    ]);
  });

  it('revokeUserSessions ends them all', async () => {
    const { accounts } = accountsWith(db);
    const s = await signedIn(accounts);
    const other = await accounts.signIn({ username: s.username, password: PASSWORD });
    if (!other.ok) throw new Error(other.reason);
    expect(await accounts.revokeUserSessions(s.username, 'suspicious activity', { by: 'admin' })).toBe(2);
    expect(await accounts.validateSession(s.token)).toBeUndefined();
    expect(await accounts.validateSession(other.session.token)).toBeUndefined();
    expect(await accounts.listSessions(s.username)).toEqual([]);
  });

  it('disabling a user revokes their sessions; enabling does not bring them back', async () => {
    const { accounts } = accountsWith(db);
    const s = await signedIn(accounts);
    await accounts.disableUser(s.username);
    expect(await accounts.validateSession(s.token)).toBeUndefined();
    await accounts.enableUser(s.username);
    expect(await accounts.validateSession(s.token)).toBeUndefined();
    const row = await db.query<{ revoked_reason: string }>('SELECT revoked_reason FROM auth_session WHERE id = $1', [s.id]);
    expect(row.rows[0].revoked_reason).toBe('user-disabled');
  });

  it('a disabled account is refused even if a session was left unrevoked', async () => {
    const { accounts } = accountsWith(db);
    const s = await signedIn(accounts);
    await db.query('UPDATE auth_user SET disabled = true WHERE username = $1', [s.username]);
    expect(await accounts.validateSession(s.token)).toBeUndefined();
  });

  it('a password reset ends every session; a password change keeps only the current one', async () => {
    const { accounts } = accountsWith(db);
    const s = await signedIn(accounts);
    const other = await accounts.signIn({ username: s.username, password: PASSWORD });
    if (!other.ok) throw new Error(other.reason);
    await accounts.changePassword(s.username, PASSWORD, 'second-Fine-pass-8', { keepSession: s.token });
    expect(await accounts.validateSession(s.token)).toBeDefined();
    expect(await accounts.validateSession(other.session.token)).toBeUndefined();
    await accounts.resetPassword(s.username);
    expect(await accounts.validateSession(s.token)).toBeUndefined();
  });
});
