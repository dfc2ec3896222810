import type { UserRecord } from '@confide/auth';
import type { OAuthContext } from './context.ts';
import type { Grant } from './grants.ts';
import { hasScope } from './scope-grant.ts';
import type { ServerUrls } from './urls.ts';

/** The successful token response (RFC 6749 section 5.1; SMART app-launch "Obtain access token", Response). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  patient?: string;
  encounter?: string;
  need_patient_banner?: boolean;
  smart_style_url?: string;
}

export interface TokenResponseInput {
  grant: Grant;
  /** The scope of this access token: the grant's, or a subset asked for at refresh. */
  scope: string;
  user?: UserRecord;
  refreshToken?: string;
  nonce?: string | null;
  authTime?: number | null;
  ttlSeconds: number;
}

/** `Practitioner/1` → `https://ehr.example.org/fhir/R4/Practitioner/1` (SMART: fhirUser is a URL). */
export function fhirUserUrl(urls: ServerUrls, fhirUser: string | null | undefined): string | undefined {
  return fhirUser ? `${urls.fhirBase}/${fhirUser}` : undefined;
}

/** Signs the access token (and id_token) of a grant and puts the response together with its launch context. */
export async function buildTokenResponse(ctx: OAuthContext, urls: ServerUrls, t: TokenResponseInput): Promise<TokenResponse> {
  const { grant, user } = t;
  const fhirUser = fhirUserUrl(urls, user?.fhirUser);
  const launch = grant.launchContext ?? {};
  const { token } = await ctx.signer.accessToken({
    issuer: urls.issuer,
    audience: urls.fhirBase,
    subject: user ? user.id : grant.clientId,
    clientId: grant.clientId,
    scope: t.scope,
    grantId: grant.id,
    fhirUser,
    patient: launch.patient,
    encounter: launch.encounter,
    ttlSeconds: t.ttlSeconds,
  });
  const res: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: t.ttlSeconds, scope: t.scope };
  if (t.refreshToken) res.refresh_token = t.refreshToken;
  // OpenID Connect: an id_token when `openid` was granted; SMART adds `fhirUser` when that scope was granted.
  if (user && hasScope(t.scope, 'openid')) {
    res.id_token = await ctx.signer.idToken({
      issuer: urls.issuer,
      clientId: grant.clientId,
      subject: user.id,
      fhirUser: hasScope(t.scope, 'fhirUser') ? fhirUser : undefined,
      name: hasScope(t.scope, 'profile') ? (user.display ?? undefined) : undefined,
      nonce: t.nonce ?? undefined,
      authTime: t.authTime ?? undefined,
      ttlSeconds: t.ttlSeconds,
    });
  }
  if (launch.patient) res.patient = launch.patient;
  if (launch.encounter) res.encounter = launch.encounter;
  if (launch.need_patient_banner !== undefined) res.need_patient_banner = launch.need_patient_banner;
  if (launch.smart_style_url) res.smart_style_url = launch.smart_style_url;
  return res;
}
