import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, fhirGet, getCode, makeFixture, pkce, postForm, startOAuthServer, type Fixture, type OAuthTestServer } from './oauth-support.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
const CLIENT = 'neg-app';

/**
 * The negative cases a SMART certification tester tries against the authorization code flow, each on its own.
 */
describe('authorization code flow: what is refused', () => {
  let s: OAuthTestServer;
  let f: Fixture;
  beforeAll(async () => {
    s = await startOAuthServer();
    f = await makeFixture(s);
    await s.confide.oauth.clients.register({
      clientId: CLIENT,
      name: 'Negative app',
      redirectUris: [REDIRECT],
      scope: 'openid fhirUser launch/patient patient/*.rs offline_access online_access',
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  const token = (form: Record<string, string>) => postForm(`${s.url}/oauth2/token`, form);

  async function code(scope = 'openid patient/*.rs offline_access', extra: Record<string, string> = {}) {
    const p = pkce();
    const r = await getCode(s, { clientId: CLIENT, redirectUri: REDIRECT, scope, username: 'ada', challenge: p.challenge, extra });
    return { ...r, verifier: p.verifier };
  }

  function authorizeUrl(params: Record<string, string | undefined>): string {
    const p = new URLSearchParams();
    const all: Record<string, string | undefined> = {
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: REDIRECT,
      scope: 'openid patient/*.rs',
      state: 'abc',
      aud: s.base,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      ...params,
    };
    for (const [k, v] of Object.entries(all)) if (v !== undefined) p.set(k, v);
    return `${s.url}/oauth2/authorize?${p}`;
  }

  it('the happy path, for reference: code for token, with the token response headers of RFC 6749 section 5.1', async () => {
    const c = await code();
    expect(c.code).toBeTruthy();
    const r = await token({ grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: c.verifier, client_id: CLIENT });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('pragma')).toBe('no-cache');
    expect(r.body).toMatchObject({ token_type: 'Bearer', scope: 'openid patient/*.rs offline_access', patient: f.patientId });
    expect((await fhirGet(s.base, `Patient/${f.patientId}`, r.body.access_token)).status).toBe(200);
  });

  it('wrong PKCE code_verifier: invalid_grant, and the code is spent', async () => {
    const c = await code();
    const wrong = pkce().verifier;
    const r = await token({ grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: wrong, client_id: CLIENT });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
    const retry = await token({ grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: c.verifier, client_id: CLIENT });
    expect(retry.body.error).toBe('invalid_grant');
  });

  it('missing code_verifier: invalid_grant', async () => {
    const c = await code();
    const r = await token({ grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, client_id: CLIENT });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
  });

  it('missing PKCE at the authorization endpoint: error redirect, no code', async () => {
    const browser = new Browser();
    for (const params of [{ code_challenge: undefined, code_challenge_method: undefined }, { code_challenge_method: undefined }, { code_challenge: undefined }]) {
      const page = await browser.open(authorizeUrl(params));
      expect(page.status).toBe(302);
      const u = new URL(page.location!);
      expect(u.origin + u.pathname).toBe(REDIRECT);
      expect(u.searchParams.get('error')).toBe('invalid_request');
      expect(u.searchParams.get('state')).toBe('abc');
      expect(u.searchParams.get('code')).toBeNull();
    }
  });

  it('PKCE method plain is refused', async () => {
    const browser = new Browser();
    const verifier = pkce().verifier;
    const page = await browser.open(authorizeUrl({ code_challenge: verifier, code_challenge_method: 'plain' }));
    const u = new URL(page.location!);
    expect(u.searchParams.get('error')).toBe('invalid_request');
    expect(u.searchParams.get('error_description')).toContain('S256');
  });

  it('wrong aud: error redirect invalid_request (SMART: aud must be this FHIR server)', async () => {
    const browser = new Browser();
    for (const aud of ['https://evil.example/fhir', `${s.base}/`, undefined]) {
      const page = await browser.open(authorizeUrl({ aud }));
      expect(page.status).toBe(302);
      const u = new URL(page.location!);
      expect(u.searchParams.get('error')).toBe('invalid_request');
      expect(u.searchParams.get('code')).toBeNull();
    }
  });

  it('unregistered redirect_uri: an error page, never a redirect', async () => {
    const browser = new Browser();
    for (const redirect_uri of ['https://evil.example/cb', `${REDIRECT}/extra`, `${REDIRECT}?x=1`, undefined]) {
      const page = await browser.open(authorizeUrl({ redirect_uri }));
      expect(page.status).toBe(400);
      expect(page.location).toBeUndefined();
      expect(page.text).toContain('redirect URI is not registered');
    }
    // Nor for an unknown client, even with a registered-looking URI.
    const page = await browser.open(authorizeUrl({ client_id: 'nobody' }));
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
  });

  it('the internal client confide-cli cannot be used at the authorization endpoint', async () => {
    const page = await new Browser().open(authorizeUrl({ client_id: 'confide-cli' }));
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
  });

  it('response_type other than code, and a missing state, are refused by redirect', async () => {
    const browser = new Browser();
    let u = new URL((await browser.open(authorizeUrl({ response_type: 'token' }))).location!);
    expect(u.searchParams.get('error')).toBe('unsupported_response_type');
    u = new URL((await browser.open(authorizeUrl({ state: undefined }))).location!);
    expect(u.searchParams.get('error')).toBe('invalid_request');
  });

  it('a scope the client may not have is dropped; nothing grantable is invalid_scope', async () => {
    const c = await code('openid patient/*.cruds user/*.rs system/*.rs');
    const r = await token({ grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: c.verifier, client_id: CLIENT });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('openid patient/*.rs');
    const page = await new Browser().open(authorizeUrl({ scope: 'user/*.rs system/*.rs' }));
    expect(new URL(page.location!).searchParams.get('error')).toBe('invalid_scope');
  });

  it('a reused code fails, and the grant made from its first use is revoked (RFC 6749 section 4.1.2)', async () => {
    const c = await code();
    const form = { grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: c.verifier, client_id: CLIENT };
    const first = await token(form);
    expect(first.status).toBe(200);
    expect((await fhirGet(s.base, 'Observation', first.body.access_token)).status).toBe(200);
    const second = await token(form);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    const after = await fhirGet(s.base, 'Observation', first.body.access_token);
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const refresh = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: CLIENT });
    expect(refresh.body.error).toBe('invalid_grant');
    expect(s.events.some((e) => e.type === 'token-revoked' && e.reason === 'code-reuse')).toBe(true);
  });

  it('an expired code (older than 60 s) is refused', async () => {
    const c = await code();
    s.clock.advanceSeconds(61);
    const r = await token({ grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: c.verifier, client_id: CLIENT });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
    expect(r.body.error_description).toContain('expired');
  });

  it('redirect_uri at the token endpoint must equal the one of the request', async () => {
    const c = await code();
    const r = await token({ grant_type: 'authorization_code', code: c.code!, redirect_uri: 'http://127.0.0.1:9/other', code_verifier: c.verifier, client_id: CLIENT });
    expect(r.body.error).toBe('invalid_grant');
  });

  it('a code issued to one client cannot be redeemed by another', async () => {
    await s.confide.oauth.clients.register({ clientId: 'thief-app', name: 'Thief', redirectUris: [REDIRECT], scope: 'patient/*.rs' });
    const c = await code();
    const r = await token({ grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: c.verifier, client_id: 'thief-app' });
    expect(r.body.error).toBe('invalid_grant');
    // ...and the rightful client still can.
    const ok = await token({ grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: c.verifier, client_id: CLIENT });
    expect(ok.status).toBe(200);
  });

  it('token endpoint errors: unknown grant type, unknown client, missing parameters, repeated parameters', async () => {
    expect((await token({ grant_type: 'password', username: 'ada', password: 'x', client_id: CLIENT })).body.error).toBe('unsupported_grant_type');
    const unknown = await token({ grant_type: 'authorization_code', code: 'x', client_id: 'nobody' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('invalid_client');
    expect((await token({ grant_type: 'authorization_code', client_id: CLIENT })).body.error).toBe('invalid_request');
    const repeated = await fetch(`${s.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=authorization_code&code=a&code=b&client_id=${CLIENT}`,
    });
    expect((await repeated.json()).error).toBe('invalid_request');
    const json = await fetch(`${s.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
    expect((await json.json()).error).toBe('invalid_request');
  });
});
