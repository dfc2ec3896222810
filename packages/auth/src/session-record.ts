/** A sign-in session as stored (the token itself is never stored: `id` is its SHA-256). */
export interface SessionInfo {
  id: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** The absolute end, however active the session is. */
  expiresAt: Date;
  /** Whether a second factor was passed for this session. */
  mfa: boolean;
  remoteAddress: string | null;
  revokedAt: Date | null;
  revokedReason: string | null;
}

const ms = (alias: string, col: string) => `(extract(epoch FROM ${alias}.${col}) * 1000)::float8 AS session_${col}`;

/** Session columns of the row aliased `alias`, each named `session_<column>`. */
export function sessionColumns(alias: string): string {
  return [
    `${alias}.id AS session_id`,
    `${alias}.user_id AS session_user_id`,
    ms(alias, 'created_at'),
    ms(alias, 'last_seen_at'),
    ms(alias, 'expires_at'),
    ms(alias, 'revoked_at'),
    `${alias}.revoked_reason AS session_revoked_reason`,
    `${alias}.remote_address AS session_remote_address`,
    `${alias}.mfa AS session_mfa`,
  ].join(', ');
}

export interface RawSessionRow {
  session_id: string;
  session_user_id: string;
  session_created_at: number;
  session_last_seen_at: number;
  session_expires_at: number;
  session_revoked_at: number | null;
  session_revoked_reason: string | null;
  session_remote_address: string | null;
  session_mfa: boolean;
}

export function toSessionInfo(r: RawSessionRow): SessionInfo {
  return {
    id: r.session_id,
    userId: r.session_user_id,
    createdAt: new Date(Number(r.session_created_at)),
    lastSeenAt: new Date(Number(r.session_last_seen_at)),
    expiresAt: new Date(Number(r.session_expires_at)),
    mfa: r.session_mfa,
    remoteAddress: r.session_remote_address,
    revokedAt: r.session_revoked_at === null ? null : new Date(Number(r.session_revoked_at)),
    revokedReason: r.session_revoked_reason,
  };
}
