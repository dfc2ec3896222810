import type { IncomingMessage } from 'node:http';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Repository } from '@confide/store';
import type { PeerMessage, Peers } from '../cluster/peers.ts';
import type { AccessContext } from '../identity/access-context.ts';
import { resolveActor, type ActorSubject } from '../identity/resolve-actor.ts';
import type { AccountsPort } from './accounts-port.ts';
import { BearerError } from './bearer-error.ts';
import type { GrantStore } from './grants.ts';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.ts';
import type { AccessTokenClaims } from './token-signer.ts';

export interface BearerAuthOptions {
  repo: Repository;
  accounts: AccountsPort;
  keys: SigningKeys;
  grants: GrantStore;
  now: () => Date;
  /** Interactive grants without offline_access end after this much inactivity (the session idle timeout). */
  idleSeconds: number;
  /** How often revocations made by other processes are looked up (default 2 s). */
  revocationPollMs: number;
  /** Verified tokens kept in memory (default 10,000). */
  cacheSize: number;
  onError: (err: unknown) => void;
  /** The other server processes on this database: revocations made here reach them at once, and theirs here. */
  peers?: Peers;
}

/** What this server expects of a token presented to it. */
export interface Expected {
  issuer: string;
  audience: string;
}

interface CachedToken {
  /** The whole token: the cache is keyed by its tail, and a hit must be this very token. */
  token: string;
  access: AccessContext;
  claims: AccessTokenClaims;
  expMs: number;
  /** After this the grant, account and roles are looked up again (changes made by other processes). */
  recheckMs: number;
  online: boolean;
  /** The context last handed out (with its remote address): the same for every request from that address. */
  context?: Readonly<AccessContext>;
}

/** A cached token's account and grant are looked up again at least this often. */
const RECHECK_MS = 60_000;

/** last_used_at of a grant is written at most this often. */
const TOUCH_WRITE_MS = 60_000;
/** A revocation learned from the database is looked for this far back (clock differences between processes). */
const POLL_OVERLAP_MS = 60_000;
const REQUIRED = ['exp', 'iat', 'jti', 'sub', 'client_id', 'scope', 'grant'];
/** RFC 6750 section 2.1: `Bearer` (any case), one or more spaces, the b64token. */
const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;
/**
 * Characters of a token's end that key the cache. A token is ~900 characters and every request brings a new
 * string of it, so a Map keyed by the whole token hashes all of it per request; its end is the signature,
 * which differs between any two tokens, and a hit is confirmed by comparing the whole token.
 */
const KEY_CHARS = 32;
const cacheKey = (token: string): string => token.slice(-KEY_CHARS);

/**
 * Authenticates FHIR API requests by their bearer access token (RFC 6750 section 2.1) and turns the token into
 * the request's AccessContext.
 *
 * A token is verified once (signature by a published server key, `typ` at+jwt, `iss`, `aud` = the FHIR base
 * URL, `exp`), its grant and account are looked up once, and the result is cached until the token expires, so
 * a request with a known token costs a Map lookup. Revocation still takes effect at once: revoking in this
 * process drops the grant's cached tokens, and revocations made by other processes on the same database are
 * polled for every `revocationPollMs` (the poll is awaited by the first request after the interval).
 */
export class BearerAuth {
  private readonly cache = new Map<string, CachedToken>();
  /** Grants known to be revoked, with when we learned it. */
  private readonly revoked = new Map<string, number>();
  /** Accounts whose grants are being revoked right now (disabled): refused before the database has caught up. */
  private readonly blockedUsers = new Set<string>();
  /** Idle tracking: when each grant was last used, and when that was last written. */
  private readonly lastUse = new Map<string, { used: number; written: number }>();
  private readonly writes = new Set<Promise<void>>();
  /** Tokens being verified now: concurrent first requests with one token share the work. */
  private readonly loading = new Map<string, Promise<CachedToken>>();
  private lastPollWall = 0;
  private pollSince: number;
  private polling: Promise<void> | undefined;

  constructor(private readonly o: BearerAuthOptions) {
    this.pollSince = o.now().getTime();
    this.lastPollWall = Date.now();
    o.peers?.subscribe((m) => this.fromPeer(m));
  }

