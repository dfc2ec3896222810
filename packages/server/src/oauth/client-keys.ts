import { createLocalJWKSet, type CryptoKey, type JWSHeaderParameters, type FlattenedJWSInput, type JWK } from 'jose';
import type { JwkSet, OAuthClient } from './clients.ts';

export interface ClientKeysOptions {
  /** How long a fetched JWK Set is used before it is fetched again (default 5 minutes). */
  cacheSeconds?: number;
  /** Timeout of one fetch (default 5 s). */
  timeoutMs?: number;
  /** Largest accepted JWK Set document (default 64 KiB). */
  maxBytes?: number;
  /** When a key is not found, a fresh fetch is allowed at most this often per URL (default 30 s). */
  refetchSeconds?: number;
}

type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

interface Cached {
  fetchedAt: number;
  jwks: JwkSet;
  resolver: KeyResolver;
}


/**
 * The public keys a client authenticates with (SMART client-confidential-asymmetric, "Registering a client":
 * a JWK Set given at registration, or a `jwks_uri` the server fetches). Fetched sets are cached; an assertion
 * naming a `kid` the cached set lacks triggers one early re-fetch (the client may have rotated), rate-limited.
 */
export class ClientKeys {
  private readonly cache = new Map<string, Cached>();
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly refetchMs: number;

  constructor(options: ClientKeysOptions = {}) {
    this.refetchMs = (options.refetchSeconds ?? 30) * 1000;
    this.cacheMs = (options.cacheSeconds ?? 300) * 1000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxBytes = options.maxBytes ?? 64 * 1024;
  }

  /** The key that verifies a JWS with `header` for `client`; throws when there is none (unknown kid...). */
  async keyFor(client: OAuthClient, header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    if (client.jwks) return createLocalJWKSet(client.jwks as { keys: JWK[] })(header, token);
    if (!client.jwksUri) throw new Error('The client has no registered keys');
    const url = client.jwksUri;
    let c = await this.load(url, false);
    try {
      return await c.resolver(header, token);
    } catch (e) {
      if (Date.now() - c.fetchedAt < this.refetchMs) throw e;
      c = await this.load(url, true);
      return c.resolver(header, token);
    }
  }

  private async load(url: string, force: boolean): Promise<Cached> {
    const c = this.cache.get(url);
    if (c && !force && Date.now() - c.fetchedAt < this.cacheMs) return c;
    const jwks = await this.fetchJwks(url);
    const next: Cached = { fetchedAt: Date.now(), jwks, resolver: createLocalJWKSet(jwks as { keys: JWK[] }) };
    this.cache.set(url, next);
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value as string);
    return next;
  }

  private async fetchJwks(url: string): Promise<JwkSet> {
    const res = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) });
    if (!res.ok) throw new Error(`The client's jwks_uri answered ${res.status}`);
    const text = await res.text();
    if (text.length > this.maxBytes) throw new Error("The client's JWK Set is too large");
    const body = JSON.parse(text) as JwkSet;
    if (!body || !Array.isArray(body.keys)) throw new Error("The client's jwks_uri does not hold a JWK Set");
    return body;
  }
}
