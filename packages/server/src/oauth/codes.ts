import type { Db, Queryable } from '@confide/store';
import type { LaunchContext } from './grants.ts';
import { randomToken, sha256 } from './secrets.ts';
import { iso, json, ms, num } from './sql.ts';

export interface NewCode {
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string;
  launchContext: LaunchContext | null;
  nonce: string | null;
  authTime: number | null;
}

/** An authorization code as stored (hashed): what it was issued for and to whom, and what became of it. */
export interface CodeRecord extends NewCode {
  hash: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  grantId: string | null;
}

/**
 * Authorization codes (`oauth_code`): random, single use, short-lived (RFC 6749 section 4.1.2: "The
 * authorization code MUST expire shortly after it is issued ... A maximum authorization code lifetime of 10
 * minutes is RECOMMENDED"; Confide uses 60 s). Only the SHA-256 of a code is stored.
 */
export class CodeStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly lifetimeSeconds: number,
  ) {}

  async create(c: NewCode): Promise<string> {
    const code = randomToken(32);
    const now = this.now().getTime();
    await this.db.query(
      `INSERT INTO oauth_code (code_hash, client_id, user_id, redirect_uri, scope, code_challenge, launch_context, nonce, auth_time, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::timestamptz, $10::timestamptz, $11::timestamptz)`,
      [
        sha256(code),
        c.clientId,
        c.userId,
        c.redirectUri,
        c.scope,
        c.codeChallenge,
        c.launchContext ? JSON.stringify(c.launchContext) : null,
        c.nonce,
        c.authTime === null ? null : iso(c.authTime),
        iso(now),
        iso(now + this.lifetimeSeconds * 1000),
      ],
    );
    return code;
  }

  async find(code: string, q: Queryable = this.db, forUpdate = false): Promise<CodeRecord | undefined> {
    if (!code || code.length > 512) return undefined;
    const r = await q.query<Record<string, unknown>>(
      `SELECT code_hash, client_id, user_id, redirect_uri, scope, code_challenge, launch_context, nonce, ${ms('auth_time')}, ${ms('created_at')},
         ${ms('expires_at')}, ${ms('used_at')}, grant_id FROM oauth_code WHERE code_hash = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [sha256(code)],
    );
    const x = r.rows[0];
    if (!x) return undefined;
    return {
      hash: x.code_hash as string,
      clientId: x.client_id as string,
      userId: x.user_id as string,
      redirectUri: x.redirect_uri as string,
      scope: x.scope as string,
      codeChallenge: x.code_challenge as string,
      launchContext: json<LaunchContext>(x.launch_context),
      nonce: (x.nonce as string | null) ?? null,
      authTime: num(x.auth_time),
      createdAt: num(x.created_at)!,
      expiresAt: num(x.expires_at)!,
      usedAt: num(x.used_at),
      grantId: (x.grant_id as string | null) ?? null,
    };
  }

  /** Marks the code used, once: false when it already was (concurrent redemption). */
  async markUsed(q: Queryable, hash: string): Promise<boolean> {
    const r = await q.query('UPDATE oauth_code SET used_at = $2::timestamptz WHERE code_hash = $1 AND used_at IS NULL', [hash, iso(this.now())]);
    return r.rowCount > 0;
  }

  async setGrant(q: Queryable, hash: string, grantId: string): Promise<void> {
    await q.query('UPDATE oauth_code SET grant_id = $2 WHERE code_hash = $1', [hash, grantId]);
  }

  /** Forgets codes that expired more than a day ago (they are kept a while so a replay can still revoke). */
  async prune(): Promise<void> {
    await this.db.query('DELETE FROM oauth_code WHERE expires_at < $1::timestamptz', [iso(this.now().getTime() - 86_400_000)]);
  }
}
