import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '@confide/store';
import { AccountError } from './account-error.ts';
import type { AccountEvent } from './account-event.ts';
import { afterFailure, checkLockoutPolicy, DEFAULT_LOCKOUT, isLocked, type LockoutPolicy } from './lockout.ts';
import { dummyVerify, hashPassword, needsRehash, verifyPassword } from './password-hash.ts';
import { checkPasswordPolicy, generatePassword } from './password-policy.ts';
import { looksLikeSessionId, looksLikeToken, newSessionToken, sessionIdOf } from './session-token.ts';
import { sessionColumns, toSessionInfo, type RawSessionRow, type SessionInfo } from './session-record.ts';
import { checkTotp, newTotpSecret, totpUri } from './totp.ts';
import { toUserRecord, toUserRow, userColumns, type RawUserRow, type UserKind, type UserRecord, type UserRow } from './user-record.ts';
import {
  checkDisplay,
  checkFhirUser,
  checkKind,
  checkOrganizations,
  checkRoles,
  checkUsername,
  normalizeUsername,
  USERNAME_PATTERN,
} from './validation.ts';

export interface AccountsOptions {
  /** The clock (tests move it). */
  now?: () => Date;
  /** Failures before a lock, and its length (default 5 failures, 15 minutes). */
  lockout?: Partial<LockoutPolicy>;
  /** A session unused for longer than this ends (default 15). */
  sessionIdleMinutes?: number;
  /** A session ends this long after sign-in, however active (default 12). */
  sessionMaxHours?: number;
  /** Whether new staff accounts must use TOTP (default true). Patient accounts default to not required. */
  staffMfaRequired?: boolean;
  /** Receives every account event (for the audit trail). Must not throw. */
  onEvent?: (e: AccountEvent) => void;
}

export interface CreateUserInput {
  username: string;
  kind: UserKind;
  /** `Practitioner/<id>` for staff (optional), `Patient/<id>` for patients (required). */
  fhirUser?: string | null;
  display?: string | null;
  roles?: string[];
  organizations?: string[];
  /** Checked against the policy; when absent a password is generated and must be changed at first sign-in. */
  password?: string;
  /** Default: `staffMfaRequired` for staff, false for patients. */
  mfaRequired?: boolean;
}

/** Who performs an administrative change (recorded in the event's `by`). */
export interface ByOptions {
  by?: string;
}

export type SignInFailure =
  | 'invalid-credentials'
  | 'locked'
  | 'disabled'
  | 'mfa-required'
  | 'mfa-invalid'
  | 'mfa-enrollment-required'
  | 'password-change-required';

export interface SignInInput {
  username: string;
  password: string;
  /** The current TOTP code, for accounts enrolled in MFA. */
  totp?: string;
  remoteAddress?: string;
  /**
   * An account that must use MFA but has not enrolled yet is signed in with `needsMfaEnrollment: true` (a
   * session with `mfa: false`) instead of being refused with `mfa-enrollment-required`. Only for a client
   * that then forces the enrollment (the web sign-in page).
   */
  allowEnrollment?: boolean;
  /** The same for `must_change_password`: signed in with `needsPasswordChange: true` instead of refused. */
  allowPasswordChange?: boolean;
}

export interface NewSession {
  /** The secret to hand to the client (cookie). Shown once; only its SHA-256 (`id`) is stored. */
  token: string;
  id: string;
  expiresAt: Date;
  mfa: boolean;
}

export type SignInResult =
  | { ok: true; user: UserRecord; session: NewSession; needsMfaEnrollment: boolean; needsPasswordChange: boolean }
  | { ok: false; reason: SignInFailure };

/**
 * What a session still has to do before it may be used for anything else: change the password, enroll in
 * MFA, or pass MFA (a session that began without it on an account that has enrolled since).
 */
export type PendingStep = 'password-change' | 'mfa-enrollment' | 'mfa';

export interface ValidSession {
  session: SessionInfo;
  user: UserRecord;
  /** Empty for a fully signed-in session. Otherwise only the steps listed may be offered. */
  pending: PendingStep[];
}

/** last_seen_at is written at most this often, so a busy session does not cost a write per request. */
const TOUCH_INTERVAL_MS = 30_000;
const ADMIN_LOCK = 'confide:auth:ensure-admin';