  async authenticate(req: IncomingMessage, expected: Expected): Promise<Readonly<AccessContext>> {
    const header = req.headers.authorization;
    if (!header) throw new BearerError('This request needs an access token (Authorization: Bearer)');
    // A token found in the cache matched the grammar when it was cached: the common form needs no regex run
    // over its ~900 characters, and the hit is used as it is unless a poll for revocations ran in between.
    const hit = header.startsWith('Bearer ') ? this.cached(header.slice(7)) : undefined;
    const token = hit !== undefined ? hit.token : tokenOf(header);
    const poll = this.maybePoll();
    if (poll) await poll;
    const now = this.o.now().getTime();
    let entry = poll ? this.cached(token) : hit;
    if (entry && entry.recheckMs <= now && entry.expMs > now) {
      this.forget(token);
      entry = undefined;
    }
    if (!entry) {
      let p = this.loading.get(token);
      if (!p) {
        p = this.load(token, expected).finally(() => this.loading.delete(token));
        this.loading.set(token, p);
      }
      entry = await p;
    }
    // Also on every cache hit: a token verified for one Host is not valid at another.
    if (entry.claims.aud !== expected.audience || entry.claims.iss !== expected.issuer) {
      throw new BearerError('The access token is not for this server', 'invalid_token');
    }
    if (entry.expMs <= now) {
      this.forget(token);
      throw new BearerError('The access token has expired', 'invalid_token');
    }
    const grantId = entry.claims.grant;
    if (entry.access.userId !== undefined && this.blockedUsers.has(entry.access.userId)) {
      this.forget(token);
      throw new BearerError('The access token has been revoked', 'invalid_token');
    }
    if (this.revoked.has(grantId)) {
      this.forget(token);
      throw new BearerError('The access token has been revoked', 'invalid_token');
    }
    if (entry.online) {
      const use = this.lastUse.get(grantId);
      if (use && now - use.used > this.o.idleSeconds * 1000) {
        throw new BearerError('The authorization has ended after inactivity', 'invalid_token');
      }
      this.touch(grantId, now, use?.written);
    }
    const remoteAddress = req.socket.remoteAddress;
    if (entry.context === undefined || entry.context.remoteAddress !== remoteAddress) {
      // Object.assign, not `{ ...access, remoteAddress }`: on Node 20 a spread followed by a key is a slow
      // runtime call. Frozen, because requests from one address now share it.
      const context: AccessContext = Object.assign({}, entry.access);
      context.remoteAddress = remoteAddress;
      entry.context = Object.freeze(context);
    }
    return entry.context;
  }

  private cached(token: string): CachedToken | undefined {
    const entry = this.cache.get(cacheKey(token));
    return entry !== undefined && entry.token === token ? entry : undefined;
  }

  private forget(token: string): void {
    const key = cacheKey(token);
    if (this.cache.get(key)?.token === token) this.cache.delete(key);
  }

  /**
   * Verifies a token without the cache (introspection): its claims when the signature, issuer, audience and
   * expiry are good. Grant state is not checked here.
   */
  async verify(token: string, expected: Expected): Promise<AccessTokenClaims | undefined> {
    try {
      return await this.verifyJwt(token, expected);
    } catch {
      return undefined;
    }
  }

  /** When this process last saw the grant used (idle tracking), if it did. */
  lastUsed(grantId: string): number | undefined {
    return this.lastUse.get(grantId)?.used;
  }

  /**
   * An account's grants are being revoked (the account was disabled): its tokens stop working at once, before
   * the revocation reaches the database; `unblockUser` when it has (the revoked grants then refuse them).
   */
  blockUser(userId: string): void {
    this.block(userId);
    this.o.peers?.publish({ type: 'user-blocked', userId });
  }

  unblockUser(userId: string): void {
    this.blockedUsers.delete(userId);
    this.o.peers?.publish({ type: 'user-unblocked', userId });
  }

  /** A grant was revoked in this process: its tokens stop working now, here and in the other processes. */
  grantRevoked(grantId: string): void {
    this.forgetGrant(grantId);
    this.o.peers?.publish({ type: 'grant-revoked', grantId });
  }

  private fromPeer(m: PeerMessage): void {
    if (m.type === 'grant-revoked') this.forgetGrant(m.grantId);
    else if (m.type === 'user-blocked') this.block(m.userId);
    else if (m.type === 'user-unblocked') this.blockedUsers.delete(m.userId);
  }

  private block(userId: string): void {
    this.blockedUsers.add(userId);
    for (const [key, entry] of this.cache) if (entry.access.userId === userId) this.cache.delete(key);
  }

  private forgetGrant(grantId: string): void {
    this.revoked.set(grantId, this.o.now().getTime());
    for (const [key, entry] of this.cache) if (entry.claims.grant === grantId) this.cache.delete(key);
  }

