import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Db, Queryable } from '@confide/store';
import { iso, ms, num } from './sql.ts';

/** The one algorithm Confide signs with (access tokens and id_tokens); RS256 is what every OIDC client verifies. */
export const SIGNING_ALG = 'RS256';

export interface SigningKeysOptions {
  db: Db;
  now: () => Date;
  /** A key signs for this many days, then a new one takes over (default 30). */
  rotationDays: number;
  /** The longest lifetime of any token Confide signs: a retired key stays published this long. */
  maxTokenSeconds: number;
}

interface KeyRow {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  created_at: number;
  not_after_signing: number;
  retired_at: number | null;
}

interface LoadedKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateJwk: string;
  createdAt: number;
  notAfterSigning: number;
  publicKey?: CryptoKey;
  privateKey?: CryptoKey;
}

const LOCK = "SELECT pg_advisory_xact_lock(hashtext('confide:oauth_signing_key'))";
const COLUMNS = `kid, alg, private_jwk, public_jwk, ${ms('created_at')}, ${ms('not_after_signing')}, ${ms('retired_at')}`;
/** How often an unknown `kid` may send us back to the database (other processes may have rotated). */
const RELOAD_INTERVAL_MS = 5_000;

/**
 * The server's token signing keys: generated here, kept in `oauth_signing_key`, rotated when the current one
 * is `rotationDays` old. A key that no longer signs stays published in `/.well-known/jwks.json` (and accepted)
 * until every token it can have signed has expired, then it is retired. Several processes on one PostgreSQL
 * share the keys; rotation takes an advisory lock so only one of them makes the next key.
 *
 * Known gap: the private key is stored as JWK text, unencrypted (encryption at rest comes later).
 */
export class SigningKeys {
  private keys = new Map<string, LoadedKey>();
  private lastReload = 0;
  private rotating: Promise<LoadedKey> | undefined;

  constructor(private readonly options: SigningKeysOptions) {}

  /** Loads the keys and makes sure one can sign now. */
  async init(): Promise<void> {
    await this.reload();
    await this.current();
  }

  /** The key to sign with now, rotating first when the current one is past its signing period. */
  async current(): Promise<{ kid: string; alg: string; key: CryptoKey }> {
    let k = this.newestSigning();
    if (!k) {
      this.rotating ??= this.rotate(false).finally(() => (this.rotating = undefined));
      k = await this.rotating;
    }
    k.privateKey ??= (await importJWK(JSON.parse(k.privateJwk) as JWK, k.alg)) as CryptoKey;
    return { kid: k.kid, alg: k.alg, key: k.privateKey };
  }

  /** A published key by `kid`, for verifying a token; undefined for unknown and retired keys. */
  async verificationKey(kid: string | undefined): Promise<CryptoKey | undefined> {
    if (!kid) return undefined;
    let k = this.keys.get(kid);
    if (!k && Date.now() - this.lastReload > RELOAD_INTERVAL_MS) {
      await this.reload();
      k = this.keys.get(kid);
    }
    if (!k || !this.isPublished(k)) return undefined;
    k.publicKey ??= (await importJWK(k.publicJwk, k.alg)) as CryptoKey;
    return k.publicKey;
  }

  /** The JWK Set to publish (RFC 7517 section 5): every key that signs or may have signed an unexpired token. */
  jwks(): { keys: JWK[] } {
    return {
      keys: [...this.keys.values()]
        .filter((k) => this.isPublished(k))
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })),
    };
  }

  /**
   * Starts a new key now (an operator's rotation, or tests): the current key stops signing but stays
   * published until the tokens it signed have expired.
   */
  async rotateNow(): Promise<string> {
    const k = await this.rotate(true);
    return k.kid;
  }

  private nowMs(): number {
    return this.options.now().getTime();
  }

  private isPublished(k: LoadedKey): boolean {
    return k.notAfterSigning + this.options.maxTokenSeconds * 1000 > this.nowMs();
  }

  private newestSigning(): LoadedKey | undefined {
    const now = this.nowMs();
    let best: LoadedKey | undefined;
    for (const k of this.keys.values()) {
      if (k.createdAt <= now && k.notAfterSigning > now && (!best || k.createdAt > best.createdAt)) best = k;
    }
    return best;
  }

  private async reload(q: Queryable = this.options.db): Promise<void> {
    const r = await q.query<KeyRow>(`SELECT ${COLUMNS} FROM oauth_signing_key WHERE retired_at IS NULL`);
    const next = new Map<string, LoadedKey>();
    for (const row of r.rows) {
      const old = this.keys.get(row.kid);
      next.set(row.kid, {
        kid: row.kid,
        alg: row.alg,
        publicJwk: JSON.parse(row.public_jwk) as JWK,
        privateJwk: row.private_jwk,
        createdAt: num(row.created_at)!,
        notAfterSigning: num(row.not_after_signing)!,
        publicKey: old?.publicKey,
        privateKey: old?.privateKey,
      });
    }
    this.keys = next;
    this.lastReload = Date.now();
  }

  private async rotate(force: boolean): Promise<LoadedKey> {
    const { db, rotationDays, maxTokenSeconds } = this.options;
    await db.transaction(async (tx) => {
      await tx.query(LOCK);
      await this.reload(tx);
      const now = this.nowMs();
      // Another process may have rotated while we waited for the lock.
      if (!force && this.newestSigning()) return;
      await tx.query('UPDATE oauth_signing_key SET not_after_signing = $1::timestamptz WHERE retired_at IS NULL AND not_after_signing > $1::timestamptz', [iso(now)]);
      await tx.query('UPDATE oauth_signing_key SET retired_at = $1::timestamptz WHERE retired_at IS NULL AND not_after_signing < $2::timestamptz', [
        iso(now),
        iso(now - maxTokenSeconds * 1000),
      ]);
      const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true, modulusLength: 2048 });
      const publicJwk = await exportJWK(publicKey);
      const privateJwk = await exportJWK(privateKey);
      // RFC 7638 thumbprint as the key id: stable, and unique without coordination.
      const kid = await calculateJwkThumbprint(publicJwk);
      await tx.query(
        `INSERT INTO oauth_signing_key (kid, alg, private_jwk, public_jwk, created_at, not_after_signing)
         VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz)`,
        [kid, SIGNING_ALG, JSON.stringify(privateJwk), JSON.stringify(publicJwk), iso(now), iso(now + rotationDays * 86_400_000)],
      );
    });
    await this.reload();
    const k = this.newestSigning();
    if (!k) throw new Error('No signing key after rotation');
    return k;
  }
}
