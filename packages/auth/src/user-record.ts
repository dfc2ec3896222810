/** The two kinds of account. */
export type UserKind = 'staff' | 'patient';

/** An account as the rest of Confide sees it: never the password hash or the TOTP secret. */
export interface UserRecord {
  id: string;
  /** Login name, lower case. */
  username: string;
  kind: UserKind;
  /** `Practitioner/<id>` (staff) or `Patient/<id>` (patient users); staff may have none (e.g. `admin`). */
  fhirUser: string | null;
  display: string | null;
  /** Staff role codes (`ROLES` of `@confide/policy`). */
  roles: string[];
  /** Bare Organization ids given to the account directly, on top of its PractitionerRoles. */
  organizations: string[];
  disabled: boolean;
  mfaRequired: boolean;
  mfaEnrolled: boolean;
  mustChangePassword: boolean;
  /** Set while locked or after a lock that has run out; compare with the clock (`isLocked`). */
  lockedUntil: Date | null;
  createdAt: Date;
}

/** The whole row, secrets included: internal to this package. */
export interface UserRow extends UserRecord {
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  totpSecret: string | null;
  totpLastStep: number | null;
  failedAttempts: number;
}

/** Columns of `auth_user` (aliased `alias`); timestamps travel as epoch milliseconds, so neither driver's date text format matters. */
export function userColumns(alias = 'auth_user'): string {
  const c = (col: string) => `${alias}.${col}`;
  const ms = (col: string) => `(extract(epoch FROM ${c(col)}) * 1000)::float8 AS ${col}`;
  return [
    c('id'),
    c('username'),
    c('kind'),
    c('fhir_user'),
    c('display'),
    c('roles'),
    c('organizations'),
    c('password_hash'),
    ms('password_changed_at'),
    c('must_change_password'),
    c('mfa_required'),
    c('totp_secret'),
    ms('totp_enrolled_at'),
    `${c('totp_last_step')}::float8 AS totp_last_step`,
    c('failed_attempts'),
    ms('locked_until'),
    c('disabled'),
    ms('created_at'),
  ].join(', ');
}

export interface RawUserRow {
  id: string;
  username: string;
  kind: UserKind;
  fhir_user: string | null;
  display: string | null;
  roles: string[] | null;
  organizations: string[] | null;
  password_hash: string | null;
  password_changed_at: number | null;
  must_change_password: boolean;
  mfa_required: boolean;
  totp_secret: string | null;
  totp_enrolled_at: number | null;
  totp_last_step: number | null;
  failed_attempts: number;
  locked_until: number | null;
  disabled: boolean;
  created_at: number;
}

const date = (v: number | null): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));

export function toUserRow(r: RawUserRow): UserRow {
  return {
    id: r.id,
    username: r.username,
    kind: r.kind,
    fhirUser: r.fhir_user,
    display: r.display,
    roles: r.roles ?? [],
    organizations: r.organizations ?? [],
    disabled: r.disabled,
    mfaRequired: r.mfa_required,
    mfaEnrolled: r.totp_enrolled_at !== null,
    mustChangePassword: r.must_change_password,
    lockedUntil: date(r.locked_until),
    createdAt: date(r.created_at)!,
    passwordHash: r.password_hash,
    passwordChangedAt: date(r.password_changed_at),
    totpSecret: r.totp_secret,
    totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
    failedAttempts: Number(r.failed_attempts),
  };
}

/** Drops the secrets. */
export function toUserRecord(u: UserRow): UserRecord {
  return {
    id: u.id,
    username: u.username,
    kind: u.kind,
    fhirUser: u.fhirUser,
    display: u.display,
    roles: [...u.roles],
    organizations: [...u.organizations],
    disabled: u.disabled,
    mfaRequired: u.mfaRequired,
    mfaEnrolled: u.mfaEnrolled,
    mustChangePassword: u.mustChangePassword,
    lockedUntil: u.lockedUntil,
    createdAt: u.createdAt,
  };
}