const ts = (d: Date) => d.toISOString();

/**
 * Staff and patient accounts, their passwords and TOTP, lockout, and sign-in sessions, on the `auth_user` and
 * `auth_session` tables. All times come from `options.now`.
 */
export class Accounts {
  private readonly now: () => Date;
  private readonly lockout: LockoutPolicy;
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly staffMfaRequired: boolean;
  private readonly onEvent?: (e: AccountEvent) => void;

  constructor(
    private readonly db: Db,
    options: AccountsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.lockout = { ...DEFAULT_LOCKOUT, ...options.lockout };
    checkLockoutPolicy(this.lockout);
    const idle = options.sessionIdleMinutes ?? 15;
    const max = options.sessionMaxHours ?? 12;
    if (!(idle > 0) || !(max > 0)) throw new RangeError('sessionIdleMinutes and sessionMaxHours must be positive');
    this.idleMs = idle * 60_000;
    this.maxMs = max * 3_600_000;
    this.staffMfaRequired = options.staffMfaRequired ?? true;
    this.onEvent = options.onEvent;
  }

  // ---- users -------------------------------------------------------------------------------------------

  /** Creates an account; `password` is the one given or the generated one (show it once, never log it). */
  async createUser(input: CreateUserInput, opts: ByOptions = {}): Promise<{ user: UserRecord; password: string }> {
    const username = checkUsername(input.username);
    const kind = checkKind(input.kind);
    const fhirUser = checkFhirUser(kind, input.fhirUser);
    const roles = checkRoles(kind, input.roles);
    const organizations = checkOrganizations(kind, input.organizations);
    const display = checkDisplay(input.display);
    const generated = input.password === undefined;
    const password = generated ? generatePassword({ username }) : input.password!;
    if (!generated) this.checkPolicy(password, username);
    if (await this.findRow(username)) throw duplicate(username);
    const mfaRequired = input.mfaRequired ?? (kind === 'staff' ? this.staffMfaRequired : false);
    const hash = await hashPassword(password);
    const row = await this.insertUser(this.db, { id: randomUUID(), username, kind, fhirUser, display, roles, organizations, hash, generated, mfaRequired });
    if (!row) throw duplicate(username);
    this.emit({ type: 'user-created', username, userId: row.id, by: opts.by });
    return { user: toUserRecord(row), password };
  }

  /** By username (any case) or id. */
  async getUser(usernameOrId: string): Promise<UserRecord | undefined> {
    const row = await this.findRow(usernameOrId, true);
    return row && toUserRecord(row);
  }

  async listUsers(): Promise<UserRecord[]> {
    const r = await this.db.query<RawUserRow>(`SELECT ${userColumns()} FROM auth_user ORDER BY username`);
    return r.rows.map((x) => toUserRecord(toUserRow(x)));
  }

  /** Disables the account and ends its sessions. */
  async disableUser(username: string, opts: ByOptions = {}): Promise<UserRecord> {
    const now = this.now();
    const { row, changed } = await this.db.transaction(async (tx) => {
      const before = await this.requireRow(username, tx, true);
      const row = await this.update(tx, before.id, now, 'disabled = true');
      await this.revokeAll(tx, before.id, now, 'user-disabled');
      return { row, changed: !before.disabled };
    });
    if (changed) this.emit({ type: 'user-disabled', username: row.username, userId: row.id, by: opts.by });
    return toUserRecord(row);
  }

  async enableUser(username: string, opts: ByOptions = {}): Promise<UserRecord> {
    const before = await this.requireRow(username);
    const row = await this.update(this.db, before.id, this.now(), 'disabled = false');
    if (before.disabled) this.emit({ type: 'user-enabled', username: row.username, userId: row.id, by: opts.by });
    return toUserRecord(row);
  }

  /**
   * Sets a new password (the one given, checked against the policy, or a generated one that must be changed
   * at the next sign-in), clears the lockout and ends every session of the account. Returns the password.
   */
  async resetPassword(username: string, newPassword?: string, opts: ByOptions = {}): Promise<string> {
    const before = await this.requireRow(username);
    const generated = newPassword === undefined;
    const password = generated ? generatePassword({ username: before.username }) : newPassword!;
    if (!generated) this.checkPolicy(password, before.username);
    const hash = await hashPassword(password);
    const now = this.now();
    await this.db.transaction(async (tx) => {
      await this.update(
        tx,
        before.id,
        now,
        'password_hash = $3, password_changed_at = $2::timestamptz, must_change_password = $4, failed_attempts = 0, locked_until = NULL',
        [hash, generated],
      );
      await this.revokeAll(tx, before.id, now, 'password-reset');
    });
    this.emit({ type: 'password-reset', username: before.username, userId: before.id, by: opts.by });
    return password;
  }

