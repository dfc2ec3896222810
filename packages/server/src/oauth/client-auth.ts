import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Db } from '@confide/store';
import type { ClientAuthMethod, ClientRegistry, OAuthClient } from './clients.ts';
import type { ClientKeys } from './client-keys.ts';
import { OAuthError } from './oauth-error.ts';
import { verifySecret } from './secrets.ts';
import type { SecurityEvent } from './security-event.ts';
import { iso } from './sql.ts';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART client-confidential-asymmetric: servers SHALL support RS384 and ES384 (and we accept nothing else). */
export const ASSERTION_ALGS = ['RS384', 'ES384'];
/** SMART: the assertion's `exp` is no more than five minutes in the future. */
const MAX_ASSERTION_SECONDS = 300;
/** Clock skew allowed on `exp`/`nbf`/`iat` of assertions. */
const SKEW_SECONDS = 15;

export interface ClientAuthDeps {
  db: Db;
  clients: ClientRegistry;
  clientKeys: ClientKeys;
  now: () => Date;
  emit: (e: Omit<SecurityEvent, 'at'>) => void;
}

export interface AuthenticatedClient {
  client: OAuthClient;
  /** How it proved who it is; `none` for a public client that only named itself. */
  method: ClientAuthMethod;
}

export interface ClientAuthRequest {
  authorization?: string;
  params: URLSearchParams;
  /** Acceptable `aud` values of a client assertion: the token endpoint URL (and the endpoint called). */
  audiences: string[];
  remoteAddress?: string;
}

let lastJtiCleanup = 0;

/**
 * Client authentication at the token, introspection and revocation endpoints (RFC 6749 section 2.3):
 * `client_secret_basic` (section 2.3.1), `private_key_jwt` (RFC 7523 sections 2.2 and 3; SMART
 * client-confidential-asymmetric, "Authenticating to the Token endpoint"), or a public client naming itself with
 * `client_id` (section 2.3: public clients cannot authenticate). A client must use the method it registered,
 * and only one method per request (section 2.3). Failures are `invalid_client` (section 5.2).
 */
