import type { Peers } from '../cluster/peers.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, isOperationOutcomeError } from '@confide/fhir';
import { isScopeSubset, parseScopes, parseScopesLenient, ScopeError } from '@confide/policy';
import type { Db, Repository } from '@confide/store';
import type { AccessContext } from '../identity/access-context.ts';
import type { AccountsPort } from './accounts-port.ts';
import { authorizeEndpoint } from './authorize-endpoint.ts';
import { BearerAuth } from './bearer-auth.ts';
import { BearerError } from './bearer-error.ts';
import { ClientKeys } from './client-keys.ts';
import { CLI_CLIENT_ID, ClientRegistry } from './clients.ts';
import { CodeStore } from './codes.ts';
import type { OAuthConfig, OAuthContext } from './context.ts';
import { openidConfiguration, smartConfiguration } from './discovery.ts';
import { GrantStore } from './grants.ts';
import { CORS_HEADERS, NO_STORE, readForm, sendJson, sendOAuthError } from './http-util.ts';
import { introspectionEndpoint } from './introspection.ts';
import { launchEndpoint, type LaunchRequest } from './launch-endpoint.ts';
import { LaunchStore } from './launches.ts';
import { OAuthError } from './oauth-error.ts';
import { revocationEndpoint } from './revocation.ts';
import type { SecurityEvent } from './security-event.ts';
import { SigningKeys } from './signing-keys.ts';
import { iso } from './sql.ts';
import { tokenEndpoint } from './token-endpoint.ts';
import { fhirUserUrl } from './token-response.ts';
import { TokenSigner } from './token-signer.ts';
import { safeHost, serverUrls, type ServerUrls } from './urls.ts';
import { logoutEndpoint } from './logout-endpoint.ts';
import { readBody } from '../http/read-body.ts';

export interface OAuthServerOptions {
  db: Db;
  repo: Repository;
  accounts: AccountsPort;
  /** Public base URL (https://ehr.example.org). Without it, URLs follow each request's Host header. */
  publicUrl?: string;
  /** The base URL when there is neither a public URL nor a request (operator tokens): e.g. the listening address. */
  defaultUrl?: () => string;
  now?: () => Date;
  /** Security events for the audit trail; must not throw. */
  onSecurityEvent?: (e: SecurityEvent) => void;
  /** Errors that are not the client's fault (never with request data). */
  onError?: (err: unknown) => void;
  /** User access tokens (default 15). */
  accessTokenMinutes?: number;
  /** Backend service access tokens (default 5). */
  backendTokenMinutes?: number;
  /** offline_access refresh tokens (default 30 days). */
  refreshTokenDays?: number;
  /** online_access refresh tokens, at most (default 12 hours). */
  onlineRefreshHours?: number;
  /** Interactive grants without offline_access end after this much inactivity (default 15, as sessions). */
  sessionIdleMinutes?: number;
  /** Signing keys are replaced after this many days (default 30). */
  keyRotationDays?: number;
  /** EHR launch handles live this long (default 10). */
  launchMinutes?: number;
  /** The longest operator token (`confide token --ttl`), default 24 hours. */
  maxOperatorTokenHours?: number;
  /** How often other processes' revocations are picked up (default 2000 ms). */
  revocationPollMs?: number;
  /** The other server processes on this database (worker processes): revocations reach them at once. */
  peers?: Peers;
  /** Verified access tokens kept in memory (default 10,000). */
  tokenCacheSize?: number;
  /** `smart_style_url` sent with launch context. */
  smartStyleUrl?: string;
  /** How long a client's fetched JWK Set is cached (default 300 s). */
  jwksCacheSeconds?: number;
}

export interface IssueTokenInput {
  /** The account the token acts for; without it, a backend token for `clientId` (system/ scopes only). */
  username?: string;
  /** Default `confide-cli`. */
  clientId?: string;
  scope: string;
  ttlSeconds?: number;
  /** Launch patient (for patient/ scopes of a staff user). */
  patient?: string;
  remoteAddress?: string;
}

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export interface OAuthServer {
  /** Serves discovery, JWKS and /oauth2/*; false when the request is not for the authorization server. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** The caller of a FHIR request, from its bearer token; throws a 401 `BearerError` otherwise. */
  authenticate(req: IncomingMessage): Promise<AccessContext>;
  /** An access token for operators and scripts (`confide token`) and tests, without the browser flow. */
  issueToken(input: IssueTokenInput): Promise<IssuedToken>;
  /** Creates or updates the first-party clients (confide-web, confide-cli) and loads the signing keys. */
  ensureClients(): Promise<void>;
  /** Revokes a grant and every token of it, at once in this process. */
  revokeGrant(grantId: string, reason: string): Promise<boolean>;
  /** Revokes every grant of an account (disabled account, lost device): at once in this process. */
  revokeUserGrants(userId: string, reason: string): Promise<number>;
  /** Disables a client and revokes all its grants (at once in this process, within the poll interval elsewhere). */
  disableClient(clientId: string): Promise<void>;
  /** Starts a new signing key now; the old one stays published until its tokens have expired. */
  rotateKeys(): Promise<string>;
  readonly clients: ClientRegistry;
  urls(req?: IncomingMessage): ServerUrls;
  /** Waits for background writes; call before closing the database. */
  close(): Promise<void>;
}

