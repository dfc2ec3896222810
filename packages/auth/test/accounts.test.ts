import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@confide/store';
import { AccountError, checkPasswordPolicy, createDemoAccounts, DEMO_PASSWORD } from '../src/index.ts';
import { accountsWith, migratedDb, PASSWORD } from './support.ts';

let db: Db;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await migratedDb());
});
afterAll(() => close());

async function refused(p: Promise<unknown>): Promise<AccountError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AccountError);
  return e as AccountError;
}

describe('creating accounts', () => {
  it('creates a staff user with a generated password that must be changed, MFA required by default', async () => {
    const { accounts, events } = accountsWith(db);
    const { user, password } = await accounts.createUser(
      { username: 'SChen', kind: 'staff', fhirUser: 'Practitioner/dr-chen', display: 'Dr Sarah Chen', roles: ['clinician'], organizations: ['org1'] },
      { by: 'admin' },
    );
    expect(checkPasswordPolicy(password, { username: 'schen' })).toEqual([]);
    expect(user).toMatchObject({
      username: 'schen',
      kind: 'staff',
      fhirUser: 'Practitioner/dr-chen',
      display: 'Dr Sarah Chen',
      roles: ['clinician'],
      organizations: ['org1'],
      disabled: false,
      mfaRequired: true,
      mfaEnrolled: false,
      mustChangePassword: true,
      lockedUntil: null,
    });
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(Object.keys(user)).not.toContain('passwordHash');
    expect(events).toEqual([{ type: 'user-created', username: 'schen', userId: user.id, by: 'admin' }]);

    expect(await accounts.getUser('SCHEN')).toEqual(user);
    expect(await accounts.getUser(user.id)).toEqual(user);
    expect(await accounts.getUser('nobody')).toBeUndefined();
  });

  it('creates a patient user with a given password: no MFA, no forced change', async () => {
    const { accounts } = accountsWith(db);
    const { user, password } = await accounts.createUser({ username: 'maya.t', kind: 'patient', fhirUser: 'Patient/p1', password: PASSWORD });
    expect(password).toBe(PASSWORD);
    expect(user).toMatchObject({ kind: 'patient', fhirUser: 'Patient/p1', roles: [], mfaRequired: false, mustChangePassword: false });
  });

  it('follows staffMfaRequired and an explicit mfaRequired', async () => {
    const { accounts } = accountsWith(db, { staffMfaRequired: false });
    expect((await accounts.createUser({ username: 'nomfa1', kind: 'staff', password: PASSWORD })).user.mfaRequired).toBe(false);
    expect((await accounts.createUser({ username: 'nomfa2', kind: 'staff', password: PASSWORD, mfaRequired: true })).user.mfaRequired).toBe(true);
    expect((await accounts.createUser({ username: 'pmfa', kind: 'patient', fhirUser: 'Patient/p9', password: PASSWORD, mfaRequired: true })).user.mfaRequired).toBe(true);
  });

  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a short username', { username: 'ab', kind: 'staff' }, 'invalid-username', /3 to 64/],
    ['a username with spaces', { username: 'a b c', kind: 'staff' }, 'invalid-username', /3 to 64/],
    ['an unknown kind', { username: 'kindly', kind: 'robot' }, 'invalid-kind', /staff.*patient/],
    ['a patient without a Patient', { username: 'nolink', kind: 'patient' }, 'invalid-fhir-user', /linked to a Patient/],
    ['a patient linked to a Practitioner', { username: 'wrongl', kind: 'patient', fhirUser: 'Practitioner/x' }, 'invalid-fhir-user', /must be linked to a Patient/],
    ['staff linked to a Patient', { username: 'wrongs', kind: 'staff', fhirUser: 'Patient/x' }, 'invalid-fhir-user', /Practitioner/],
    ['a malformed FHIR user', { username: 'badref', kind: 'staff', fhirUser: 'Practitioner/a b' }, 'invalid-fhir-user', /Practitioner\/<id>/],
    ['an unknown role', { username: 'rolly', kind: 'staff', roles: ['clinician', 'superuser'] }, 'invalid-role', /"superuser"/],
    ['a patient with a role', { username: 'prole', kind: 'patient', fhirUser: 'Patient/p2', roles: ['clinician'] }, 'invalid-role', /no staff roles/],
    ['a bad organization id', { username: 'orgy', kind: 'staff', organizations: ['a/b'] }, 'invalid-organization', /Organization ids/],
    ['a weak password', { username: 'weakling', kind: 'staff', password: 'password1234' }, 'weak-password', /most commonly used/],
  ];
  it.each(bad)('refuses %s', async (_name, input, code, message) => {
    const { accounts } = accountsWith(db);
    const e = await refused(accounts.createUser(input as never));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('refuses a duplicate username, whatever its case', async () => {
    const { accounts } = accountsWith(db);
    await accounts.createUser({ username: 'twin', kind: 'staff', password: PASSWORD });
    const e = await refused(accounts.createUser({ username: 'TWIN', kind: 'staff', password: PASSWORD }));
    expect(e.code).toBe('duplicate-username');
    expect(e.message).toBe('A user named "twin" already exists.');
    // Two at once: exactly one wins.
    const results = await Promise.allSettled([
      accounts.createUser({ username: 'race', kind: 'staff', password: PASSWORD }),
      accounts.createUser({ username: 'race', kind: 'staff', password: PASSWORD }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code).toBe('duplicate-username');
  });

  it('stores an Argon2id hash, never the password', async () => {
    const { accounts } = accountsWith(db);
    const { user } = await accounts.createUser({ username: 'hashed', kind: 'staff', password: PASSWORD });
    const r = await db.query<{ password_hash: string }>('SELECT password_hash FROM auth_user WHERE id = $1', [user.id]);
    expect(r.rows[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(r.rows[0].password_hash).not.toContain(PASSWORD);
  });
});

describe('administering accounts', () => {
  it('sets roles and organizations, checked', async () => {
    const { accounts, events } = accountsWith(db);
    await accounts.createUser({ username: 'roles1', kind: 'staff', password: PASSWORD, roles: ['front-desk'] });
    const u = await accounts.setRoles('roles1', ['auditor', 'clinician', 'auditor'], { by: 'admin' });
    expect(u.roles).toEqual(['clinician', 'auditor']);
    expect((await refused(accounts.setRoles('roles1', ['root']))).code).toBe('invalid-role');
    const o = await accounts.setOrganizations('roles1', ['Organization/org2', 'org3', 'org2']);
    expect(o.organizations).toEqual(['org2', 'org3']);
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['user-created', undefined],
      ['roles-changed', 'clinician,auditor'],
      ['organizations-changed', 'org2,org3'],
    ]);
    expect((await refused(accounts.setRoles('ghost', ['clinician']))).code).toBe('not-found');
  });

  it('lists users in username order', async () => {
    const { accounts } = accountsWith(db);
    const list = await accounts.listUsers();
    const names = list.map((u) => u.username);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('schen');
  });

  it('disables and enables', async () => {
    const { accounts, events } = accountsWith(db);
    await accounts.createUser({ username: 'toggle', kind: 'staff', password: PASSWORD });
    expect((await accounts.disableUser('toggle', { by: 'admin' })).disabled).toBe(true);
    expect((await accounts.disableUser('toggle')).disabled).toBe(true);
    expect((await accounts.enableUser('toggle')).disabled).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['user-created', 'user-disabled', 'user-enabled']);
    expect(events[1].by).toBe('admin');
  });

  it('resets a password: generated must be changed, given need not; the lock is cleared', async () => {
    const { accounts, events } = accountsWith(db, { staffMfaRequired: false });
    await accounts.createUser({ username: 'resetme', kind: 'staff', password: PASSWORD });
    for (let i = 0; i < 5; i++) await accounts.signIn({ username: 'resetme', password: 'wrong-password-xx' });
    expect((await accounts.getUser('resetme'))!.lockedUntil).not.toBeNull();
    const generated = await accounts.resetPassword('resetme', undefined, { by: 'admin' });
    expect(checkPasswordPolicy(generated, { username: 'resetme' })).toEqual([]);
    const u = (await accounts.getUser('resetme'))!;
    expect(u).toMatchObject({ mustChangePassword: true, lockedUntil: null });
    expect(await accounts.signIn({ username: 'resetme', password: PASSWORD })).toEqual({ ok: false, reason: 'invalid-credentials' });
    expect(await accounts.signIn({ username: 'resetme', password: generated })).toEqual({ ok: false, reason: 'password-change-required' });
    await accounts.resetPassword('resetme', 'another-Fine-pass-7');
    expect((await accounts.getUser('resetme'))!.mustChangePassword).toBe(false);
    expect((await accounts.signIn({ username: 'resetme', password: 'another-Fine-pass-7' })).ok).toBe(true);
    expect((await refused(accounts.resetPassword('resetme', 'short'))).code).toBe('weak-password');
    expect(events.filter((e) => e.type === 'password-reset')).toHaveLength(2);
  });

  it('changes a password: checks the old one and the policy, clears the forced change', async () => {
    const { accounts, events } = accountsWith(db, { staffMfaRequired: false });
    const { password } = await accounts.createUser({ username: 'changer', kind: 'staff' });
    expect((await refused(accounts.changePassword('changer', 'not-the-password', 'new-Fine-pass-77'))).code).toBe('wrong-password');
    expect((await accounts.getUser('changer'))!.lockedUntil).toBeNull();
    const weak = await refused(accounts.changePassword('changer', password, 'changer-2026-ok'));
    expect(weak.code).toBe('weak-password');
    expect(weak.message).toMatch(/username/);
    expect((await refused(accounts.changePassword('changer', password, password))).message).toMatch(/differ/);
    await accounts.changePassword('changer', password, 'new-Fine-pass-77');
    expect((await accounts.getUser('changer'))!.mustChangePassword).toBe(false);
    expect((await accounts.signIn({ username: 'changer', password: 'new-Fine-pass-77' })).ok).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['user-created', 'sign-in-failed', 'password-changed', 'sign-in']);
  });

  it('unlocks', async () => {
    const { accounts } = accountsWith(db, { staffMfaRequired: false });
    await accounts.createUser({ username: 'unlockme', kind: 'staff', password: PASSWORD });
    for (let i = 0; i < 5; i++) await accounts.signIn({ username: 'unlockme', password: 'wrong-password-xx' });
    expect(await accounts.signIn({ username: 'unlockme', password: PASSWORD })).toEqual({ ok: false, reason: 'locked' });
    const u = await accounts.unlock('unlockme', { by: 'admin' });
    expect(u.lockedUntil).toBeNull();
    expect((await accounts.signIn({ username: 'unlockme', password: PASSWORD })).ok).toBe(true);
  });
});

describe('ensureAdmin', () => {
  it('creates admin once and only once, also when two processes start together', async () => {
    const { db: empty, close: closeEmpty } = await migratedDb();
    try {
      const a = accountsWith(empty);
      const b = accountsWith(empty);
      const [ra, rb] = await Promise.all([a.accounts.ensureAdmin(), b.accounts.ensureAdmin()]);
      const created = [ra, rb].filter((r) => r.created);
      expect(created).toHaveLength(1);
      const first = created[0] as { created: true; password: string };
      expect(checkPasswordPolicy(first.password, { username: 'admin' })).toEqual([]);
      expect(await a.accounts.ensureAdmin()).toEqual({ created: false });
      const users = await a.accounts.listUsers();
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({
        username: 'admin',
        kind: 'staff',
        roles: ['admin'],
        fhirUser: null,
        mustChangePassword: true,
        mfaRequired: true,
        mfaEnrolled: false,
      });
      // The first sign-in must enroll MFA and change the password.
      expect(await a.accounts.signIn({ username: 'admin', password: first.password })).toEqual({ ok: false, reason: 'mfa-enrollment-required' });
      const s = await a.accounts.signIn({ username: 'admin', password: first.password, allowEnrollment: true, allowPasswordChange: true });
      expect(s).toMatchObject({ ok: true, needsMfaEnrollment: true, needsPasswordChange: true, session: { mfa: false } });
      const events = [...a.events, ...b.events].filter((e) => e.type === 'user-created');
      expect(events).toEqual([{ type: 'user-created', username: 'admin', userId: users[0].id, by: 'system' }]);
      expect(JSON.stringify([...a.events, ...b.events])).not.toContain(first.password);
    } finally {
      await closeEmpty();
    }
  });

  it('does nothing on a database that has users', async () => {
    const { accounts } = accountsWith(db);
    expect(await accounts.ensureAdmin()).toEqual({ created: false });
    expect(await accounts.getUser('admin')).toBeUndefined();
  });
});

describe('demo accounts', () => {
  it('creates the demo staff and patients with the demo password and no MFA, idempotently', async () => {
    const { accounts } = accountsWith(db);
    const demo = {
      staff: [
        { username: 'demo.chen', display: 'Dr. Sarah Chen', role: 'clinician', practitionerId: 'pr-chen' },
        { username: 'demo.desk', display: 'Ana Desk', role: 'front-desk', practitionerId: 'pr-desk' },
      ],
      patients: [{ username: 'demo.maya', display: 'Maya Thompson', patientId: 'demo-patient-001' }],
    };
    const created = await createDemoAccounts(accounts, demo);
    expect(created.map((u) => [u.username, u.kind, u.fhirUser, u.roles, u.mfaRequired, u.mustChangePassword])).toEqual([
      ['demo.chen', 'staff', 'Practitioner/pr-chen', ['clinician'], false, false],
      ['demo.desk', 'staff', 'Practitioner/pr-desk', ['front-desk'], false, false],
      ['demo.maya', 'patient', 'Patient/demo-patient-001', [], false, false],
    ]);
    expect(await createDemoAccounts(accounts, demo)).toEqual([]);
    const s = await accounts.signIn({ username: 'demo.chen', password: DEMO_PASSWORD });
    expect(s.ok).toBe(true);
    expect((await accounts.signIn({ username: 'demo.maya', password: DEMO_PASSWORD })).ok).toBe(true);
  });
});