export async function authenticateClient(deps: ClientAuthDeps, req: ClientAuthRequest): Promise<AuthenticatedClient> {
  const basic = req.authorization && /^basic\s/i.test(req.authorization) ? req.authorization.slice(6).trim() : undefined;
  const assertionType = req.params.get('client_assertion_type');
  const assertion = req.params.get('client_assertion');
  const fail = (description: string, reason: string, clientId?: string): OAuthError => {
    deps.emit({ type: 'client-auth-failed', outcome: 'failure', clientId, reason, remoteAddress: req.remoteAddress });
    return new OAuthError('invalid_client', description, 401, reason);
  };
  if (basic !== undefined && (assertion || assertionType)) {
    throw new OAuthError('invalid_request', 'Use one client authentication method per request (RFC 6749 section 2.3)');
  }
  if (req.params.has('client_secret')) {
    throw new OAuthError('invalid_request', 'client_secret in the request body is not supported: use HTTP Basic (client_secret_basic)');
  }

  if (basic !== undefined) {
    let id: string;
    let secret: string;
    try {
      const text = Buffer.from(basic, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      if (colon < 0) throw new Error('no colon');
      // RFC 6749 section 2.3.1: both are form-urlencoded before they are put in the header.
      id = decodeURIComponent(text.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(text.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      throw fail('Malformed HTTP Basic credentials', 'malformed-basic');
    }
    const claimed = req.params.get('client_id');
    if (claimed !== null && claimed !== id) throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
    const client = await deps.clients.get(id);
    const hash = client ? await deps.clients.secretHash(id) : null;
    const ok = await verifySecret(hash, secret);
    if (!client || !ok) throw fail('Client authentication failed', client ? 'wrong-secret' : 'unknown-client', id);
    if (client.disabled || client.internal) throw fail('Client authentication failed', 'client-disabled', id);
    if (client.tokenEndpointAuthMethod !== 'client_secret_basic') throw fail('This client must authenticate with its registered method', 'wrong-method', id);
    return { client, method: 'client_secret_basic' };
  }

  if (assertion || assertionType) {
    if (assertionType !== JWT_BEARER_ASSERTION) {
      throw fail(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`, 'wrong-assertion-type');
    }
    if (!assertion) throw fail('client_assertion is missing', 'missing-assertion');
    const client = await verifyClientAssertion(deps, assertion, req, fail);
    return { client, method: 'private_key_jwt' };
  }

  const clientId = req.params.get('client_id');
  if (!clientId) throw fail('Client authentication is required (or client_id for a public client)', 'no-client');
  const client = await deps.clients.get(clientId);
  if (!client || client.disabled || client.internal) throw fail('Unknown or disabled client', client ? 'client-disabled' : 'unknown-client', clientId);
  if (client.tokenEndpointAuthMethod !== 'none') throw fail('This client is confidential: it must authenticate', 'authentication-required', clientId);
  return { client, method: 'none' };
}

/**
 * RFC 7523 section 3 and SMART client-confidential-asymmetric ("Signature verification"): the JWT is signed
 * with RS384 or ES384 by a key of the client's registered JWK Set (inline or at its jwks_uri, which a `jku`
 * header must equal), `iss` = `sub` = client_id, `aud` = the token endpoint URL, `exp` at most five minutes
 * ahead, and its `jti` never seen before for this client.
 */
async function verifyClientAssertion(
  deps: ClientAuthDeps,
  assertion: string,
  req: ClientAuthRequest,
  fail: (d: string, reason: string, clientId?: string) => OAuthError,
): Promise<OAuthClient> {
  let unverified: JWTPayload;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
    unverified = decodeJwt(assertion);
  } catch {
    throw fail('client_assertion is not a JWT', 'malformed-assertion');
  }
  const clientId = typeof unverified.iss === 'string' ? unverified.iss : '';
  const claimed = req.params.get('client_id');
  if (claimed !== null && claimed !== clientId) throw fail('client_id does not match the assertion', 'client-id-mismatch', claimed);
  if (!header.alg || !ASSERTION_ALGS.includes(header.alg)) throw fail(`The assertion must be signed with ${ASSERTION_ALGS.join(' or ')}`, 'wrong-alg', clientId);
  const client = await deps.clients.get(clientId);
  if (!client) throw fail('Unknown client', 'unknown-client', clientId);
  if (client.disabled || client.internal) throw fail('Client authentication failed', 'client-disabled', clientId);
  if (client.tokenEndpointAuthMethod !== 'private_key_jwt') throw fail('This client must authenticate with its registered method', 'wrong-method', clientId);
  if (header.jku !== undefined && header.jku !== client.jwksUri) throw fail('The jku header is not the registered jwks_uri', 'jku-mismatch', clientId);

  const now = deps.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(assertion, (h, t) => deps.clientKeys.keyFor(client, h, t), {
      algorithms: ASSERTION_ALGS,
      issuer: clientId,
      subject: clientId,
      audience: req.audiences,
      currentDate: now,
      clockTolerance: SKEW_SECONDS,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (e) {
    throw fail(`The client assertion is not valid: ${assertionProblem(e)}`, `assertion-${assertionProblem(e).replace(/\s+/g, '-')}`, clientId);
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if ((payload.exp as number) > nowSeconds + MAX_ASSERTION_SECONDS + SKEW_SECONDS) {
    throw fail('The client assertion expires more than five minutes ahead', 'assertion-exp-too-far', clientId);
  }
  const jti = payload.jti as string;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 255) throw fail('The client assertion needs a jti', 'assertion-jti', clientId);
  // Replay: each jti once per client, remembered until the assertion has expired (RFC 7523 section 3, item 7).
  const r = await deps.db.query(
    'INSERT INTO oauth_backend_jti (client_id, jti, expires_at) VALUES ($1, $2, $3::timestamptz) ON CONFLICT DO NOTHING',
    [clientId, jti, iso(((payload.exp as number) + SKEW_SECONDS) * 1000)],
    'oauth:jti',
  );
  if (r.rowCount === 0) throw fail('The client assertion was already used (jti)', 'assertion-replay', clientId);
  if (now.getTime() - lastJtiCleanup > 60_000) {
    lastJtiCleanup = now.getTime();
    await deps.db.query('DELETE FROM oauth_backend_jti WHERE expires_at < $1::timestamptz', [iso(now)]);
  }
  return client;
}

function assertionProblem(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) return `${e.claim} claim`;
  if (e instanceof joseErrors.JWKSNoMatchingKey) return 'no registered key matches';
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  return 'unverifiable';
}
