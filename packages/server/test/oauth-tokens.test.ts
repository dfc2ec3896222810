import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { createOAuthServer } from '../src/index.ts';
import { basic, fhirGet, getCode, makeFixture, pkce, postForm, startOAuthServer, type Fixture, type OAuthTestServer } from './oauth-support.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
const CLIENT = 'tok-app';

describe('tokens: refresh, revocation, introspection, expiry, keys', () => {
  let s: OAuthTestServer;
  let f: Fixture;
  let secret: string;
  beforeAll(async () => {
    s = await startOAuthServer();
    f = await makeFixture(s);
    await s.confide.oauth.clients.register({
      clientId: CLIENT,
      name: 'Token app',
      redirectUris: [REDIRECT],
      scope: 'openid fhirUser launch/patient patient/*.rs user/*.rs offline_access online_access',
    });
    ({ clientSecret: secret } = (await s.confide.oauth.clients.register({
      clientId: 'conf-app',
      name: 'Confidential app',
      redirectUris: [REDIRECT],
      scope: 'openid fhirUser patient/*.rs offline_access',
      confidential: true,
    })) as { clientSecret: string });
  });
  afterAll(async () => {
    await s?.close();
  });

  const tokenUrl = () => `${s.url}/oauth2/token`;

  async function authorize(scope: string, clientId = CLIENT, headers: Record<string, string> = {}, username = 'ada') {
    const p = pkce();
    const c = await getCode(s, { clientId, redirectUri: REDIRECT, scope, username, challenge: p.challenge });
    const form: Record<string, string> = { grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: p.verifier };
    if (!headers.authorization) form.client_id = clientId;
    const r = await postForm(tokenUrl(), form, headers);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  it('refresh tokens rotate: each refresh gives a new one, and the access token works', async () => {
    const t = await authorize('openid patient/*.rs offline_access');
    const r1 = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT });
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).toBeTruthy();
    expect(r1.body.refresh_token).not.toBe(t.refresh_token);
    expect(r1.body.scope).toBe('openid patient/*.rs offline_access');
    expect(r1.body.patient).toBe(f.patientId);
    expect((await fhirGet(s.base, `Patient/${f.patientId}`, r1.body.access_token)).status).toBe(200);
    const r2 = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: r1.body.refresh_token, client_id: CLIENT });
    expect(r2.status).toBe(200);
  });

  it('a narrower scope may be asked at refresh', async () => {
    const t = await authorize('openid patient/*.rs offline_access');
    const r = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT, scope: 'patient/Observation.rs' });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('patient/Observation.rs');
    expect(decodeJwt(r.body.access_token).scope).toBe('patient/Observation.rs');
  });

  it('scope escalation at refresh is refused (invalid_scope)', async () => {
    const t = await authorize('openid patient/Observation.rs offline_access');
    for (const scope of ['patient/*.rs', 'patient/Observation.cruds', 'user/Observation.rs', 'openid patient/Observation.rs fhirUser']) {
      const r = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT, scope });
      expect(r.status, scope).toBe(400);
      expect(r.body.error).toBe('invalid_scope');
    }
    // A refused request does not spend the refresh token.
    const ok = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT });
    expect(ok.status).toBe(200);
  });

  it('reusing a refresh token revokes the whole grant', async () => {
    const t = await authorize('openid patient/*.rs offline_access');
    const r1 = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT });
    expect(r1.status).toBe(200);
    const replay = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    // Everything of that grant is dead: the new refresh token and both access tokens.
    expect((await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: r1.body.refresh_token, client_id: CLIENT })).body.error).toBe('invalid_grant');
    expect((await fhirGet(s.base, 'Observation', r1.body.access_token)).status).toBe(401);
    expect((await fhirGet(s.base, 'Observation', t.access_token)).status).toBe(401);
    expect(s.events.some((e) => e.type === 'token-revoked' && e.reason === 'refresh-token-reuse')).toBe(true);
  });

  it('a refresh token works only for the client it was issued to', async () => {
    const t = await authorize('openid patient/*.rs offline_access');
    const r = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token }, basic('conf-app', secret));
    expect(r.body.error).toBe('invalid_grant');
  });

  it('without offline_access or online_access there is no refresh token', async () => {
    const t = await authorize('openid patient/*.rs');
    expect(t.refresh_token).toBeUndefined();
  });

  it('online_access: the refresh token ends when the grant has been idle longer than the session timeout', async () => {
    const t = await authorize('patient/*.rs online_access');
    s.clock.advanceSeconds(10 * 60);
    const r1 = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT });
    expect(r1.status).toBe(200);
    s.clock.advanceSeconds(16 * 60);
    const r2 = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: r1.body.refresh_token, client_id: CLIENT });
    expect(r2.status).toBe(400);
    expect(r2.body.error).toBe('invalid_grant');
  });

  it('offline_access outlives inactivity', async () => {
    const t = await authorize('patient/*.rs offline_access');
    s.clock.advanceSeconds(3 * 3600);
    const r = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT });
    expect(r.status).toBe(200);
  });

  it('revocation (RFC 7009): a revoked access token gets 401 on the FHIR API at once, and its refresh token is dead', async () => {
    const t = await authorize('openid patient/*.rs offline_access');
    expect((await fhirGet(s.base, 'Observation', t.access_token)).status).toBe(200);
    const r = await fetch(`${s.url}/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.access_token, client_id: CLIENT }).toString(),
    });
    expect(r.status).toBe(200);
    const after = await fhirGet(s.base, 'Observation', t.access_token);
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: t.refresh_token, client_id: CLIENT })).body.error).toBe('invalid_grant');
  });

  it('revoking a refresh token revokes its access tokens too', async () => {
    const t = await authorize('openid patient/*.rs offline_access');
    const r = await postForm(`${s.url}/oauth2/revoke`, { token: t.refresh_token, token_type_hint: 'refresh_token', client_id: CLIENT });
    expect(r.status).toBe(200);
    expect((await fhirGet(s.base, 'Observation', t.access_token)).status).toBe(401);
  });

  it('revocation answers 200 for unknown tokens and for tokens of other clients, and revokes nothing then', async () => {
    const t = await authorize('openid patient/*.rs offline_access');
    expect((await postForm(`${s.url}/oauth2/revoke`, { token: 'garbage', client_id: CLIENT })).status).toBe(200);
    expect((await postForm(`${s.url}/oauth2/revoke`, { token: t.access_token }, basic('conf-app', secret))).status).toBe(200);
    expect((await fhirGet(s.base, 'Observation', t.access_token)).status).toBe(200);
    // Client authentication still applies.
    expect((await postForm(`${s.url}/oauth2/revoke`, { token: t.access_token }, basic('conf-app', 'wrong'))).status).toBe(401);
  });

  it('a revocation made by another process takes effect here within the poll interval', async () => {
    const t = await authorize('openid patient/*.rs offline_access');
    expect((await fhirGet(s.base, 'Observation', t.access_token)).status).toBe(200);
    // A second authorization server on the same database, as another Confide process would have.
    const other = createOAuthServer({ db: s.confide.db, repo: s.confide.repo, accounts: s.confide.accounts, now: s.clock.now });
    const grant = decodeJwt(t.access_token).grant as string;
    expect(await other.revokeGrant(grant, 'test')).toBe(true);
    await other.close();
    const deadline = Date.now() + 5000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await fhirGet(s.base, 'Observation', t.access_token)).status;
    }
    expect(status).toBe(401);
  });

  it('an expired access token gets 401', async () => {
    const t = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    expect((await fhirGet(s.base, 'Observation', t.access_token)).status).toBe(200);
    s.clock.advanceSeconds(15 * 60 + 1);
    const r = await fhirGet(s.base, 'Observation', t.access_token);
    expect(r.status).toBe(401);
    expect(r.body.issue[0].details.text).toContain('expired');
  });

  it('a token signed by a key this server did not publish gets 401', async () => {
    const good = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    const claims = decodeJwt(good.access_token);
    const header = decodeProtectedHeader(good.access_token);
    const { privateKey } = await generateKeyPair('RS256');
    for (const kid of [header.kid!, 'unknown-kid']) {
      const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(privateKey);
      const r = await fhirGet(s.base, 'Observation', forged);
      expect(r.status).toBe(401);
    }
    // Nor an unsigned one, nor one "signed" with the public key as an HMAC secret.
    const jwk = (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()).keys[0];
    const hmac = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', kid: header.kid, typ: 'at+jwt' }).sign(new TextEncoder().encode(JSON.stringify(jwk)));
    expect((await fhirGet(s.base, 'Observation', hmac)).status).toBe(401);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect((await fhirGet(s.base, 'Observation', none)).status).toBe(401);
  });

  it('a verified, cached token vouches for no other string: same signature with other claims, other header forms', async () => {
    const good = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    expect((await fhirGet(s.base, 'Observation', good.access_token)).status).toBe(200);
    // The server keys its token cache by the token's end (the signature): a token with the same signature and
    // widened claims must still be verified, and fail.
    const [h, , sig] = good.access_token.split('.');
    const widened = Buffer.from(JSON.stringify({ ...decodeJwt(good.access_token), scope: 'user/*.cruds' })).toString('base64url');
    expect((await fhirGet(s.base, 'Observation', `${h}.${widened}.${sig}`)).status).toBe(401);
    const get = (authorization: string) => fetch(`${s.base}/Observation`, { headers: { authorization } });
    // RFC 6750 section 2.1: the scheme is case-insensitive and may be followed by several spaces.
    expect((await get(`bearer  ${good.access_token}`)).status).toBe(200);
    expect((await get(`Bearer ${good.access_token}x`)).status).toBe(401);
    expect((await get(`Bearer ${good.access_token} trailing`)).status).toBe(401);
    expect((await get(`Bearer ${good.access_token}`)).status).toBe(200);
  });

  it('a token for another server (wrong aud and iss) gets 401, even when signed with our keys', async () => {
    const elsewhere = createOAuthServer({ db: s.confide.db, repo: s.confide.repo, accounts: s.confide.accounts, now: s.clock.now, publicUrl: 'https://other.example' });
    const t = await elsewhere.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    await elsewhere.close();
    expect(decodeJwt(t.access_token).aud).toBe('https://other.example/fhir/R4');
    const r = await fhirGet(s.base, 'Observation', t.access_token);
    expect(r.status).toBe(401);
    expect(r.body.issue[0].details.text).toContain('not for this server');
  });

  it('an id_token is not accepted as an access token', async () => {
    const t = await authorize('openid fhirUser patient/*.rs');
    expect(t.id_token).toBeTruthy();
    expect((await fhirGet(s.base, 'Observation', t.id_token)).status).toBe(401);
  });

  it('introspection (RFC 7662): active tokens are described, revoked ones are inactive', async () => {
    const t = await authorize('openid fhirUser patient/*.rs offline_access', 'conf-app', basic('conf-app', secret));
    const r = await postForm(`${s.url}/oauth2/introspect`, { token: t.access_token }, basic('conf-app', secret));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      active: true,
      scope: 'openid fhirUser patient/*.rs offline_access',
      client_id: 'conf-app',
      sub: f.patientUser.id,
      iss: s.url,
      aud: s.base,
      token_type: 'Bearer',
      patient: f.patientId,
      fhirUser: `${s.base}/Patient/${f.patientId}`,
    });
    expect(typeof r.body.exp).toBe('number');
    expect(typeof r.body.iat).toBe('number');
    // Without the fhirUser scope, no fhirUser.
    const narrow = await authorize('patient/*.rs', 'conf-app', basic('conf-app', secret));
    const n = await postForm(`${s.url}/oauth2/introspect`, { token: narrow.access_token }, basic('conf-app', secret));
    expect(n.body.active).toBe(true);
    expect(n.body.fhirUser).toBeUndefined();
    const rt = await postForm(`${s.url}/oauth2/introspect`, { token: t.refresh_token, token_type_hint: 'refresh_token' }, basic('conf-app', secret));
    expect(rt.body).toMatchObject({ active: true, client_id: 'conf-app' });

    // With a bearer token of the same client instead of client credentials.
    const viaBearer = await postForm(`${s.url}/oauth2/introspect`, { token: t.access_token }, { authorization: `Bearer ${t.access_token}` });
    expect(viaBearer.body.active).toBe(true);

    await postForm(`${s.url}/oauth2/revoke`, { token: t.refresh_token }, basic('conf-app', secret));
    expect((await postForm(`${s.url}/oauth2/introspect`, { token: t.access_token }, basic('conf-app', secret))).body).toEqual({ active: false });
    expect((await postForm(`${s.url}/oauth2/introspect`, { token: t.refresh_token }, basic('conf-app', secret))).body).toEqual({ active: false });
    expect((await postForm(`${s.url}/oauth2/introspect`, { token: 'garbage' }, basic('conf-app', secret))).body).toEqual({ active: false });
  });

  it('introspection tells a client nothing about another client’s tokens, and needs authentication', async () => {
    const t = await authorize('openid patient/*.rs');
    expect((await postForm(`${s.url}/oauth2/introspect`, { token: t.access_token }, basic('conf-app', secret))).body).toEqual({ active: false });
    const publicCaller = await postForm(`${s.url}/oauth2/introspect`, { token: t.access_token, client_id: CLIENT });
    expect(publicCaller.status).toBe(401);
    const wrongSecret = await postForm(`${s.url}/oauth2/introspect`, { token: t.access_token }, basic('conf-app', 'nope'));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.headers.get('www-authenticate')).toBe('Basic realm="Confide"');
  });

  it('confidential client: client_secret_basic is required, a wrong secret is invalid_client', async () => {
    const p = pkce();
    const c = await getCode(s, { clientId: 'conf-app', redirectUri: REDIRECT, scope: 'patient/*.rs', username: 'ada', challenge: p.challenge });
    const form = { grant_type: 'authorization_code', code: c.code!, redirect_uri: REDIRECT, code_verifier: p.verifier };
    expect((await postForm(tokenUrl(), { ...form, client_id: 'conf-app' })).body.error).toBe('invalid_client');
    expect((await postForm(tokenUrl(), form, basic('conf-app', 'wrong'))).body.error).toBe('invalid_client');
    expect((await postForm(tokenUrl(), { ...form, client_secret: secret, client_id: 'conf-app' })).body.error).toBe('invalid_request');
    const ok = await postForm(tokenUrl(), form, basic('conf-app', secret));
    expect(ok.status).toBe(200);
    expect(s.events.some((e) => e.type === 'client-auth-failed' && e.clientId === 'conf-app' && e.reason === 'wrong-secret')).toBe(true);
    expect(JSON.stringify(s.events)).not.toContain(secret);
  });

  it('key rotation: a token signed by the previous key still verifies, and the JWKS lists both', async () => {
    const before = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    const oldKid = decodeProtectedHeader(before.access_token).kid;
    const newKid = await s.confide.oauth.rotateKeys();
    expect(newKid).not.toBe(oldKid);
    const after = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    expect(decodeProtectedHeader(after.access_token).kid).toBe(newKid);
    const kids = (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()).keys.map((k: { kid: string }) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect((await fhirGet(s.base, 'Observation', before.access_token)).status).toBe(200);
    expect((await fhirGet(s.base, 'Observation', after.access_token)).status).toBe(200);
  });

  it('keys rotate by themselves after 30 days, and an old key is unpublished once its tokens have expired', async () => {
    const jwks = async () => (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()).keys.map((k: { kid: string }) => k.kid) as string[];
    const t1 = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    const kid1 = decodeProtectedHeader(t1.access_token).kid!;
    s.clock.advanceSeconds(30 * 86_400 + 60);
    const t2 = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    const kid2 = decodeProtectedHeader(t2.access_token).kid!;
    expect(kid2).not.toBe(kid1);
    expect(await jwks()).toContain(kid2);
    // Operator tokens may live 24 hours: the old key stays published that long after it stopped signing.
    s.clock.advanceSeconds(25 * 3600);
    const after = await jwks();
    expect(after).toContain(kid2);
    expect(after).not.toContain(kid1);
  });

  it('operator tokens: scope rules and lifetimes', async () => {
    await expect(s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'system/*.rs' })).rejects.toThrow(/system/);
    await expect(s.confide.oauth.issueToken({ scope: 'user/*.rs' })).rejects.toThrow(/system/);
    await expect(s.confide.oauth.issueToken({ username: 'nobody', scope: 'user/*.rs' })).rejects.toThrow(/No active account/);
    await expect(s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs', ttlSeconds: 7 * 86_400 })).rejects.toThrow(/lifetime/);
    await expect(s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/Foo.rs' })).rejects.toThrow(/Foo/);
    const t = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs', ttlSeconds: 3600 });
    expect(t.expires_in).toBe(3600);
    const claims = decodeJwt(t.access_token);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(s.events.some((e) => e.type === 'token-issued' && e.grantType === 'operator' && e.username === 'nurse.joy')).toBe(true);
  });

  it('builds the AccessContext of staff and patient users', async () => {
    const host = new URL(s.url).host;
    const req = (t: string) => ({ headers: { authorization: `Bearer ${t}`, host }, socket: { remoteAddress: '10.0.0.7' } }) as any;
    const staff = await s.confide.oauth.issueToken({ username: 'dr.smith', scope: 'user/*.rs patient/*.rs', patient: f.patientId });
    const a = await s.confide.oauth.authenticate(req(staff.access_token));
    expect(a).toMatchObject({
      via: 'token',
      clientId: 'confide-cli',
      userId: f.drSmith.id,
      username: 'dr.smith',
      fhirUser: `Practitioner/${f.practitionerId}`,
      purposeOfUse: 'TREAT',
      remoteAddress: '10.0.0.7',
      actor: { kind: 'staff', userId: 'dr.smith', practitionerId: f.practitionerId, launchPatientId: f.patientId, roles: ['clinician'], organizations: [f.organizationId] },
    });
    expect(a.grantId).toBe(decodeJwt(staff.access_token).grant);
    const patient = await s.confide.oauth.issueToken({ username: 'ada', scope: 'patient/*.rs' });
    const p = await s.confide.oauth.authenticate(req(patient.access_token));
    expect(p).toMatchObject({ purposeOfUse: 'PATRQT', actor: { kind: 'patient', patientId: f.patientId } });
    expect(decodeJwt(patient.access_token).patient).toBe(f.patientId);
  });

  it('a cached token is checked against its account again within a minute (changes made by other processes)', async () => {
    const t = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    expect((await fhirGet(s.base, 'Practitioner', t.access_token)).status).toBe(200);
    await s.confide.db.query('UPDATE auth_user SET disabled = true WHERE username = $1', ['nurse.joy']);
    expect((await fhirGet(s.base, 'Practitioner', t.access_token)).status).toBe(200);
    s.clock.advanceSeconds(61);
    expect((await fhirGet(s.base, 'Practitioner', t.access_token)).status).toBe(401);
    await s.confide.db.query('UPDATE auth_user SET disabled = false WHERE username = $1', ['nurse.joy']);
  });

  it('disabling an account revokes its grants: its tokens stop working at once, cached or not', async () => {
    const cached = await s.confide.oauth.issueToken({ username: 'ada', scope: 'patient/*.rs' });
    const fresh = await s.confide.oauth.issueToken({ username: 'ada', scope: 'patient/*.rs' });
    expect((await fhirGet(s.base, 'Observation', cached.access_token)).status).toBe(200);
    await s.confide.accounts.disableUser('ada');
    let status = 200;
    for (let i = 0; i < 20 && status === 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await fhirGet(s.base, 'Observation', cached.access_token)).status;
    }
    expect(status).toBe(401);
    expect((await fhirGet(s.base, 'Observation', fresh.access_token)).status).toBe(401);
    await s.confide.accounts.enableUser('ada');
    // Enabling again does not bring old grants back.
    expect((await fhirGet(s.base, 'Observation', fresh.access_token)).status).toBe(401);
    expect(s.events.some((e) => e.type === 'token-revoked' && e.reason === 'user-disabled')).toBe(true);
  });
});
