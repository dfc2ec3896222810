import { jwtClaims, randomToken, s256 } from './pkce.ts';

/**
 * Sign-in as the first-party public client `confide-web` through Confide's SMART authorization server:
 * authorization code with PKCE S256 (RFC 6749 section 4.1, RFC 7636), refresh with rotation (section 6),
 * sign-out by revocation (RFC 7009). See docs/web.md for where tokens are kept and why.
 */
export const CLIENT_ID = 'confide-web';
/** Asked for at sign-in. `online_access`: the refresh token ends with the session's inactivity (docs/smart.md). */
export const SCOPE = 'openid fhirUser profile online_access user/*.cruds';

export interface Tokens {
  accessToken: string;
  /** When the access token expires (ms since the epoch). */
  expiresAt: number;
  refreshToken?: string;
  scope: string;
  /** The signed-in person, e.g. `Practitioner/123`, from the id_token's fhirUser claim. */
  fhirUser?: string;
  name?: string;
  username?: string;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
  redirectUri: string;
}

const PENDING_KEY = 'confide.signin';
const REFRESH_KEY = 'confide.refresh';

export class AuthError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface AuthClientOptions {
  /** This server's origin, e.g. http://127.0.0.1:8080 */
  origin: string;
  /** The registered redirect path (`/app/callback` for staff, `/portal/callback` for the portal). */
  redirectPath: string;
  scope?: string;
  /** Where the sign-in handshake and the refresh token live across the redirect and a reload. */
  storage?: Storage;
  fetch?: typeof fetch;
  navigate?: (url: string) => void;
}

export class AuthClient {
  private tokens: Tokens | undefined;
  private refreshing: Promise<Tokens> | undefined;
  /** Bumped by clear(): a token answer to a request sent before it is dropped, so a refresh still in flight
   * at sign-out cannot put tokens back in this tab. */
  private epoch = 0;
  private readonly storage: Storage;
  private readonly doFetch: typeof fetch;
  private readonly listeners = new Set<(t: Tokens | undefined) => void>();

  constructor(private readonly o: AuthClientOptions) {
    this.storage = o.storage ?? sessionStorage;
    this.doFetch = o.fetch ?? ((...args) => fetch(...args));
  }

  get current(): Tokens | undefined {
    return this.tokens;
  }

  get fhirBase(): string {
    return this.o.origin + '/fhir/R4';
  }

  onChange(listener: (t: Tokens | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends the browser to the authorization endpoint; comes back at the redirect path. */
  async signIn(returnTo: string): Promise<void> {
    const verifier = randomToken();
    const state = randomToken(16);
    const redirectUri = this.o.origin + this.o.redirectPath;
    const pending: PendingSignIn = { state, verifier, returnTo, redirectUri };
    this.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: redirectUri,
      scope: this.o.scope ?? SCOPE,
      state,
      aud: this.fhirBase,
      code_challenge: await s256(verifier),
      code_challenge_method: 'S256',
    });
    (this.o.navigate ?? ((u) => window.location.assign(u)))(`${this.o.origin}/oauth2/authorize?${q}`);
  }

  /** Completes the sign-in at the redirect URI; returns where the user was going. */
  async completeSignIn(callbackUrl: URL): Promise<string> {
    const raw = this.storage.getItem(PENDING_KEY);
    this.storage.removeItem(PENDING_KEY);
    const pending = raw ? (JSON.parse(raw) as PendingSignIn) : undefined;
    const p = callbackUrl.searchParams;
    if (!pending || p.get('state') !== pending.state) throw new AuthError('This sign-in link is stale or was not started here. Please sign in again.');
    if (p.get('error')) throw new AuthError(p.get('error_description') ?? p.get('error') ?? 'Sign-in failed', p.get('error') ?? undefined);
    const code = p.get('code');
    if (!code) throw new AuthError('The sign-in answer had no code.');
    await this.token({ grant_type: 'authorization_code', code, redirect_uri: pending.redirectUri, code_verifier: pending.verifier });
    return pending.returnTo;
  }

