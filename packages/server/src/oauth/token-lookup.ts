import type { OAuthContext } from './context.ts';
import type { Grant } from './grants.ts';
import type { AccessTokenClaims } from './token-signer.ts';
import type { ServerUrls } from './urls.ts';

/** A token presented to introspection or revocation, found as an access token (JWT) or a refresh token. */
export type FoundToken =
  | { kind: 'access'; claims: AccessTokenClaims; grant: Grant | undefined }
  | { kind: 'refresh'; grant: Grant | undefined; createdAt: number; expiresAt: number; usedAt: number | null };

/** Looks a token up by what it is; `hint` (RFC 7009 section 2.1, RFC 7662 section 2.1) only orders the tries. */
export async function findToken(ctx: OAuthContext, urls: ServerUrls, token: string, hint: string | null): Promise<FoundToken | undefined> {
  const asAccess = async (): Promise<FoundToken | undefined> => {
    if (token.split('.').length !== 3) return undefined;
    const claims = await ctx.bearer.verify(token, { issuer: urls.issuer, audience: urls.fhirBase });
    return claims ? { kind: 'access', claims, grant: await ctx.grants.get(claims.grant) } : undefined;
  };
  const asRefresh = async (): Promise<FoundToken | undefined> => {
    const rt = await ctx.grants.findRefreshToken(token);
    return rt ? { kind: 'refresh', grant: await ctx.grants.get(rt.grantId), createdAt: rt.createdAt, expiresAt: rt.expiresAt, usedAt: rt.usedAt } : undefined;
  };
  return hint === 'refresh_token' ? ((await asRefresh()) ?? (await asAccess())) : ((await asAccess()) ?? (await asRefresh()));
}
