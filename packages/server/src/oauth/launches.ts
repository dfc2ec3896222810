import type { Db } from '@confide/store';
import { randomToken } from './secrets.ts';
import { iso, ms, num } from './sql.ts';

/** An EHR launch context (`oauth_launch`): what an EHR user had open when they launched an app. */
export interface LaunchRecord {
  id: string;
  userId: string;
  patient: string | null;
  encounter: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/**
 * EHR launch contexts (SMART app-launch "Launch App: EHR Launch": the EHR passes an opaque `launch` handle to
 * the app, which hands it back at the authorization endpoint). A handle is random, short-lived and used once.
 */
export class LaunchStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly lifetimeSeconds: number,
  ) {}

  async create(userId: string, patient: string | null, encounter: string | null): Promise<LaunchRecord> {
    const id = randomToken(24);
    const now = this.now().getTime();
    await this.db.query(
      `INSERT INTO oauth_launch (id, user_id, patient, encounter, created_at, expires_at) VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz)`,
      [id, userId, patient, encounter, iso(now), iso(now + this.lifetimeSeconds * 1000)],
    );
    return { id, userId, patient, encounter, createdAt: now, expiresAt: now + this.lifetimeSeconds * 1000, usedAt: null };
  }

  /** A launch that can still be used (known, not expired, not used); undefined otherwise. */
  async findUsable(id: string): Promise<LaunchRecord | undefined> {
    if (!id || id.length > 128) return undefined;
    const r = await this.db.query<{ id: string; user_id: string; patient: string | null; encounter: string | null; created_at: number; expires_at: number; used_at: number | null }>(
      `SELECT id, user_id, patient, encounter, ${ms('created_at')}, ${ms('expires_at')}, ${ms('used_at')} FROM oauth_launch WHERE id = $1`,
      [id],
    );
    const x = r.rows[0];
    if (!x) return undefined;
    const rec: LaunchRecord = {
      id: x.id,
      userId: x.user_id,
      patient: x.patient,
      encounter: x.encounter,
      createdAt: num(x.created_at)!,
      expiresAt: num(x.expires_at)!,
      usedAt: num(x.used_at),
    };
    if (rec.usedAt !== null || rec.expiresAt <= this.now().getTime()) return undefined;
    return rec;
  }

  /** Uses the launch up: false when it was already used. */
  async consume(id: string): Promise<boolean> {
    const r = await this.db.query('UPDATE oauth_launch SET used_at = $2::timestamptz WHERE id = $1 AND used_at IS NULL', [id, iso(this.now())]);
    return r.rowCount > 0;
  }
}