  /** After a reload: a stored refresh token gets a new access token (without a new sign-in). */
  async resume(): Promise<boolean> {
    const refresh = this.storage.getItem(REFRESH_KEY);
    if (!refresh) return false;
    try {
      await this.refresh(refresh);
      return true;
    } catch {
      this.storage.removeItem(REFRESH_KEY);
      return false;
    }
  }

  /** A valid access token, refreshed when it has less than a minute left. */
  async accessToken(): Promise<string> {
    const t = this.tokens;
    if (!t) throw new AuthError('Not signed in', 'login');
    if (t.expiresAt - Date.now() > 60_000) return t.accessToken;
    if (!t.refreshToken) {
      if (t.expiresAt > Date.now()) return t.accessToken;
      throw new AuthError('The session has ended', 'login');
    }
    return (await this.refresh(t.refreshToken)).accessToken;
  }

  /** Refreshes now (the "stay signed in" button and activity keep the online grant alive). */
  refresh(refreshToken = this.tokens?.refreshToken): Promise<Tokens> {
    if (!refreshToken) return Promise.reject(new AuthError('No refresh token', 'login'));
    if (this.refreshing) return this.refreshing;
    const p = this.token({ grant_type: 'refresh_token', refresh_token: refreshToken }).finally(() => {
      if (this.refreshing === p) this.refreshing = undefined;
    });
    this.refreshing = p;
    return p;
  }

  /** Revokes the grant (every token of this sign-in) and forgets the tokens. */
  async signOut(): Promise<void> {
    const t = this.tokens;
    this.clear();
    const token = t?.refreshToken ?? t?.accessToken;
    try {
      if (token) {
        await this.doFetch(`${this.o.origin}/oauth2/revoke`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, client_id: CLIENT_ID }),
        });
      }
      // And the authorization server's sign-in session, so the next sign-in asks for the password again.
      await this.doFetch(`${this.o.origin}/oauth2/logout`, { method: 'POST', credentials: 'same-origin' });
    } catch {
      // The tokens are gone from this tab either way; the grant still ends at its idle timeout.
    }
  }

  /** Forgets the tokens (after a 401 or an idle time-out). */
  clear(): void {
    this.epoch++;
    this.refreshing = undefined;
    this.tokens = undefined;
    this.storage.removeItem(REFRESH_KEY);
    for (const l of this.listeners) l(undefined);
  }

  private async token(params: Record<string, string>): Promise<Tokens> {
    const epoch = this.epoch;
    const res = await this.doFetch(`${this.o.origin}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ ...params, client_id: CLIENT_ID }),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok || typeof body.access_token !== 'string') {
      throw new AuthError(String(body.error_description ?? body.error ?? `Sign-in failed (${res.status})`), String(body.error ?? 'server_error'));
    }
    if (epoch !== this.epoch) throw new AuthError('Signed out while the request was on its way', 'login');
    const previous = this.tokens;
    const claims = typeof body.id_token === 'string' ? jwtClaims(body.id_token) : {};
    const fhirUser = typeof claims.fhirUser === 'string' ? relativeReference(claims.fhirUser) : previous?.fhirUser;
    const tokens: Tokens = {
      accessToken: body.access_token,
      expiresAt: Date.now() + Number(body.expires_in ?? 300) * 1000,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
      scope: String(body.scope ?? ''),
      fhirUser,
      name: typeof claims.name === 'string' ? claims.name : previous?.name,
      username: typeof claims.preferred_username === 'string' ? claims.preferred_username : previous?.username,
    };
    this.tokens = tokens;
    if (tokens.refreshToken) this.storage.setItem(REFRESH_KEY, tokens.refreshToken);
    for (const l of this.listeners) l(tokens);
    return tokens;
  }
}

/** `https://host/fhir/R4/Practitioner/1` → `Practitioner/1`. */
export function relativeReference(url: string): string {
  const m = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/.exec(url);
  return m ? m[1] : url;
}