const HOUSEKEEPING_MS = 3_600_000;

/** The SMART App Launch 2.0 authorization server and bearer authentication of the FHIR API. See docs/smart.md. */
export function createOAuthServer(options: OAuthServerOptions): OAuthServer {
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? (() => undefined);
  const config: OAuthConfig = {
    accessTokenSeconds: Math.round((options.accessTokenMinutes ?? 15) * 60),
    backendTokenSeconds: Math.round((options.backendTokenMinutes ?? 5) * 60),
    codeSeconds: 60,
    offlineRefreshSeconds: Math.round((options.refreshTokenDays ?? 30) * 86_400),
    onlineRefreshSeconds: Math.round((options.onlineRefreshHours ?? 12) * 3600),
    idleSeconds: Math.round((options.sessionIdleMinutes ?? 15) * 60),
    launchSeconds: Math.round((options.launchMinutes ?? 10) * 60),
    maxOperatorTokenSeconds: Math.round((options.maxOperatorTokenHours ?? 24) * 3600),
    smartStyleUrl: options.smartStyleUrl,
  };
  for (const [k, v] of Object.entries(config)) if (typeof v === 'number' && !(v > 0)) throw new RangeError(`OAuth option ${k} must be positive`);
  const { db, repo, accounts } = options;
  const maxTokenSeconds = Math.max(config.accessTokenSeconds, config.backendTokenSeconds, config.maxOperatorTokenSeconds);
  const keys = new SigningKeys({ db, now, rotationDays: options.keyRotationDays ?? 30, maxTokenSeconds });
  const clients = new ClientRegistry(db, now);
  const grants = new GrantStore(db, now);
  const bearer = new BearerAuth({
    repo,
    accounts,
    keys,
    grants,
    now,
    idleSeconds: config.idleSeconds,
    revocationPollMs: options.revocationPollMs ?? 2000,
    cacheSize: options.tokenCacheSize ?? 10_000,
    onError,
    peers: options.peers,
  });
  const emit = (e: Omit<SecurityEvent, 'at'>) => {
    try {
      options.onSecurityEvent?.({ ...e, at: now() });
    } catch (err) {
      onError(err);
    }
  };
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');
  const urls = (req?: IncomingMessage): ServerUrls =>
    serverUrls(publicUrl ?? (req ? `http://${safeHost(req.headers.host)}` : (options.defaultUrl?.() ?? 'http://127.0.0.1:8080')));

  const ctx: OAuthContext = {
    db,
    repo,
    accounts,
    now,
    config,
    keys,
    clients,
    clientKeys: new ClientKeys({ cacheSeconds: options.jwksCacheSeconds }),
    grants,
    codes: new CodeStore(db, now, config.codeSeconds),
    launches: new LaunchStore(db, now, config.launchSeconds),
    signer: new TokenSigner(keys, now),
    bearer,
    emit,
    urls,
    async revokeGrant(grantId, reason, event = {}) {
      const done = await grants.revoke(grantId, reason);
      bearer.grantRevoked(grantId);
      if (done) emit({ type: 'token-revoked', outcome: 'success', ...event, grantId, reason });
      return done;
    },
    onError,
  };

  let keysReady: Promise<void> | undefined;
  const ready = () => (keysReady ??= keys.init().catch((e) => {
    keysReady = undefined;
    throw e;
  }));
  let lastHousekeeping = 0;
  const background = new Set<Promise<unknown>>();
  const housekeeping = () => {
    const t = now().getTime();
    if (t - lastHousekeeping < HOUSEKEEPING_MS) return;
    lastHousekeeping = t;
    const day = iso(t - 86_400_000);
    const p = (async () => {
      await ctx.codes.prune();
      await db.query('DELETE FROM oauth_refresh_token WHERE expires_at < $1::timestamptz', [day]);
      await db.query('DELETE FROM oauth_launch WHERE expires_at < $1::timestamptz', [day]);
    })()
      .catch(onError)
      .finally(() => background.delete(p));
    background.add(p);
  };

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const u = () => urls(req);
    const json = (status: number, body: unknown, extra: Record<string, string> = {}) => sendJson(res, status, body, { ...CORS_HEADERS, ...extra });
    const discovery: Record<string, () => unknown> = {
      '/fhir/R4/.well-known/smart-configuration': () => smartConfiguration(u()),
      '/.well-known/openid-configuration': () => openidConfiguration(u()),
      '/.well-known/jwks.json': () => keys.jwks(),
    };
    if (discovery[path]) {
      if (method === 'OPTIONS') return preflight(res);
      if (method !== 'GET' && method !== 'HEAD') {
        json(405, { error: 'invalid_request', error_description: 'Use GET' }, { Allow: 'GET, HEAD, OPTIONS' });
        return true;
      }
      await ready();
      // Short caching: JWKS changes at key rotation, and a new key is published before it signs anything read here.
      json(200, discovery[path](), { 'Cache-Control': 'public, max-age=60', Vary: 'Host' });
      return true;
    }
    if (!path.startsWith('/oauth2/')) return false;
    const endpoint = path.slice('/oauth2/'.length);
    if (endpoint === 'authorize') {
      await ready();
      await authorizeEndpoint(ctx, req, res, url);
      return true;
    }
    if (endpoint === 'logout' && method === 'POST') {
      await logoutEndpoint(ctx, req, res, u());
      return true;
    }
    if (!['token', 'introspect', 'revoke', 'launch'].includes(endpoint)) return false;
    if (method === 'OPTIONS') return preflight(res);
    if (method !== 'POST') {
      req.resume();
      json(405, { error: 'invalid_request', error_description: 'Use POST' }, { Allow: 'POST, OPTIONS' });
      return true;
    }
    await ready();
    if (endpoint === 'launch') {
      await handleLaunch(req, res);
      return true;
    }
    const headers = endpoint === 'token' ? { ...CORS_HEADERS, ...NO_STORE } : { ...CORS_HEADERS, 'Cache-Control': 'no-store' };
    try {
      const params = await readForm(req);
      if (endpoint === 'token') {
        housekeeping();
        sendJson(res, 200, await tokenEndpoint(ctx, req, params), headers);
      } else if (endpoint === 'introspect') {
        sendJson(res, 200, await introspectionEndpoint(ctx, req, params), headers);
      } else {
        await revocationEndpoint(ctx, req, params);
        res.writeHead(200, { ...headers, 'Content-Length': 0 });
        res.end();
      }
    } catch (e) {
      if (!(e instanceof OAuthError)) {
        onError(e);
        sendOAuthError(res, new OAuthError('server_error', 'The server could not process the request'), headers);
        return true;
      }
      const extra: Record<string, string> = {};
      // RFC 6749 section 5.2: a 401 for a client that used the Authorization header carries WWW-Authenticate.
      if (e.status === 401 && /^basic\s/i.test(req.headers.authorization ?? '')) extra['WWW-Authenticate'] = 'Basic realm="Confide"';
      sendOAuthError(res, e, { ...headers, ...extra });
    }
    return true;
  }

  function preflight(res: ServerResponse): true {
    res.writeHead(204, CORS_HEADERS);
    res.end();
    return true;
  }

  async function handleLaunch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const mime = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      let body: LaunchRequest;
      if (mime === 'application/x-www-form-urlencoded') {
        const f = await readForm(req);
        body = { patient: f.get('patient') ?? undefined, encounter: f.get('encounter') ?? undefined };
      } else if (mime === 'application/json' || mime === 'application/fhir+json') {
        const raw = await readBody(req, 64 * 1024);
        try {
          body = JSON.parse(raw.toString('utf8')) as LaunchRequest;
        } catch {
          throw errors.badRequest('The body is not valid JSON');
        }
        if (typeof body !== 'object' || body === null) throw errors.badRequest('The body must be a JSON object');
      } else {
        req.resume();
        throw errors.unsupportedMediaType('Send the launch context as JSON or a form');
      }
      sendJson(res, 200, await launchEndpoint(ctx, req, body), { 'Cache-Control': 'no-store' });
    } catch (e) {
      if (e instanceof OAuthError) {
        sendJson(res, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text: e.description } }] });
        return;
      }
      if (!isOperationOutcomeError(e)) throw e;
      const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
      if (e instanceof BearerError) headers['WWW-Authenticate'] = e.challenge;
      sendJson(res, e.status, e.outcome, headers);
    }
  }

  // What a token must name (iss, aud), per Host header: made once, not on every request.
  const expectedByHost = new Map<string | undefined, { issuer: string; audience: string }>();
  let keysLoaded = false;
  async function authenticate(req: IncomingMessage): Promise<AccessContext> {
    if (!keysLoaded) {
      await ready();
      keysLoaded = true;
    }
    const host = req.headers.host;
    let expected = expectedByHost.get(host);
    if (!expected) {
      const u = urls(req);
      expected = { issuer: u.issuer, audience: u.fhirBase };
      if (expectedByHost.size >= 64) expectedByHost.clear();
      expectedByHost.set(host, expected);
    }
    return bearer.authenticate(req, expected);
  }

  async function issueToken(input: IssueTokenInput): Promise<IssuedToken> {
    await ready();
    const u = urls();
    const clientId = input.clientId ?? CLI_CLIENT_ID;
    const client = await clients.get(clientId);
    if (!client || client.disabled) throw new Error(`No active client '${clientId}'`);
    const ttl = input.ttlSeconds ?? (input.username ? config.accessTokenSeconds : config.backendTokenSeconds);
    if (!Number.isInteger(ttl) || ttl <= 0 || ttl > config.maxOperatorTokenSeconds) {
      throw new Error(`The token lifetime must be 1 to ${config.maxOperatorTokenSeconds} seconds`);
    }
    let scopes;
    try {
      scopes = parseScopes(input.scope);
    } catch (e) {
      if (e instanceof ScopeError) throw new Error(e.message);
      throw e;
    }
    if (scopes.length === 0) throw new Error('A token needs a scope');
    const isSystem = (s: (typeof scopes)[number]) => s.kind === 'resource' && s.context === 'system';
    const user = input.username ? await accounts.getUser(input.username) : undefined;
    if (input.username) {
      if (!user || user.disabled) throw new Error(`No active account '${input.username}'`);
      if (scopes.some(isSystem)) throw new Error('system/ scopes are for backend services, not users');
    } else if (!scopes.every(isSystem)) {
      throw new Error('A token without a user has system/ scopes only');
    }
    if (!isScopeSubset(scopes, parseScopesLenient(client.scope).scopes)) throw new Error(`The scope exceeds what client '${clientId}' may be granted`);
    let patient = input.patient?.replace(/^Patient\//, '');
    if (user?.kind === 'patient') patient = user.fhirUser?.startsWith('Patient/') ? user.fhirUser.slice(8) : undefined;
    if (patient && user?.kind !== 'patient') {
      const p = await repo.readCurrent('Patient', patient);
      if (!p || p.deleted) throw new Error(`Patient/${patient} does not exist`);
    }
    const scope = scopes.map((s) => s.text).join(' ');
    // Operator tokens are bounded by their lifetime, not by inactivity (a script may pause): `offline`.
    const grant = await db.transaction((tx) =>
      grants.create(tx, { clientId, userId: user?.id ?? null, scope, launchContext: patient ? { patient } : null, offline: true }),
    );
    const { token } = await ctx.signer.accessToken({
      issuer: u.issuer,
      audience: u.fhirBase,
      subject: user ? user.id : clientId,
      clientId,
      scope,
      grantId: grant.id,
      fhirUser: fhirUserUrl(u, user?.fhirUser),
      patient,
      ttlSeconds: ttl,
    });
    emit({
      type: 'token-issued',
      outcome: 'success',
      clientId,
      grantId: grant.id,
      userId: user?.id,
      username: user?.username,
      grantType: 'operator',
      scope,
      patient,
      remoteAddress: input.remoteAddress,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: ttl, scope };
  }

  return {
    handle,
    authenticate,
    issueToken,
    async ensureClients() {
      await clients.ensureClients();
      await ready();
    },
    revokeGrant: (id, reason) => ctx.revokeGrant(id, reason),
    revokeUserGrants(userId, reason) {
      // Synchronously first: the account's tokens are refused from this moment, not when the database is done.
      bearer.blockUser(userId);
      return (async () => {
        try {
          const ids = await grants.revokeForUser(userId, reason);
          for (const id of ids) {
            bearer.grantRevoked(id);
            emit({ type: 'token-revoked', outcome: 'success', userId, grantId: id, reason });
          }
          return ids.length;
        } finally {
          bearer.unblockUser(userId);
        }
      })();
    },
    async disableClient(clientId) {
      for (const id of await clients.disable(clientId)) {
        bearer.grantRevoked(id);
        emit({ type: 'token-revoked', outcome: 'success', clientId, grantId: id, reason: 'client-disabled' });
      }
    },
    async rotateKeys() {
      await ready();
      return keys.rotateNow();
    },
    clients,
    urls,
    async close() {
      await bearer.close();
      await Promise.allSettled([...background]);
    },
  };
}
