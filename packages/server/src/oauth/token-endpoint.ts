import type { IncomingMessage } from 'node:http';
import type { UserRecord } from '@confide/auth';
import { isScopeSubset, parseScopes, parseScopesLenient, ScopeError } from '@confide/policy';
import { authenticateClient, type AuthenticatedClient } from './client-auth.ts';
import type { CodeRecord } from './codes.ts';
import type { OAuthContext } from './context.ts';
import type { Grant } from './grants.ts';
import { checkSingleParams } from './http-util.ts';
import { OAuthError } from './oauth-error.ts';
import { verifyPkce } from './pkce.ts';
import { hasScope, narrowScopes } from './scope-grant.ts';
import { buildTokenResponse, type TokenResponse } from './token-response.ts';
import type { ServerUrls } from './urls.ts';

/**
 * POST /oauth2/token (RFC 6749 section 3.2): the authorization_code grant (section 4.1.3, with PKCE, RFC 7636
 * section 4.5), refresh_token (section 6, with rotation) and client_credentials for SMART Backend Services
 * (section 4.4; SMART backend-services "Obtaining an access token").
 */
export async function tokenEndpoint(ctx: OAuthContext, req: IncomingMessage, params: URLSearchParams): Promise<TokenResponse> {
  checkSingleParams(params);
  const urls = ctx.urls(req);
  const grantType = params.get('grant_type');
  if (!grantType) throw new OAuthError('invalid_request', 'grant_type is missing');
  if (!['authorization_code', 'refresh_token', 'client_credentials'].includes(grantType)) {
    throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }
  const auth = await authenticateClient(ctx, {
    authorization: req.headers.authorization,
    params,
    audiences: [urls.token],
    remoteAddress: req.socket.remoteAddress,
  });
  if (!auth.client.grantTypes.includes(grantType as never)) {
    throw new OAuthError('unauthorized_client', `This client may not use the ${grantType} grant`);
  }
  const remoteAddress = req.socket.remoteAddress;
  if (grantType === 'authorization_code') return authorizationCode(ctx, urls, auth, params, remoteAddress);
  if (grantType === 'refresh_token') return refresh(ctx, urls, auth, params, remoteAddress);
  return clientCredentials(ctx, urls, auth, params, remoteAddress);
}

type Redeemed = { ok: true; grant: Grant; code: CodeRecord; refreshToken?: string } | { ok: false; error: OAuthError; revoked?: string };

