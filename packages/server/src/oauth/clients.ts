import type { JWK } from 'jose';
import { parseScopes, ScopeError, type Scope } from '@confide/policy';
import type { Db } from '@confide/store';
import { hashSecret, randomToken } from './secrets.ts';
import { iso, json, ms, num } from './sql.ts';

export type ClientType = 'public' | 'confidential';
/** OAuth client authentication methods (RFC 7591 section 2; SMART client-confidential-symmetric/-asymmetric). */
export type ClientAuthMethod = 'none' | 'client_secret_basic' | 'private_key_jwt';
export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

export interface JwkSet {
  keys: JWK[];
}

/** A registered client, as the rest of the server sees it (never the secret or its hash). */
export interface OAuthClient {
  clientId: string;
  name: string;
  type: ClientType;
  tokenEndpointAuthMethod: ClientAuthMethod;
  /** Exact redirect URIs; one starting with `/` is relative to this server's own base URL (first-party apps). */
  redirectUris: string[];
  /** The most this client may be granted (space-separated scopes). */
  scope: string;
  jwks: JwkSet | null;
  jwksUri: string | null;
  grantTypes: GrantType[];
  /** Confide's own apps: no consent page. */
  firstParty: boolean;
  /** HL7 v3 PurposeOfUse for a backend service (default TREAT). */
  purposeOfUse: string | null;
  disabled: boolean;
  createdAt: Date;
  /** Internal clients (`confide-cli`) cannot be used at the authorization or token endpoints. */
  internal: boolean;
}

export interface RegisterClientInput {
  name: string;
  /** Default: a random id. */
  clientId?: string;
  redirectUris?: string[];
  /** The most the client may be granted. */
  scope: string;
  /** A confidential app with a shared secret (`client_secret_basic`); the secret is generated and returned once. */
  confidential?: boolean;
  /** A confidential client with asymmetric keys (`private_key_jwt`): its public JWK Set inline... */
  jwks?: JwkSet;
  /** ...or where to fetch it. */
  jwksUri?: string;
  /** A SMART Backend Service (client_credentials; needs jwks or jwksUri; system/ scopes only). */
  backend?: boolean;
  firstParty?: boolean;
  purposeOfUse?: string;
}

/** Why a registration was refused. */
export class ClientRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientRegistrationError';
  }
}

/** The client id of Confide's own web app (staff app and patient portal). */
export const WEB_CLIENT_ID = 'confide-web';
/** The client id operator tokens (`confide token`) are issued to. Not usable at /oauth2/authorize or /oauth2/token. */
export const CLI_CLIENT_ID = 'confide-cli';
const INTERNAL_CLIENTS = new Set([CLI_CLIENT_ID]);

interface ClientRow {
  client_id: string;
  name: string;
  type: ClientType;
  token_endpoint_auth_method: ClientAuthMethod;
  redirect_uris: string[] | null;
  scope: string;
  jwks: unknown;
  jwks_uri: string | null;
  grant_types: string[] | null;
  first_party: boolean;
  purpose_of_use: string | null;
  disabled: boolean;
  created_at: number;
}

const COLUMNS = `client_id, name, type, token_endpoint_auth_method, redirect_uris, scope, jwks, jwks_uri, grant_types, first_party,
  purpose_of_use, disabled, ${ms('created_at')}`;

function toClient(r: ClientRow): OAuthClient {
  return {
    clientId: r.client_id,
    name: r.name,
    type: r.type,
    tokenEndpointAuthMethod: r.token_endpoint_auth_method,
    redirectUris: r.redirect_uris ?? [],
    scope: r.scope,
    jwks: json<JwkSet>(r.jwks),
    jwksUri: r.jwks_uri,
    grantTypes: (r.grant_types ?? []) as GrantType[],
    firstParty: r.first_party,
    purposeOfUse: r.purpose_of_use,
    disabled: r.disabled,
    createdAt: new Date(num(r.created_at)!),
    internal: INTERNAL_CLIENTS.has(r.client_id),
  };
}

// RFC 7517 section 6.3.2 / 6.2.2: members that only a private key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const PURPOSE = /^[A-Z][A-Z0-9_]{1,31}$/;

/** The client registry (`oauth_client`): registration by operators (`confide clients`), lookup by the endpoints. */
export class ClientRegistry {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(clientId: string): Promise<OAuthClient | undefined> {
    if (!clientId || clientId.length > 128) return undefined;
    const r = await this.db.query<ClientRow>(`SELECT ${COLUMNS} FROM oauth_client WHERE client_id = $1`, [clientId], 'oauth:client');
    return r.rows[0] ? toClient(r.rows[0]) : undefined;
  }

