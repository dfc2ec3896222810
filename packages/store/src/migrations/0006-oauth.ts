import type { Migration } from './migration.ts';

/**
 * The SMART App Launch authorization server (packages/server/src/oauth): its signing keys, registered clients,
 * EHR launch contexts, authorization codes, grants, refresh tokens and the replay cache of client assertions.
 * Prefixed `oauth_` so they can never clash with a FHIR type's table. Every time is written by the code from
 * its own clock (never `now()` in a predicate), so tests can move the clock. Codes and refresh tokens are
 * stored as SHA-256 hashes only; a database dump does not hand them out.
 *
 * Known gap: `oauth_signing_key.private_jwk` is the private key as JWK text, not encrypted at rest. Encryption
 * of key material comes with the encryption-at-rest work.
 */
export const oauth: Migration = {
  version: 6,
  name: 'oauth',
  sql: () => `
CREATE TABLE oauth_signing_key (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  private_jwk text NOT NULL,
  public_jwk text NOT NULL,
  created_at timestamptz NOT NULL,
  -- no token is signed with the key after this instant (rotation)
  not_after_signing timestamptz NOT NULL,
  -- no longer published nor accepted: every token it signed has expired
  retired_at timestamptz
);

CREATE TABLE oauth_client (
  client_id text PRIMARY KEY CHECK (client_id ~ '^[A-Za-z0-9._~-]{3,128}$'),
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('public', 'confidential')),
  token_endpoint_auth_method text NOT NULL CHECK (token_endpoint_auth_method IN ('none', 'client_secret_basic', 'private_key_jwt')),
  secret_hash text,
  redirect_uris text[] NOT NULL DEFAULT '{}',
  -- the most this client may ever be granted (space-separated SMART scopes)
  scope text NOT NULL,
  jwks jsonb,
  jwks_uri text,
  grant_types text[] NOT NULL,
  -- Confide's own apps: no consent screen
  first_party boolean NOT NULL DEFAULT false,
  -- HL7 v3 PurposeOfUse recorded for a backend service's requests (default TREAT)
  purpose_of_use text,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  CONSTRAINT oauth_client_public_no_auth CHECK ((type = 'public') = (token_endpoint_auth_method = 'none')),
  CONSTRAINT oauth_client_secret CHECK (token_endpoint_auth_method <> 'client_secret_basic' OR secret_hash IS NOT NULL),
  CONSTRAINT oauth_client_keys CHECK (token_endpoint_auth_method <> 'private_key_jwt' OR jwks IS NOT NULL OR jwks_uri IS NOT NULL)
);

-- An EHR launch (SMART "launch" parameter): the context an EHR user opened an app in. Single use.
CREATE TABLE oauth_launch (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
  patient text,
  encounter text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- One authorization: what a user (or, with user_id NULL, a backend service) allowed a client.
CREATE TABLE oauth_grant (
  id text PRIMARY KEY,
  client_id text NOT NULL REFERENCES oauth_client (client_id),
  user_id text REFERENCES auth_user (id) ON DELETE CASCADE,
  scope text NOT NULL,
  launch_context jsonb,
  offline boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX oauth_grant_revoked ON oauth_grant (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX oauth_grant_user ON oauth_grant (user_id);

CREATE TABLE oauth_code (
  code_hash text PRIMARY KEY,
  client_id text NOT NULL REFERENCES oauth_client (client_id),
  user_id text NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
  redirect_uri text NOT NULL,
  scope text NOT NULL,
  code_challenge text NOT NULL,
  launch_context jsonb,
  nonce text,
  auth_time timestamptz,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  -- the grant made when the code was redeemed: a second redemption revokes it (RFC 6749 section 4.1.2)
  grant_id text REFERENCES oauth_grant (id) ON DELETE SET NULL
);

CREATE TABLE oauth_refresh_token (
  token_hash text PRIMARY KEY,
  grant_id text NOT NULL REFERENCES oauth_grant (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  rotated_to text
);
CREATE INDEX oauth_refresh_token_grant ON oauth_refresh_token (grant_id);

-- jti of client assertions (RFC 7523 section 3, SMART client-confidential-asymmetric): each is accepted once.
CREATE TABLE oauth_backend_jti (
  client_id text NOT NULL,
  jti text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX oauth_backend_jti_expires ON oauth_backend_jti (expires_at);
`,
};