async function authorizationCode(
  ctx: OAuthContext,
  urls: ServerUrls,
  auth: AuthenticatedClient,
  params: URLSearchParams,
  remoteAddress: string | undefined,
): Promise<TokenResponse> {
  const codeParam = params.get('code');
  const redirectUri = params.get('redirect_uri');
  const verifier = params.get('code_verifier');
  if (!codeParam) throw new OAuthError('invalid_request', 'code is missing');
  const clientId = auth.client.clientId;
  const fail = (error: OAuthError): never => {
    ctx.emit({ type: 'token-issued', outcome: 'failure', clientId, grantType: 'authorization_code', reason: error.reason ?? error.error, remoteAddress });
    throw error;
  };
  const invalid = (description: string, reason: string) => new OAuthError('invalid_grant', description, 400, reason);

  const peek = await ctx.codes.find(codeParam);
  if (!peek) return fail(invalid('The authorization code is not valid', 'unknown-code'));
  // RFC 6749 section 4.1.3: ensure the code was issued to the authenticated client. Not burned: the caller
  // may be a different client trying a code it saw.
  if (peek.clientId !== clientId) return fail(invalid('The authorization code was not issued to this client', 'code-client-mismatch'));
  const user = await ctx.accounts.getUser(peek.userId);

  const now = ctx.now().getTime();
  const outcome = await ctx.db.transaction(async (tx): Promise<Redeemed> => {
    const code = await ctx.codes.find(codeParam, tx, true);
    if (!code) return { ok: false, error: invalid('The authorization code is not valid', 'unknown-code') };
    if (code.usedAt !== null) {
      // RFC 6749 section 4.1.2: "If an authorization code is used more than once, the authorization server MUST
      // deny the request and SHOULD revoke (when possible) all tokens previously issued based on that code."
      let revoked: string | undefined;
      if (code.grantId && (await ctx.grants.revoke(code.grantId, 'code-reuse', tx))) revoked = code.grantId;
      return { ok: false, error: invalid('The authorization code was already used', 'code-reuse'), revoked };
    }
    // From here on the code is spent, whatever the outcome (single use, also for a wrong verifier).
    await ctx.codes.markUsed(tx, code.hash);
    if (code.expiresAt <= now) return { ok: false, error: invalid('The authorization code has expired', 'code-expired') };
    // Section 4.1.3: redirect_uri must be identical to the one of the authorization request.
    if (redirectUri !== code.redirectUri) return { ok: false, error: invalid('redirect_uri does not match the authorization request', 'redirect-uri-mismatch') };
    // RFC 7636 section 4.6: S256(code_verifier) must equal the code_challenge.
    if (!verifier) return { ok: false, error: new OAuthError('invalid_grant', 'code_verifier is missing (PKCE is required)', 400, 'pkce-missing') };
    if (!verifyPkce(verifier, code.codeChallenge)) return { ok: false, error: invalid('code_verifier does not match the code_challenge', 'pkce-mismatch') };
    if (!user || user.disabled || user.id !== code.userId) return { ok: false, error: invalid('The account is not active', 'account-inactive') };
    const offline = hasScope(code.scope, 'offline_access');
    const grant = await ctx.grants.create(tx, {
      clientId,
      userId: code.userId,
      scope: code.scope,
      launchContext: code.launchContext,
      offline,
    });
    await ctx.codes.setGrant(tx, code.hash, grant.id);
    let refreshToken: string | undefined;
    if (offline || hasScope(code.scope, 'online_access')) {
      const lifetime = offline ? ctx.config.offlineRefreshSeconds : ctx.config.onlineRefreshSeconds;
      refreshToken = (await ctx.grants.issueRefreshToken(tx, grant.id, now + lifetime * 1000)).token;
    }
    return { ok: true, grant, code, refreshToken };
  });
  if (!outcome.ok) {
    if (outcome.revoked) {
      ctx.bearer.grantRevoked(outcome.revoked);
      ctx.emit({ type: 'token-revoked', outcome: 'success', clientId, grantId: outcome.revoked, reason: 'code-reuse', remoteAddress });
    }
    return fail(outcome.error);
  }
  const { grant, code, refreshToken } = outcome;
  const res = await buildTokenResponse(ctx, urls, {
    grant,
    scope: grant.scope,
    user: user as UserRecord,
    refreshToken,
    nonce: code.nonce,
    authTime: code.authTime,
    ttlSeconds: ctx.config.accessTokenSeconds,
  });
  ctx.emit({
    type: 'token-issued',
    outcome: 'success',
    clientId,
    grantId: grant.id,
    userId: user!.id,
    username: user!.username,
    grantType: 'authorization_code',
    scope: grant.scope,
    patient: grant.launchContext?.patient,
    remoteAddress,
  });
  return res;
}