  /** The stored hash of a client's secret (client_secret_basic), for `client-auth.ts` only. */
  async secretHash(clientId: string): Promise<string | null> {
    const r = await this.db.query<{ secret_hash: string | null }>('SELECT secret_hash FROM oauth_client WHERE client_id = $1', [clientId]);
    return r.rows[0]?.secret_hash ?? null;
  }

  async list(): Promise<OAuthClient[]> {
    const r = await this.db.query<ClientRow>(`SELECT ${COLUMNS} FROM oauth_client ORDER BY created_at, client_id`);
    return r.rows.map(toClient);
  }

  /** Registers a client. Returns the client secret once (confidential symmetric clients); only its hash is kept. */
  async register(input: RegisterClientInput): Promise<{ client: OAuthClient; clientSecret?: string }> {
    const v = validateRegistration(input);
    const clientSecret = v.method === 'client_secret_basic' ? randomToken(32) : undefined;
    const secretHash = clientSecret ? await hashSecret(clientSecret) : null;
    const r = await this.db.query<ClientRow>(
      `INSERT INTO oauth_client (client_id, name, type, token_endpoint_auth_method, secret_hash, redirect_uris, scope, jwks, jwks_uri,
         grant_types, first_party, purpose_of_use, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13::timestamptz)
       ON CONFLICT (client_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        v.clientId,
        v.name,
        v.type,
        v.method,
        secretHash,
        v.redirectUris,
        v.scope,
        input.jwks ? JSON.stringify(input.jwks) : null,
        input.jwksUri ?? null,
        v.grantTypes,
        input.firstParty === true,
        input.purposeOfUse ?? null,
        iso(this.now()),
      ],
    );
    if (!r.rows[0]) throw new ClientRegistrationError(`A client with id '${v.clientId}' already exists`);
    return { client: toClient(r.rows[0]), clientSecret };
  }

  /** Disables a client: it can no longer authorize, get or use tokens (every grant of it is revoked). */
  async disable(clientId: string, reason = 'client-disabled'): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const r = await tx.query('UPDATE oauth_client SET disabled = true WHERE client_id = $1', [clientId]);
      if (r.rowCount === 0) throw new ClientRegistrationError(`No client with id '${clientId}'`);
      const g = await tx.query<{ id: string }>(
        `UPDATE oauth_grant SET revoked_at = $2::timestamptz, revoked_reason = $3 WHERE client_id = $1 AND revoked_at IS NULL RETURNING id`,
        [clientId, iso(this.now()), reason],
      );
      return g.rows.map((x) => x.id);
    });
  }

  /**
   * The first-party clients every Confide has, created or brought up to date at start:
   * `confide-web` (Confide's own web app: public, PKCE, no consent page) and `confide-cli` (operator tokens).
   */
  async ensureClients(): Promise<void> {
    const now = iso(this.now());
    const upsert = `INSERT INTO oauth_client (client_id, name, type, token_endpoint_auth_method, redirect_uris, scope, grant_types, first_party, created_at)
      VALUES ($1, $2, 'public', 'none', $3, $4, $5, true, $6::timestamptz)
      ON CONFLICT (client_id) DO UPDATE SET name = EXCLUDED.name, redirect_uris = EXCLUDED.redirect_uris, scope = EXCLUDED.scope,
        grant_types = EXCLUDED.grant_types, first_party = true`;
    await this.db.query(upsert, [
      WEB_CLIENT_ID,
      'Confide',
      // Relative to this server's own public URL, whatever it is configured or reached as.
      ['/app/callback', '/portal/callback'],
      'openid fhirUser profile offline_access online_access launch launch/patient user/*.cruds patient/*.cruds',
      ['authorization_code', 'refresh_token'],
      now,
    ]);
    await this.db.query(upsert, [
      CLI_CLIENT_ID,
      'Confide command line (operator tokens)',
      [],
      'openid fhirUser launch/patient user/*.cruds patient/*.cruds system/*.cruds',
      [],
      now,
    ]);
  }
}

interface ValidRegistration {
  clientId: string;
  name: string;
  type: ClientType;
  method: ClientAuthMethod;
  redirectUris: string[];
  scope: string;
  grantTypes: GrantType[];
}

function validateRegistration(input: RegisterClientInput): ValidRegistration {
  const name = (input.name ?? '').trim();
  if (!name || name.length > 200) throw new ClientRegistrationError('A client needs a name (at most 200 characters)');
  const clientId = input.clientId ?? randomToken(16);
  if (!/^[A-Za-z0-9._~-]{3,128}$/.test(clientId)) throw new ClientRegistrationError('A client id is 3 to 128 of A-Z a-z 0-9 . _ ~ -');
  if (INTERNAL_CLIENTS.has(clientId) || clientId === WEB_CLIENT_ID) throw new ClientRegistrationError(`'${clientId}' is reserved`);
  const asymmetric = input.jwks !== undefined || input.jwksUri !== undefined;
  if (input.jwks !== undefined && input.jwksUri !== undefined) throw new ClientRegistrationError('Give the keys inline (jwks) or by URL (jwks_uri), not both');
  if (input.confidential && asymmetric) throw new ClientRegistrationError('A client uses a shared secret or asymmetric keys, not both');
  if (input.backend && !asymmetric) throw new ClientRegistrationError('A backend service authenticates with a signed JWT: register its jwks or jwks_uri');
  if (input.jwks !== undefined) validateJwks(input.jwks);
  if (input.jwksUri !== undefined) checkUrl(input.jwksUri, 'jwks_uri', false);
  if (input.purposeOfUse !== undefined && !PURPOSE.test(input.purposeOfUse)) {
    throw new ClientRegistrationError('purposeOfUse is an HL7 v3 PurposeOfUse code such as TREAT, HOPERAT, PUBHLTH');
  }

  let scopes: Scope[];
  try {
    scopes = parseScopes(input.scope ?? '');
  } catch (e) {
    if (e instanceof ScopeError) throw new ClientRegistrationError(e.message);
    throw e;
  }
  if (scopes.length === 0) throw new ClientRegistrationError('A client needs a scope: the most it may be granted');
  const system = scopes.filter((s) => s.kind === 'resource' && s.context === 'system');
  if (input.backend) {
    const other = scopes.find((s) => s.kind !== 'resource' || s.context !== 'system');
    if (other) throw new ClientRegistrationError(`A backend service has system/ scopes only, not '${other.text}'`);
  } else if (system.length > 0) {
    throw new ClientRegistrationError(`system/ scopes are for backend services (--backend), not '${system[0].text}'`);
  }

  const redirectUris = [...new Set(input.redirectUris ?? [])];
  if (!input.backend && redirectUris.length === 0) throw new ClientRegistrationError('An app needs at least one redirect URI');
  if (input.backend && redirectUris.length > 0) throw new ClientRegistrationError('A backend service has no redirect URIs');
  for (const u of redirectUris) checkUrl(u, 'redirect URI', true);

  return {
    clientId,
    name,
    type: input.confidential || asymmetric ? 'confidential' : 'public',
    method: asymmetric ? 'private_key_jwt' : input.confidential ? 'client_secret_basic' : 'none',
    redirectUris,
    scope: scopes.map((s) => s.text).join(' '),
    grantTypes: input.backend ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
  };
}

function validateJwks(jwks: JwkSet): void {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw new ClientRegistrationError('jwks must be a JWK Set: { "keys": [ ... ] } with at least one key');
  }
  for (const k of jwks.keys) {
    if (typeof k !== 'object' || k === null || (k.kty !== 'RSA' && k.kty !== 'EC')) throw new ClientRegistrationError('Each key needs kty RSA or EC');
    if (PRIVATE_MEMBERS.some((m) => m in k)) throw new ClientRegistrationError('jwks holds a private key: register the public key only');
    if (typeof k.kid !== 'string' || !k.kid) throw new ClientRegistrationError('Each key needs a kid (SMART: the assertion names its key by kid)');
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https, or http on the loopback interface only (RFC 8252 section 7.3; OAuth 2.0 Security BCP); redirect URIs
 * may also use a private-use scheme with a dot (RFC 8252 section 7.1) and never carry a fragment (RFC 6749
 * section 3.1.2).
 */
function checkUrl(value: string, what: string, redirect: boolean): void {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ClientRegistrationError(`The ${what} '${value}' is not an absolute URL`);
  }
  if (u.hash || value.includes('#')) throw new ClientRegistrationError(`The ${what} '${value}' must not have a fragment`);
  if (u.protocol === 'https:') return;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return;
  if (redirect && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(u.protocol)) return;
  throw new ClientRegistrationError(`The ${what} '${value}' must be https (or http on localhost)`);
}
