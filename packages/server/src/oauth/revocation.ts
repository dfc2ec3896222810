import type { IncomingMessage } from 'node:http';
import { authenticateClient } from './client-auth.ts';
import type { OAuthContext } from './context.ts';
import { checkSingleParams } from './http-util.ts';
import { OAuthError } from './oauth-error.ts';
import { findToken } from './token-lookup.ts';

/**
 * POST /oauth2/revoke (RFC 7009). The client authenticates as at the token endpoint (a public client names
 * itself, section 2.1). Revoking an access or a refresh token revokes the whole grant (section 2.1: "the
 * authorization server SHOULD also invalidate the refresh token" and may revoke the access tokens of the same
 * grant) — every token of that authorization stops working at once. The answer is 200 whether or not the token
 * was valid or belonged to the caller (section 2.2), so the endpoint reveals nothing about tokens.
 */
export async function revocationEndpoint(ctx: OAuthContext, req: IncomingMessage, params: URLSearchParams): Promise<void> {
  checkSingleParams(params);
  const urls = ctx.urls(req);
  const remoteAddress = req.socket.remoteAddress;
  const auth = await authenticateClient(ctx, { authorization: req.headers.authorization, params, audiences: [urls.token, urls.revoke], remoteAddress });
  const token = params.get('token');
  if (!token) throw new OAuthError('invalid_request', 'token is missing');
  const found = await findToken(ctx, urls, token, params.get('token_type_hint'));
  if (!found?.grant || found.grant.clientId !== auth.client.clientId || found.grant.revokedAt !== null) return;
  await ctx.revokeGrant(found.grant.id, 'revoked-by-client', { clientId: auth.client.clientId, remoteAddress, userId: found.grant.userId ?? undefined });
}
