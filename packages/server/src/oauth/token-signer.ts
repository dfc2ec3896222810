import { SignJWT } from 'jose';
import { randomToken } from './secrets.ts';
import type { SigningKeys } from './signing-keys.ts';

/** The claims of a Confide access token (a JWT, RFC 9068 profile). */
export interface AccessTokenClaims {
  /** The server's public base URL. */
  iss: string;
  /** The FHIR base URL: the only resource server that accepts it. */
  aud: string;
  /** Account id, or the client id of a backend service. */
  sub: string;
  client_id: string;
  scope: string;
  jti: string;
  /** The grant the token belongs to; revoking the grant revokes the token. */
  grant: string;
  /** Absolute URL of the user's Practitioner or Patient. */
  fhirUser?: string;
  /** Launch context: the patient (and encounter) the app was launched with. */
  patient?: string;
  encounter?: string;
  iat: number;
  exp: number;
}

export interface AccessTokenInput {
  issuer: string;
  audience: string;
  subject: string;
  clientId: string;
  scope: string;
  grantId: string;
  fhirUser?: string;
  patient?: string;
  encounter?: string;
  ttlSeconds: number;
}

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  subject: string;
  fhirUser?: string;
  name?: string;
  nonce?: string;
  authTime?: number;
  ttlSeconds: number;
}

/** Signs access tokens and OpenID Connect id_tokens with the current server key. */
export class TokenSigner {
  constructor(
    private readonly keys: SigningKeys,
    private readonly now: () => Date,
  ) {}

  /**
   * An access token: JWT with `typ: at+jwt` (RFC 9068 section 2.1), so that an id_token, signed with the same
   * key, can never pass as one.
   */
  async accessToken(t: AccessTokenInput): Promise<{ token: string; claims: AccessTokenClaims }> {
    const { kid, alg, key } = await this.keys.current();
    const iat = Math.floor(this.now().getTime() / 1000);
    const claims: AccessTokenClaims = {
      iss: t.issuer,
      aud: t.audience,
      sub: t.subject,
      client_id: t.clientId,
      scope: t.scope,
      jti: randomToken(18),
      grant: t.grantId,
      ...(t.fhirUser ? { fhirUser: t.fhirUser } : {}),
      ...(t.patient ? { patient: t.patient } : {}),
      ...(t.encounter ? { encounter: t.encounter } : {}),
      iat,
      exp: iat + t.ttlSeconds,
    };
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(key);
    return { token, claims };
  }

  /**
   * OpenID Connect Core 1.0 section 2 id_token, with SMART's `fhirUser` claim (scopes-and-launch-context,
   * "Scopes for requesting identity data"): `aud` is the client, `nonce` echoed when the app sent one.
   */
  async idToken(t: IdTokenInput): Promise<string> {
    const { kid, alg, key } = await this.keys.current();
    const iat = Math.floor(this.now().getTime() / 1000);
    const payload: Record<string, unknown> = {
      iss: t.issuer,
      sub: t.subject,
      aud: t.clientId,
      iat,
      exp: iat + t.ttlSeconds,
    };
    if (t.authTime !== undefined) payload.auth_time = Math.floor(t.authTime / 1000);
    if (t.nonce) payload.nonce = t.nonce;
    if (t.fhirUser) payload.fhirUser = t.fhirUser;
    if (t.name) payload.name = t.name;
    return new SignJWT(payload).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);
  }
}