  /**
   * The account holder changes their password. A wrong current password counts as a failed sign-in. Every
   * other session of the account ends; `keepSession` (a token or session id) names the one to keep.
   */
  async changePassword(
    username: string,
    oldPassword: string,
    newPassword: string,
    opts: { keepSession?: string; remoteAddress?: string } = {},
  ): Promise<void> {
    const user = await this.requireRow(username);
    const now = this.now();
    if (isLocked(user, now)) {
      await dummyVerify(oldPassword);
      throw new AccountError('locked', 'The account is locked after too many failed attempts; try again later.');
    }
    if (!(await verifyPassword(user.passwordHash, oldPassword))) {
      await this.recordFailure(user, now, 'wrong-password', opts.remoteAddress);
      throw new AccountError('wrong-password', 'The current password is not correct.');
    }
    this.checkPolicy(newPassword, user.username);
    if (newPassword.normalize('NFKC') === oldPassword.normalize('NFKC')) {
      throw new AccountError('weak-password', 'The new password must differ from the current one.');
    }
    const hash = await hashPassword(newPassword);
    const keep = opts.keepSession === undefined ? null : looksLikeSessionId(opts.keepSession) ? opts.keepSession : sessionIdOf(opts.keepSession);
    await this.db.transaction(async (tx) => {
      await this.update(tx, user.id, now, 'password_hash = $3, password_changed_at = $2::timestamptz, must_change_password = false', [hash]);
      await this.revokeAll(tx, user.id, now, 'password-changed', keep);
    });
    this.emit({ type: 'password-changed', username: user.username, userId: user.id, remoteAddress: opts.remoteAddress });
  }

  async setRoles(username: string, roles: string[], opts: ByOptions = {}): Promise<UserRecord> {
    const before = await this.requireRow(username);
    const checked = checkRoles(before.kind, roles);
    const row = await this.update(this.db, before.id, this.now(), 'roles = $3::text[]', [checked]);
    this.emit({ type: 'roles-changed', username: row.username, userId: row.id, reason: checked.join(',') || '(none)', by: opts.by });
    return toUserRecord(row);
  }

  async setOrganizations(username: string, organizationIds: string[], opts: ByOptions = {}): Promise<UserRecord> {
    const before = await this.requireRow(username);
    const checked = checkOrganizations(before.kind, organizationIds);
    const row = await this.update(this.db, before.id, this.now(), 'organizations = $3::text[]', [checked]);
    this.emit({ type: 'organizations-changed', username: row.username, userId: row.id, reason: checked.join(',') || '(none)', by: opts.by });
    return toUserRecord(row);
  }

  /** Ends a lockout early. */
  async unlock(username: string, opts: ByOptions = {}): Promise<UserRecord> {
    const before = await this.requireRow(username);
    const row = await this.update(this.db, before.id, this.now(), 'failed_attempts = 0, locked_until = NULL');
    this.emit({ type: 'unlocked', username: row.username, userId: row.id, by: opts.by });
    return toUserRecord(row);
  }