async function refresh(ctx: OAuthContext, urls: ServerUrls, auth: AuthenticatedClient, params: URLSearchParams, remoteAddress: string | undefined): Promise<TokenResponse> {
  const presented = params.get('refresh_token');
  if (!presented) throw new OAuthError('invalid_request', 'refresh_token is missing');
  const clientId = auth.client.clientId;
  const fail = (description: string, reason: string, error: 'invalid_grant' | 'invalid_scope' = 'invalid_grant'): never => {
    ctx.emit({ type: 'token-refreshed', outcome: 'failure', clientId, grantType: 'refresh_token', reason, remoteAddress });
    throw new OAuthError(error, description, 400, reason);
  };
  const rt = await ctx.grants.findRefreshToken(presented);
  if (!rt) return fail('The refresh token is not valid', 'unknown-refresh-token');
  const grant = await ctx.grants.get(rt.grantId);
  // RFC 6749 section 6: the refresh token must have been issued to the authenticated client.
  if (!grant || grant.clientId !== clientId) return fail('The refresh token is not valid', 'refresh-client-mismatch');
  if (rt.usedAt !== null) {
    // Rotation with reuse detection (OAuth 2.0 Security BCP, refresh token rotation): a refresh token is used
    // once; presenting a used one means it leaked (or the app misbehaves), so the whole grant ends.
    await ctx.revokeGrant(grant.id, 'refresh-token-reuse', { clientId, remoteAddress });
    return fail('The refresh token was already used; the authorization has been revoked', 'refresh-token-reuse');
  }
  if (grant.revokedAt !== null) return fail('The authorization has been revoked', 'grant-revoked');
  const now = ctx.now().getTime();
  if (rt.expiresAt <= now) return fail('The refresh token has expired', 'refresh-token-expired');
  const user = grant.userId ? await ctx.accounts.getUser(grant.userId) : undefined;
  if (!user || user.disabled) return fail('The account is not active', 'account-inactive');
  // online_access: the refresh token lives only as long as the user keeps using the app (the session idle
  // timeout); after that the user must authorize again.
  if (!grant.offline) {
    const lastUsed = Math.max(grant.lastUsedAt, ctx.bearer.lastUsed(grant.id) ?? 0);
    if (now - lastUsed > ctx.config.idleSeconds * 1000) {
      await ctx.revokeGrant(grant.id, 'idle-timeout', { clientId, remoteAddress });
      return fail('The authorization ended after inactivity', 'grant-idle');
    }
  }

  // Section 6: a requested scope "MUST NOT include any scope not originally granted"; omitted = as granted.
  let scope = grant.scope;
  const requested = params.get('scope');
  if (requested !== null && requested.trim() !== '') {
    let ok: boolean;
    try {
      ok = isScopeSubset(parseScopes(requested), parseScopesLenient(grant.scope).scopes);
    } catch (e) {
      if (!(e instanceof ScopeError)) throw e;
      ok = false;
    }
    if (!ok) return fail('The requested scope exceeds the scope originally granted', 'scope-escalation', 'invalid_scope');
    scope = requested.trim().split(/\s+/).join(' ');
  }

  const lifetime = grant.offline ? ctx.config.offlineRefreshSeconds : ctx.config.onlineRefreshSeconds;
  const rotated = await ctx.db.transaction(async (tx) => {
    const next = await ctx.grants.issueRefreshToken(tx, grant.id, now + lifetime * 1000);
    const marked = await ctx.grants.markRefreshTokenUsed(tx, rt.hash, next.hash);
    if (!marked) throw new OAuthError('invalid_grant', 'The refresh token was already used', 400, 'refresh-token-race');
    return next.token;
  });
  await ctx.grants.touch(grant.id, now);
  const res = await buildTokenResponse(ctx, urls, { grant, scope, user, refreshToken: rotated, ttlSeconds: ctx.config.accessTokenSeconds });
  ctx.emit({
    type: 'token-refreshed',
    outcome: 'success',
    clientId,
    grantId: grant.id,
    userId: user.id,
    username: user.username,
    grantType: 'refresh_token',
    scope,
    patient: grant.launchContext?.patient,
    remoteAddress,
  });
  return res;
}

/**
 * SMART Backend Services: the client authenticated with a signed JWT (private_key_jwt), asks for `system/`
 * scopes within its registration. Every token request is its own grant (so revoking a token revokes that
 * grant only); no refresh token (the client signs a new assertion instead).
 */
async function clientCredentials(
  ctx: OAuthContext,
  urls: ServerUrls,
  auth: AuthenticatedClient,
  params: URLSearchParams,
  remoteAddress: string | undefined,
): Promise<TokenResponse> {
  const clientId = auth.client.clientId;
  const fail = (error: OAuthError): never => {
    ctx.emit({ type: 'token-issued', outcome: 'failure', clientId, grantType: 'client_credentials', reason: error.reason ?? error.error, remoteAddress });
    throw error;
  };
  if (auth.method !== 'private_key_jwt') return fail(new OAuthError('invalid_client', 'Backend services authenticate with a signed JWT', 401, 'wrong-method'));
  const requested = params.get('scope');
  if (!requested || !requested.trim()) return fail(new OAuthError('invalid_scope', 'scope is required', 400, 'no-scope'));
  const n = narrowScopes(requested, auth.client.scope, 'system');
  if (n.wrongContext.length > 0) {
    return fail(new OAuthError('invalid_scope', `A backend service may only request system/ scopes, not ${n.wrongContext.join(' ')}`, 400, 'wrong-context'));
  }
  if (n.scopes.length === 0) return fail(new OAuthError('invalid_scope', 'None of the requested scopes may be granted to this client', 400, 'scope-not-allowed'));
  const grant = await ctx.db.transaction((tx) => ctx.grants.create(tx, { clientId, userId: null, scope: n.scope, offline: false }));
  const res = await buildTokenResponse(ctx, urls, { grant, scope: n.scope, ttlSeconds: ctx.config.backendTokenSeconds });
  ctx.emit({ type: 'token-issued', outcome: 'success', clientId, grantId: grant.id, grantType: 'client_credentials', scope: n.scope, remoteAddress });
  return res;
}
