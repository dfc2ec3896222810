import type { IncomingMessage } from 'node:http';
import { isOperationOutcomeError } from '@confide/fhir';
import { authenticateClient } from './client-auth.ts';
import type { OAuthContext } from './context.ts';
import { checkSingleParams } from './http-util.ts';
import { OAuthError } from './oauth-error.ts';
import { hasScope } from './scope-grant.ts';
import { fhirUserUrl } from './token-response.ts';
import { findToken } from './token-lookup.ts';

/**
 * POST /oauth2/introspect (RFC 7662; SMART token-introspection). The caller authenticates as a confidential
 * client (section 2.1: "the protected resource MUST also be authorized"), or with a bearer access token, and
 * learns about tokens of its own client only: any other token is `{ "active": false }` (section 2.2), so the
 * endpoint tells nothing about other apps' tokens. Also refresh tokens.
 */
export async function introspectionEndpoint(ctx: OAuthContext, req: IncomingMessage, params: URLSearchParams): Promise<Record<string, unknown>> {
  checkSingleParams(params);
  const urls = ctx.urls(req);
  let callerClient: string;
  const authorization = req.headers.authorization;
  if (authorization && /^bearer\s/i.test(authorization)) {
    try {
      const access = await ctx.bearer.authenticate(req, { issuer: urls.issuer, audience: urls.fhirBase });
      callerClient = access.clientId!;
    } catch (e) {
      if (isOperationOutcomeError(e)) throw new OAuthError('invalid_client', 'The bearer token of the caller is not valid', 401, 'caller-token-invalid');
      throw e;
    }
  } else {
    const auth = await authenticateClient(ctx, { authorization, params, audiences: [urls.token, urls.introspect], remoteAddress: req.socket.remoteAddress });
    if (auth.method === 'none') throw new OAuthError('invalid_client', 'Introspection needs an authenticated client or a bearer token', 401, 'public-client');
    callerClient = auth.client.clientId;
  }
  const token = params.get('token');
  if (!token) throw new OAuthError('invalid_request', 'token is missing');

  const found = await findToken(ctx, urls, token, params.get('token_type_hint'));
  const inactive = { active: false };
  if (!found || !found.grant || found.grant.revokedAt !== null || found.grant.clientId !== callerClient) return inactive;
  const client = await ctx.clients.get(found.grant.clientId);
  if (!client || client.disabled) return inactive;
  const grant = found.grant;
  const user = grant.userId ? await ctx.accounts.getUser(grant.userId) : undefined;
  if (grant.userId && (!user || user.disabled)) return inactive;
  // SMART token-introspection: fhirUser when the token was issued with the fhirUser scope.
  const fhirUser = hasScope(found.kind === 'access' ? found.claims.scope : grant.scope, 'fhirUser') ? fhirUserUrl(urls, user?.fhirUser) : undefined;
  const now = ctx.now().getTime();
  // An interactive grant without offline_access that idled out is over (as for the FHIR API).
  if (grant.userId && !grant.offline) {
    const lastUsed = Math.max(grant.lastUsedAt, ctx.bearer.lastUsed(grant.id) ?? 0);
    if (now - lastUsed > ctx.config.idleSeconds * 1000) return inactive;
  }

  if (found.kind === 'access') {
    const c = found.claims;
    return {
      active: true,
      scope: c.scope,
      client_id: c.client_id,
      sub: c.sub,
      ...(user ? { username: user.username } : {}),
      token_type: 'Bearer',
      exp: c.exp,
      iat: c.iat,
      iss: c.iss,
      aud: c.aud,
      jti: c.jti,
      ...(fhirUser ? { fhirUser } : {}),
      ...(c.patient ? { patient: c.patient } : {}),
      ...(c.encounter ? { encounter: c.encounter } : {}),
    };
  }
  if (found.usedAt !== null || found.expiresAt <= now) return inactive;
  return {
    active: true,
    scope: grant.scope,
    client_id: grant.clientId,
    sub: grant.userId ?? grant.clientId,
    ...(user ? { username: user.username } : {}),
    token_type: 'refresh_token',
    exp: Math.floor(found.expiresAt / 1000),
    iat: Math.floor(found.createdAt / 1000),
    iss: urls.issuer,
    ...(fhirUser ? { fhirUser } : {}),
    ...(grant.launchContext?.patient ? { patient: grant.launchContext.patient } : {}),
  };
}
