import { SPECIAL_SCOPES } from '@confide/policy';
import { ASSERTION_ALGS } from './client-auth.ts';
import { SIGNING_ALG } from './signing-keys.ts';
import type { ServerUrls } from './urls.ts';

/**
 * SMART App Launch 2.0, Conformance ("Metadata", "Capabilities"): the `.well-known/smart-configuration`
 * document, relative to the FHIR base URL. Dynamic registration is not offered (no `registration_endpoint`):
 * operators register clients with `confide clients add`.
 */
export function smartConfiguration(u: ServerUrls): Record<string, unknown> {
  return {
    issuer: u.issuer,
    jwks_uri: u.jwks,
    authorization_endpoint: u.authorize,
    token_endpoint: u.token,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    scopes_supported: [...SPECIAL_SCOPES, 'patient/*.cruds', 'user/*.cruds', 'system/*.cruds', 'patient/*.*', 'user/*.*', 'system/*.*'],
    response_types_supported: ['code'],
    introspection_endpoint: u.introspect,
    revocation_endpoint: u.revoke,
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-ehr',
      'launch-standalone',
      'authorize-post',
      'client-public',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'sso-openid-connect',
      'context-banner',
      'context-ehr-patient',
      'context-ehr-encounter',
      'context-standalone-patient',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
    ],
  };
}

/** OpenID Connect Discovery 1.0 section 3, so that apps can verify id_tokens (SMART sso-openid-connect). */
export function openidConfiguration(u: ServerUrls): Record<string, unknown> {
  return {
    issuer: u.issuer,
    authorization_endpoint: u.authorize,
    token_endpoint: u.token,
    jwks_uri: u.jwks,
    introspection_endpoint: u.introspect,
    revocation_endpoint: u.revoke,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALG],
    scopes_supported: ['openid', 'fhirUser', 'profile', 'offline_access', 'online_access'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'fhirUser', 'name'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    code_challenge_methods_supported: ['S256'],
  };
}
