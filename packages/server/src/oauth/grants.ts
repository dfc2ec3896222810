import type { Db, Queryable } from '@confide/store';
import { randomToken, sha256 } from './secrets.ts';
import { iso, json, ms, num } from './sql.ts';

/** SMART launch context returned with the token (app-launch "Launch context arrives with your access_token"). */
export interface LaunchContext {
  patient?: string;
  encounter?: string;
  need_patient_banner?: boolean;
  smart_style_url?: string;
}

/** One authorization: what a user, or a backend service (no user), allowed a client. Tokens belong to a grant. */
export interface Grant {
  id: string;
  clientId: string;
  userId: string | null;
  scope: string;
  launchContext: LaunchContext | null;
  /** offline_access granted: refresh tokens outlive the user's activity. */
  offline: boolean;
  createdAt: number;
  lastUsedAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
}

export interface RefreshTokenRecord {
  hash: string;
  grantId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

interface GrantRow {
  id: string;
  client_id: string;
  user_id: string | null;
  scope: string;
  launch_context: unknown;
  offline: boolean;
  created_at: number;
  last_used_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

function grantColumns(a = ''): string {
  const p = a ? `${a}.` : '';
  return [
    `${p}id`,
    `${p}client_id`,
    `${p}user_id`,
    `${p}scope`,
    `${p}launch_context`,
    `${p}offline`,
    ms(`${p}created_at`),
    ms(`${p}last_used_at`),
    ms(`${p}revoked_at`),
    `${p}revoked_reason`,
  ].join(', ');
}
const GRANT_COLUMNS = grantColumns();

function toGrant(r: GrantRow): Grant {
  return {
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    scope: r.scope,
    launchContext: json<LaunchContext>(r.launch_context),
    offline: r.offline,
    createdAt: num(r.created_at)!,
    lastUsedAt: num(r.last_used_at)!,
    revokedAt: num(r.revoked_at),
    revokedReason: r.revoked_reason,
  };
}

/** Grants (`oauth_grant`) and their rotating refresh tokens (`oauth_refresh_token`, stored hashed). */
export class GrantStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  async create(
    q: Queryable,
    g: { clientId: string; userId: string | null; scope: string; launchContext?: LaunchContext | null; offline: boolean },
  ): Promise<Grant> {
    const at = iso(this.now());
    const r = await q.query<GrantRow>(
      `INSERT INTO oauth_grant (id, client_id, user_id, scope, launch_context, offline, created_at, last_used_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::timestamptz, $7::timestamptz) RETURNING ${GRANT_COLUMNS}`,
      [randomToken(16), g.clientId, g.userId, g.scope, g.launchContext ? JSON.stringify(g.launchContext) : null, g.offline, at],
    );
    return toGrant(r.rows[0]);
  }

  async get(id: string, q: Queryable = this.db): Promise<Grant | undefined> {
    const r = await q.query<GrantRow>(`SELECT ${GRANT_COLUMNS} FROM oauth_grant WHERE id = $1`, [id], 'oauth:grant');
    return r.rows[0] ? toGrant(r.rows[0]) : undefined;
  }

  /** The grant with its client's state, for bearer authentication: one query on a cache miss. */
  async getForToken(id: string): Promise<(Grant & { clientDisabled: boolean; purposeOfUse: string | null }) | undefined> {
    const r = await this.db.query<GrantRow & { client_disabled: boolean; purpose_of_use: string | null }>(
      `SELECT ${grantColumns('g')}, c.disabled AS client_disabled, c.purpose_of_use
         FROM oauth_grant g JOIN oauth_client c ON c.client_id = g.client_id WHERE g.id = $1`,
      [id],
      'oauth:grant-for-token',
    );
    const x = r.rows[0];
    return x ? { ...toGrant(x), clientDisabled: x.client_disabled, purposeOfUse: x.purpose_of_use } : undefined;
  }

  /** Revokes a grant and with it every token of it. True when this call revoked it. */
  async revoke(id: string, reason: string, q: Queryable = this.db): Promise<boolean> {
    const r = await q.query('UPDATE oauth_grant SET revoked_at = $2::timestamptz, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL', [
      id,
      iso(this.now()),
      reason,
    ]);
    return r.rowCount > 0;
  }

  /** Revokes every active grant of an account; returns their ids. */
  async revokeForUser(userId: string, reason: string): Promise<string[]> {
    const r = await this.db.query<{ id: string }>(
      'UPDATE oauth_grant SET revoked_at = $2::timestamptz, revoked_reason = $3 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id',
      [userId, iso(this.now()), reason],
    );
    return r.rows.map((x) => x.id);
  }

  /** Records use of a grant (idle tracking of online grants). Never moves the time back. */
  async touch(id: string, at: number): Promise<void> {
    await this.db.query(
      'UPDATE oauth_grant SET last_used_at = $2::timestamptz WHERE id = $1 AND last_used_at < $2::timestamptz',
      [id, iso(at)],
      'oauth:grant-touch',
    );
  }

  /** Grants revoked after `since` (ms): how other processes learn of revocations. */
  async revokedSince(since: number): Promise<{ id: string; revokedAt: number }[]> {
    const r = await this.db.query<{ id: string; revoked_at: number }>(
      `SELECT id, ${ms('revoked_at')} FROM oauth_grant WHERE revoked_at > $1::timestamptz`,
      [iso(since)],
      'oauth:revoked-since',
    );
    return r.rows.map((x) => ({ id: x.id, revokedAt: num(x.revoked_at)! }));
  }

  /** A new refresh token of `grantId`; only its hash is stored. */
  async issueRefreshToken(q: Queryable, grantId: string, expiresAt: number): Promise<{ token: string; hash: string }> {
    const token = randomToken(32);
    const hash = sha256(token);
    await q.query(
      'INSERT INTO oauth_refresh_token (token_hash, grant_id, created_at, expires_at) VALUES ($1, $2, $3::timestamptz, $4::timestamptz)',
      [hash, grantId, iso(this.now()), iso(expiresAt)],
    );
    return { token, hash };
  }

  async findRefreshToken(token: string, q: Queryable = this.db): Promise<RefreshTokenRecord | undefined> {
    if (!token || token.length > 512) return undefined;
    const r = await q.query<{ token_hash: string; grant_id: string; created_at: number; expires_at: number; used_at: number | null }>(
      `SELECT token_hash, grant_id, ${ms('created_at')}, ${ms('expires_at')}, ${ms('used_at')} FROM oauth_refresh_token WHERE token_hash = $1`,
      [sha256(token)],
    );
    const x = r.rows[0];
    if (!x) return undefined;
    return { hash: x.token_hash, grantId: x.grant_id, createdAt: num(x.created_at)!, expiresAt: num(x.expires_at)!, usedAt: num(x.used_at) };
  }

  /** Marks a refresh token used, once: false when it already was (a concurrent or replayed use). */
  async markRefreshTokenUsed(q: Queryable, hash: string, rotatedTo: string | null): Promise<boolean> {
    const r = await q.query('UPDATE oauth_refresh_token SET used_at = $2::timestamptz, rotated_to = $3 WHERE token_hash = $1 AND used_at IS NULL', [
      hash,
      iso(this.now()),
      rotatedTo,
    ]);
    return r.rowCount > 0;
  }
}
