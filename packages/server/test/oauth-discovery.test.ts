import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fhirGet, startOAuthServer, type OAuthTestServer } from './oauth-support.ts';

describe('SMART discovery and bearer authentication of the FHIR API', () => {
  let s: OAuthTestServer;
  beforeAll(async () => {
    s = await startOAuthServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('publishes .well-known/smart-configuration under the FHIR base (SMART 2.0 Conformance)', async () => {
    const res = await fetch(`${s.base}/.well-known/smart-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const c = await res.json();
    expect(c).toMatchObject({
      issuer: s.url,
      jwks_uri: `${s.url}/.well-known/jwks.json`,
      authorization_endpoint: `${s.url}/oauth2/authorize`,
      token_endpoint: `${s.url}/oauth2/token`,
      introspection_endpoint: `${s.url}/oauth2/introspect`,
      revocation_endpoint: `${s.url}/oauth2/revoke`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    });
    expect(c.registration_endpoint).toBeUndefined();
    expect(c.grant_types_supported).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    for (const cap of [
      'launch-ehr',
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'context-ehr-patient',
      'context-standalone-patient',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
      'sso-openid-connect',
      'authorize-post',
    ]) {
      expect(c.capabilities).toContain(cap);
    }
    expect(c.scopes_supported).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'online_access']));
  });

  it('answers the CORS preflight of browser apps', async () => {
    const res = await fetch(`${s.url}/oauth2/token`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('publishes the signing keys and an OpenID configuration', async () => {
    const jwks = await (await fetch(`${s.url}/.well-known/jwks.json`)).json();
    expect(jwks.keys.length).toBe(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0][member]).toBeUndefined();
    const oidc = await (await fetch(`${s.url}/.well-known/openid-configuration`)).json();
    expect(oidc).toMatchObject({ issuer: s.url, jwks_uri: `${s.url}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256'] });
  });

  it('serves the CapabilityStatement without a token', async () => {
    const r = await fhirGet(s.base, 'metadata');
    expect(r.status).toBe(200);
    expect(r.body.resourceType).toBe('CapabilityStatement');
  });

  it('refuses every other FHIR request without a token: 401 with WWW-Authenticate (RFC 6750 section 3)', async () => {
    for (const path of ['Patient', 'Patient/x', 'Observation?code=8867-4', '']) {
      const r = await fhirGet(s.base, path);
      expect(r.status, path).toBe(401);
      expect(r.body.resourceType).toBe('OperationOutcome');
      expect(r.body.issue[0].code).toBe('login');
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="Confide"');
    }
    const post = await fetch(`${s.base}/Patient`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Patient' }) });
    expect(post.status).toBe(401);
  });

  it('refuses a malformed or garbage token with error="invalid_token"', async () => {
    for (const token of ['not-a-jwt', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']) {
      const r = await fhirGet(s.base, 'Patient', token);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="Confide", error="invalid_token"/);
    }
  });

  it('accepts an operator token (issueToken) on the FHIR API', async () => {
    const t = await s.confide.oauth.issueToken({ clientId: 'confide-cli', scope: 'system/*.rs' });
    expect(t).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'system/*.rs' });
    const r = await fhirGet(s.base, 'Patient', t.access_token);
    expect(r.status).toBe(200);
    expect(r.body.resourceType).toBe('Bundle');
  });

  it('the FHIR API answers CORS preflights without a token, and sends CORS headers (browser SMART apps)', async () => {
    const pre = await fetch(`${s.base}/Patient`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    const denied = await fhirGet(s.base, 'Patient');
    expect(denied.headers.get('access-control-allow-origin')).toBe('*');
    expect(denied.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
  });

  it('answers 404 for unknown /oauth2 paths and 405 for GET on the token endpoint', async () => {
    expect((await fetch(`${s.url}/oauth2/nothing`)).status).toBe(404);
    const r = await fetch(`${s.url}/oauth2/token`);
    expect(r.status).toBe(405);
  });
});