  /** Waits for pending last_used_at writes (before the database closes). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.writes]);
  }

  private async verifyJwt(token: string, expected: Expected): Promise<AccessTokenClaims> {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = await this.o.keys.verificationKey(header.kid);
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: [SIGNING_ALG],
        typ: 'at+jwt',
        issuer: expected.issuer,
        audience: expected.audience,
        currentDate: this.o.now(),
        requiredClaims: REQUIRED,
      },
    );
    return checkClaims(payload);
  }

  private async load(token: string, expected: Expected): Promise<CachedToken> {
    let claims: AccessTokenClaims;
    try {
      claims = await this.verifyJwt(token, expected);
    } catch (e) {
      throw new BearerError(describeJoseError(e, token), 'invalid_token');
    }
    const grant = await this.o.grants.getForToken(claims.grant);
    if (!grant || grant.clientId !== claims.client_id) throw new BearerError('The access token has been revoked', 'invalid_token');
    if (grant.revokedAt !== null) {
      this.revoked.set(grant.id, this.o.now().getTime());
      throw new BearerError('The access token has been revoked', 'invalid_token');
    }
    if (grant.clientDisabled) throw new BearerError('The client of this access token is disabled', 'invalid_token');
    const online = grant.userId !== null && !grant.offline;
    if (online) {
      const use = this.lastUse.get(grant.id);
      const used = Math.max(grant.lastUsedAt, use?.used ?? 0);
      this.lastUse.set(grant.id, { used, written: Math.max(grant.lastUsedAt, use?.written ?? 0) });
    }

    let subject: ActorSubject;
    const access: AccessContext = {
      actor: undefined as never,
      via: 'token',
      clientId: claims.client_id,
      grantId: grant.id,
      tokenId: claims.jti,
    };
    if (grant.userId !== null) {
      const user = await this.o.accounts.getUser(grant.userId);
      if (!user || user.disabled || user.id !== claims.sub) throw new BearerError('The account of this access token is not active', 'invalid_token');
      subject = { kind: user.kind, username: user.username, fhirUser: user.fhirUser ?? undefined, roles: user.roles, organizations: user.organizations };
      access.userId = user.id;
      access.username = user.username;
      if (user.fhirUser) access.fhirUser = user.fhirUser;
      // HL7 v3 ActReason: TREAT (treatment) for staff, PATRQT (patient requested) for patients.
      access.purposeOfUse = user.kind === 'patient' ? 'PATRQT' : 'TREAT';
    } else {
      subject = { kind: 'system', username: grant.clientId };
      access.purposeOfUse = grant.purposeOfUse ?? 'TREAT';
    }
    access.actor = await resolveActor(this.o.repo, subject, claims.scope, claims.patient, this.o.now());
    const nowMs = this.o.now().getTime();
    const entry: CachedToken = { token, access, claims, expMs: claims.exp * 1000, recheckMs: nowMs + RECHECK_MS, online };
    // A revocation may have landed while we were loading.
    if (!this.revoked.has(grant.id)) {
      if (this.cache.size >= this.o.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(cacheKey(token), entry);
    }
    return entry;
  }

  private touch(grantId: string, now: number, written = 0): void {
    if (now - written < TOUCH_WRITE_MS) {
      const use = this.lastUse.get(grantId);
      if (use && now > use.used) use.used = now;
      return;
    }
    this.lastUse.set(grantId, { used: now, written: now });
    if (this.lastUse.size > 50_000) this.pruneLastUse(now);
    const w = this.o.grants
      .touch(grantId, now)
      .catch((e) => this.o.onError(e))
      .finally(() => this.writes.delete(w));
    this.writes.add(w);
  }

  private pruneLastUse(now: number): void {
    for (const [id, use] of this.lastUse) if (now - use.used > this.o.idleSeconds * 1000) this.lastUse.delete(id);
  }

  private maybePoll(): Promise<void> | undefined {
    if (this.polling) return this.polling;
    if (Date.now() - this.lastPollWall < this.o.revocationPollMs) return undefined;
    this.polling = this.poll().finally(() => {
      this.polling = undefined;
      this.lastPollWall = Date.now();
    });
    return this.polling;
  }

  private async poll(): Promise<void> {
    const start = this.o.now().getTime();
    try {
      for (const g of await this.o.grants.revokedSince(this.pollSince - POLL_OVERLAP_MS)) {
        if (!this.revoked.has(g.id)) this.forgetGrant(g.id);
      }
      this.pollSince = start;
    } catch (e) {
      this.o.onError(e);
    }
    // Forget revocations old enough that every token of them has expired or been dropped from the cache.
    if (this.revoked.size > 10_000) {
      for (const [id, at] of this.revoked) if (start - at > 3_600_000) this.revoked.delete(id);
    }
  }
}

function checkClaims(p: JWTPayload): AccessTokenClaims {
  for (const c of ['sub', 'client_id', 'scope', 'grant', 'jti'] as const) {
    if (typeof p[c] !== 'string') throw new joseErrors.JWTClaimValidationFailed(`"${c}" claim must be a string`, p, c, 'invalid');
  }
  return p as unknown as AccessTokenClaims;
}

function describeJoseError(e: unknown, token: string): string {
  if (e instanceof joseErrors.JWTExpired) return 'The access token has expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'aud' || e.claim === 'iss') return 'The access token is not for this server';
    return `The access token is not valid (${e.claim})`;
  }
  if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'The access token was not signed by this server';
  }
  try {
    decodeProtectedHeader(token);
  } catch {
    return 'The access token is malformed';
  }
  return 'The access token is not valid';
}

/** The token of an Authorization header; 401 when the header is not a bearer token. */
function tokenOf(header: string): string {
  const m = BEARER.exec(header);
  if (!m) throw new BearerError('The Authorization header is not a bearer token', 'invalid_token');
  return m[1];
}