  /**
   * On a database without any account, creates the staff account `admin` (role `admin`, a generated password
   * that must be changed, MFA required and enrolled at the first sign-in) and returns its password — the only
   * time it can be shown. Safe when several processes start at once: exactly one creates it.
   */
  async ensureAdmin(): Promise<{ created: true; password: string; user: UserRecord } | { created: false }> {
    const any = await this.db.query('SELECT 1 FROM auth_user LIMIT 1');
    if (any.rows.length) return { created: false };
    const username = 'admin';
    const password = generatePassword({ username });
    const hash = await hashPassword(password);
    const row = await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ADMIN_LOCK]);
      const again = await tx.query('SELECT 1 FROM auth_user LIMIT 1');
      if (again.rows.length) return undefined;
      return this.insertUser(tx, {
        id: randomUUID(),
        username,
        kind: 'staff',
        fhirUser: null,
        display: 'Administrator',
        roles: ['admin'],
        organizations: [],
        hash,
        generated: true,
        mfaRequired: true,
      });
    });
    if (!row) return { created: false };
    this.emit({ type: 'user-created', username, userId: row.id, by: 'system' });
    return { created: true, password, user: toUserRecord(row) };
  }

  // ---- MFA ---------------------------------------------------------------------------------------------

  /**
   * Gives the account a new TOTP secret, not in force until `confirmTotpEnrollment` sees a code made with it.
   * Refused when the account is already enrolled (an administrator resets it first, with `resetTotp`).
   */
  async startTotpEnrollment(username: string, issuer = 'Confide'): Promise<{ secret: string; uri: string }> {
    const user = await this.requireRow(username);
    if (user.mfaEnrolled) throw new AccountError('mfa-already-enrolled', 'This account already uses an authenticator app; reset it first.');
    const secret = newTotpSecret();
    await this.update(this.db, user.id, this.now(), 'totp_secret = $3, totp_enrolled_at = NULL, totp_last_step = NULL', [secret]);
    return { secret, uri: totpUri(secret, user.username, issuer) };
  }

  /**
   * Completes the enrollment when `code` was made with the new secret. `sessionToken` (the session that
   * enrolled) is then counted as having passed MFA.
   */
  async confirmTotpEnrollment(username: string, code: string, sessionToken?: string): Promise<boolean> {
    const user = await this.requireRow(username);
    if (user.mfaEnrolled) throw new AccountError('mfa-already-enrolled', 'This account already uses an authenticator app.');
    if (!user.totpSecret) throw new AccountError('mfa-not-started', 'Start the enrollment first.');
    const now = this.now();
    const check = checkTotp(user.totpSecret, code, now, user.totpLastStep);
    if (!check.ok) return false;
    const done = await this.db.transaction(async (tx) => {
      const r = await tx.query(
        `UPDATE auth_user SET totp_enrolled_at = $2::timestamptz, totp_last_step = $3, updated_at = $2::timestamptz
          WHERE id = $1 AND totp_enrolled_at IS NULL AND totp_secret = $4`,
        [user.id, ts(now), check.step, user.totpSecret],
      );
      if (r.rowCount !== 1) return false;
      if (sessionToken !== undefined && looksLikeToken(sessionToken)) {
        await tx.query('UPDATE auth_session SET mfa = true WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL', [
          sessionIdOf(sessionToken),
          user.id,
        ]);
      }
      return true;
    });
    if (done) this.emit({ type: 'mfa-enrolled', username: user.username, userId: user.id });
    return done;
  }

  /** Removes the account's TOTP (lost phone) and ends its sessions; the next sign-in enrolls again. */
  async resetTotp(username: string, opts: ByOptions = {}): Promise<UserRecord> {
    const before = await this.requireRow(username);
    const now = this.now();
    const row = await this.db.transaction(async (tx) => {
      const row = await this.update(tx, before.id, now, 'totp_secret = NULL, totp_enrolled_at = NULL, totp_last_step = NULL');
      await this.revokeAll(tx, before.id, now, 'mfa-reset');
      return row;
    });
    this.emit({ type: 'mfa-reset', username: row.username, userId: row.id, by: opts.by });
    return toUserRecord(row);
  }

  // ---- sign-in -----------------------------------------------------------------------------------------

  /**
   * Checks a password (and TOTP code) and opens a session. An unknown username and a wrong password give
   * the same answer in the same time. A locked account answers `locked` whatever the password.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const now = this.now();
    const remoteAddress = input.remoteAddress;
    const password = typeof input.password === 'string' ? input.password : '';
    const username = typeof input.username === 'string' ? normalizeUsername(input.username) : '';
    const user = USERNAME_PATTERN.test(username) ? await this.findRow(username) : undefined;
    if (!user) {
      await dummyVerify(password);
      this.emit({ type: 'sign-in-failed', username: USERNAME_PATTERN.test(username) ? username : '(invalid)', reason: 'unknown-user', remoteAddress });
      return { ok: false, reason: 'invalid-credentials' };
    }
    const refuse = (reason: SignInFailure, detail: string = reason): SignInResult => {
      this.emit({ type: 'sign-in-failed', username: user.username, userId: user.id, reason: detail, remoteAddress });
      return { ok: false, reason };
    };
    if (isLocked(user, now)) {
      await dummyVerify(password);
      return refuse('locked');
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      await this.recordFailure(user, now, 'wrong-password', remoteAddress);
      return { ok: false, reason: 'invalid-credentials' };
    }
    if (user.disabled) return refuse('disabled');

    let mfa = false;
    let needsMfaEnrollment = false;
    if (user.mfaEnrolled && user.totpSecret) {
      if (input.totp === undefined || input.totp === '') return { ok: false, reason: 'mfa-required' };
      const check = checkTotp(user.totpSecret, input.totp, now, user.totpLastStep);
      // The step is claimed atomically, so two requests carrying the same code cannot both pass.
      const claimed =
        check.ok &&
        (
          await this.db.query(
            'UPDATE auth_user SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)',
            [user.id, check.step],
          )
        ).rowCount === 1;
      if (!claimed) {
        // For the audit trail: a code that is right but already used is a replay, not a typo.
        const replayed = check.ok || (user.totpLastStep !== null && checkTotp(user.totpSecret, input.totp, now).ok);
        await this.recordFailure(user, now, replayed ? 'mfa-replayed' : 'mfa-invalid', remoteAddress);
        return { ok: false, reason: 'mfa-invalid' };
      }
      mfa = true;
    } else if (user.mfaRequired) {
      if (!input.allowEnrollment) return refuse('mfa-enrollment-required');
      needsMfaEnrollment = true;
    }
    if (user.mustChangePassword && !input.allowPasswordChange) return refuse('password-change-required');

    const rehash = user.passwordHash && needsRehash(user.passwordHash) ? await hashPassword(password) : undefined;
    const { token, id } = newSessionToken();
    const expiresAt = new Date(now.getTime() + this.maxMs);
    const opened = await this.db.transaction(async (tx) => {
      // Re-read under a row lock: a concurrent failure may have locked the account, or an administrator
      // disabled it, since the checks above.
      const r = await tx.query<{ locked_until: number | null; disabled: boolean }>(
        'SELECT (extract(epoch FROM locked_until) * 1000)::float8 AS locked_until, disabled FROM auth_user WHERE id = $1 FOR UPDATE',
        [user.id],
      );
      const current = r.rows[0];
      if (!current) return 'invalid-credentials' as const;
      if (current.disabled) return 'disabled' as const;
      if (isLocked({ failedAttempts: 0, lockedUntil: current.locked_until === null ? null : new Date(Number(current.locked_until)) }, now)) {
        return 'locked' as const;
      }
      await tx.query('UPDATE auth_user SET failed_attempts = 0, locked_until = NULL, password_hash = coalesce($2, password_hash) WHERE id = $1', [
        user.id,
        rehash ?? null,
      ]);
      await tx.query(
        `INSERT INTO auth_session (id, user_id, created_at, last_seen_at, expires_at, remote_address, mfa)
         VALUES ($1, $2, $3::timestamptz, $3::timestamptz, $4::timestamptz, $5, $6)`,
        [id, user.id, ts(now), ts(expiresAt), remoteAddress ?? null, mfa],
      );
      return 'ok' as const;
    });
    if (opened !== 'ok') return refuse(opened);
    this.emit({ type: 'sign-in', username: user.username, userId: user.id, remoteAddress, reason: mfa ? 'mfa' : undefined });
    return {
      ok: true,
      user: toUserRecord({ ...user, failedAttempts: 0, lockedUntil: null }),
      session: { token, id, expiresAt, mfa },
      needsMfaEnrollment,
      needsPasswordChange: user.mustChangePassword,
    };
  }

  // ---- sessions ----------------------------------------------------------------------------------------

  /**
   * The session of a token and its account, or undefined when the token is unknown, the session was revoked,
   * has passed its absolute end, has been idle longer than `sessionIdleMinutes`, or the account is disabled.
   * `pending` lists what the session must still do before it may be used for anything else.
   */
  async validateSession(token: string): Promise<ValidSession | undefined> {
    if (!looksLikeToken(token)) return undefined;
    const id = sessionIdOf(token);
    const now = this.now();
    const r = await this.db.query<RawSessionRow & RawUserRow>(
      `SELECT ${sessionColumns('s')}, ${userColumns('u')} FROM auth_session s JOIN auth_user u ON u.id = s.user_id WHERE s.id = $1`,
      [id],
    );
    const raw = r.rows[0];
    if (!raw) return undefined;
    const session = toSessionInfo(raw);
    const user = toUserRow(raw);
    if (session.revokedAt) return undefined;
    if (session.expiresAt.getTime() <= now.getTime()) {
      await this.expire(session, user, now, 'expired');
      return undefined;
    }
    if (now.getTime() - session.lastSeenAt.getTime() > this.idleMs) {
      await this.expire(session, user, now, 'idle-timeout');
      return undefined;
    }
    if (user.disabled) return undefined;
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.db.query('UPDATE auth_session SET last_seen_at = $2::timestamptz WHERE id = $1 AND last_seen_at < $2::timestamptz', [id, ts(now)]);
      session.lastSeenAt = now;
    }
    const pending: PendingStep[] = [];
    if (user.mustChangePassword) pending.push('password-change');
    if (user.mfaRequired && !session.mfa) pending.push(user.mfaEnrolled ? 'mfa' : 'mfa-enrollment');
    return { session, user: toUserRecord(user), pending };
  }

  /** Ends one session, by its token or its id. False when there was no such active session. */
  async revokeSession(tokenOrId: string, reason = 'sign-out', opts: ByOptions = {}): Promise<boolean> {
    const ids: string[] = [];
    if (looksLikeSessionId(tokenOrId)) ids.push(tokenOrId);
    if (looksLikeToken(tokenOrId)) ids.push(sessionIdOf(tokenOrId));
    if (!ids.length) return false;
    const r = await this.db.query<{ username: string; user_id: string; remote_address: string | null }>(
      `UPDATE auth_session s SET revoked_at = $2::timestamptz, revoked_reason = $3
         FROM auth_user u
        WHERE s.id = ANY($1::text[]) AND s.revoked_at IS NULL AND u.id = s.user_id
        RETURNING u.username, s.user_id, s.remote_address`,
      [ids, ts(this.now()), reason],
    );
    const row = r.rows[0];
    if (!row) return false;
    this.emit({ type: 'sign-out', username: row.username, userId: row.user_id, reason, remoteAddress: row.remote_address ?? undefined, by: opts.by });
    return true;
  }

  /** Ends every session of an account; returns how many were active. */
  async revokeUserSessions(username: string, reason = 'revoked', opts: ByOptions = {}): Promise<number> {
    const user = await this.requireRow(username);
    const n = await this.revokeAll(this.db, user.id, this.now(), reason);
    if (n > 0) this.emit({ type: 'sign-out', username: user.username, userId: user.id, reason: `${reason} (${n} sessions)`, by: opts.by });
    return n;
  }

  /** The account's sessions still in force (not revoked, not expired, not idle), oldest first. */
  async listSessions(username: string): Promise<SessionInfo[]> {
    const user = await this.requireRow(username);
    const now = this.now();
    const r = await this.db.query<RawSessionRow>(
      `SELECT ${sessionColumns('s')} FROM auth_session s
        WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2::timestamptz AND s.last_seen_at >= $3::timestamptz
        ORDER BY s.created_at, s.id`,
      [user.id, ts(now), ts(new Date(now.getTime() - this.idleMs))],
    );
    return r.rows.map(toSessionInfo);
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private emit(e: AccountEvent): void {
    if (!this.onEvent) return;
    const clean = Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as unknown as AccountEvent;
    this.onEvent(clean);
  }

  private checkPolicy(password: string, username: string): void {
    if (typeof password !== 'string') throw new AccountError('weak-password', 'The password must be text.');
    const problems = checkPasswordPolicy(password, { username });
    if (problems.length) throw new AccountError('weak-password', problems.join(' '));
  }

  private async findRow(usernameOrId: string, orId = false, q: Queryable = this.db, forUpdate = false): Promise<UserRow | undefined> {
    if (typeof usernameOrId !== 'string') return undefined;
    const username = normalizeUsername(usernameOrId);
    const lock = forUpdate ? ' FOR UPDATE' : '';
    const r = orId
      ? // A username that happens to look like another account's id still means that username.
        await q.query<RawUserRow>(
          `SELECT ${userColumns()} FROM auth_user WHERE username = $1 OR id = $2 ORDER BY (username = $1) DESC LIMIT 1${lock}`,
          [username, usernameOrId],
        )
      : await q.query<RawUserRow>(`SELECT ${userColumns()} FROM auth_user WHERE username = $1${lock}`, [username]);
    return r.rows[0] && toUserRow(r.rows[0]);
  }

  private async requireRow(username: string, q: Queryable = this.db, forUpdate = false): Promise<UserRow> {
    const row = await this.findRow(username, true, q, forUpdate);
    if (!row) throw new AccountError('not-found', `No such user: ${normalizeUsername(String(username)).slice(0, 64)}.`);
    return row;
  }

  /** `UPDATE auth_user SET <set>, updated_at = $2 WHERE id = $1 RETURNING *`; extra parameters from $3. */
  private async update(q: Queryable, id: string, now: Date, set: string, params: unknown[] = []): Promise<UserRow> {
    const r = await q.query<RawUserRow>(
      `UPDATE auth_user SET ${set}, updated_at = $2::timestamptz WHERE id = $1 RETURNING ${userColumns()}`,
      [id, ts(now), ...params],
    );
    if (!r.rows[0]) throw new AccountError('not-found', 'No such user.');
    return toUserRow(r.rows[0]);
  }

  private async insertUser(
    q: Queryable,
    u: Pick<UserRecord, 'id' | 'username' | 'kind' | 'fhirUser' | 'display' | 'roles' | 'organizations' | 'mfaRequired'> & { hash: string; generated: boolean },
  ): Promise<UserRow | undefined> {
    const now = ts(this.now());
    const r = await q.query<RawUserRow>(
      `INSERT INTO auth_user (id, username, kind, fhir_user, display, roles, organizations, password_hash, password_changed_at,
                              must_change_password, mfa_required, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8, $9::timestamptz, $10, $11, $9::timestamptz, $9::timestamptz)
       ON CONFLICT (username) DO NOTHING
       RETURNING ${userColumns()}`,
      [u.id, u.username, u.kind, u.fhirUser, u.display, u.roles, u.organizations, u.hash, now, u.generated, u.mfaRequired],
    );
    return r.rows[0] && toUserRow(r.rows[0]);
  }

  /** One more failure, under a row lock so that concurrent failures all count. */
  private async recordFailure(user: UserRow, now: Date, detail: string, remoteAddress: string | undefined): Promise<void> {
    const lockedNow = await this.db.transaction(async (tx) => {
      const current = await this.findRow(user.username, false, tx, true);
      if (!current) return false;
      const next = afterFailure(current, now, this.lockout);
      await tx.query('UPDATE auth_user SET failed_attempts = $2, locked_until = $3::timestamptz WHERE id = $1', [
        user.id,
        next.failedAttempts,
        next.lockedUntil ? ts(next.lockedUntil) : null,
      ]);
      return next.lockedNow;
    });
    this.emit({ type: 'sign-in-failed', username: user.username, userId: user.id, reason: detail, remoteAddress });
    if (lockedNow) {
      this.emit({ type: 'locked', username: user.username, userId: user.id, reason: `${this.lockout.maxFailures} failed attempts`, remoteAddress });
    }
  }

  private async revokeAll(q: Queryable, userId: string, now: Date, reason: string, keepId: string | null = null): Promise<number> {
    const r = await q.query(
      `UPDATE auth_session SET revoked_at = $2::timestamptz, revoked_reason = $3
        WHERE user_id = $1 AND revoked_at IS NULL AND ($4::text IS NULL OR id <> $4::text)`,
      [userId, ts(now), reason, keepId],
    );
    return r.rowCount;
  }

  private async expire(session: SessionInfo, user: UserRow, now: Date, reason: 'expired' | 'idle-timeout'): Promise<void> {
    const r = await this.db.query('UPDATE auth_session SET revoked_at = $2::timestamptz, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL', [
      session.id,
      ts(now),
      reason,
    ]);
    if (r.rowCount === 1) {
      this.emit({ type: 'session-expired', username: user.username, userId: user.id, reason, remoteAddress: session.remoteAddress ?? undefined });
    }
  }
}

function duplicate(username: string): AccountError {
  return new AccountError('duplicate-username', `A user named "${username}" already exists.`);
}
