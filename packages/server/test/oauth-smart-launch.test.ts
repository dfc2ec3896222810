import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  Browser,
  fhirGet,
  makeFixture,
  startOAuthServer,
  startSmartApp,
  throughAuthorization,
  totpFor,
  type Fixture,
  type OAuthTestServer,
  type SmartApp,
} from './oauth-support.ts';

/** What the app saw of a FHIR request: its status, and the resource type / entry count on success. */
async function tryRequest(client: any, path: string): Promise<{ status: number; resourceType?: string; id?: string; entries?: number }> {
  try {
    const body = await client.request(path);
    return { status: 200, resourceType: body.resourceType, id: body.id, entries: body.entry?.length };
  } catch (e: any) {
    return { status: e.status ?? e.statusCode ?? 0 };
  }
}

describe('SMART App Launch with the reference client (fhirclient)', () => {
  let s: OAuthTestServer;
  let f: Fixture;
  const apps: SmartApp[] = [];

  beforeAll(async () => {
    s = await startOAuthServer();
    f = await makeFixture(s);
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await s?.close();
  });

  async function registerApp(clientId: string, scope: string, appScope = scope): Promise<SmartApp> {
    const app = await startSmartApp({ clientId, scope: appScope, iss: s.base });
    apps.push(app);
    await s.confide.oauth.clients.register({ clientId, name: `App ${clientId}`, redirectUris: [app.redirectUri], scope });
    return app;
  }

  it('standalone launch: staff user with MFA picks a patient, consents, and the app reads through the API', async () => {
    const app = await registerApp(
      'growth-chart',
      'openid fhirUser profile launch launch/patient patient/*.rs user/*.rs offline_access online_access',
      'openid fhirUser profile launch/patient patient/Patient.rs patient/Observation.rs offline_access',
    );
    app.onReady = async (client) => ({
      patient: await tryRequest(client, `Patient/${client.patient.id}`),
      observations: await tryRequest(client, `Observation?patient=${client.patient.id}`),
      fhirUser: client.getFhirUser(),
    });
    const browser = new Browser();
    const launch = await browser.open(app.launchUrl({}));
    expect(launch.status).toBe(302);
    const authorizeUrl = new URL(launch.location!);
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${s.url}/oauth2/authorize`);
    expect(authorizeUrl.searchParams.get('aud')).toBe(s.base);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');

    const back = await throughAuthorization(browser, launch, app.origin, {
      username: 'dr.smith',
      totp: totpFor(s, f.drSmith.secret),
      patientName: 'Lovelace',
    });
    const done = await browser.open(back.location!);
    const r = JSON.parse(done.text);
    expect(r.error).toBeUndefined();
    const t = r.tokenResponse;
    expect(t.token_type).toBe('Bearer');
    expect(t.expires_in).toBe(900);
    expect(t.patient).toBe(f.patientId);
    expect(t.need_patient_banner).toBe(true);
    expect(t.scope.split(' ').sort()).toEqual(['fhirUser', 'launch/patient', 'offline_access', 'openid', 'patient/Observation.rs', 'patient/Patient.rs', 'profile']);
    expect(typeof t.refresh_token).toBe('string');

    // The id_token verifies with the published keys (OpenID Connect Core section 3.1.3.7).
    const jwks = createLocalJWKSet(await (await fetch(`${s.url}/.well-known/jwks.json`)).json());
    const { payload: id } = await jwtVerify(t.id_token, jwks, { issuer: s.url, audience: 'growth-chart', currentDate: s.clock.now() });
    expect(id.sub).toBe(f.drSmith.id);
    expect(id.fhirUser).toBe(`${s.base}/Practitioner/${f.practitionerId}`);
    expect(id.name).toBe('Dr Jane Smith');
    expect(r.results.fhirUser).toBe(`Practitioner/${f.practitionerId}`);

    // The access token: a JWT for this FHIR server with the launch context.
    const { payload: at, protectedHeader } = await jwtVerify(t.access_token, jwks, { issuer: s.url, audience: s.base, currentDate: s.clock.now() });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(at).toMatchObject({ sub: f.drSmith.id, client_id: 'growth-chart', patient: f.patientId, fhirUser: `${s.base}/Practitioner/${f.practitionerId}` });

    // The app reached the data with its token (with access enforcement, within what the scopes and role allow).
    expect(r.results.patient).toMatchObject({ status: 200, resourceType: 'Patient', id: f.patientId });
    expect(r.results.observations.status).toBe(200);
    expect(r.results.observations.resourceType).toBe('Bundle');

    // The sign-in and the token were reported, without secrets.
    expect(s.events.some((e) => e.type === 'sign-in' && e.username === 'dr.smith' && e.clientId === 'growth-chart')).toBe(true);
    const issued = s.events.find((e) => e.type === 'token-issued' && e.clientId === 'growth-chart' && e.outcome === 'success');
    expect(issued).toMatchObject({ username: 'dr.smith', grantType: 'authorization_code', patient: f.patientId });
    expect(JSON.stringify(s.events)).not.toContain(t.access_token);
  });

  it('standalone launch: a patient user gets their own patient in context, no picker', async () => {
    const app = await registerApp('portal-app', 'openid fhirUser launch/patient patient/*.rs');
    app.onReady = async (client) => ({ patient: await tryRequest(client, `Patient/${client.patient.id}`) });
    const browser = new Browser();
    const back = await throughAuthorization(browser, await browser.open(app.launchUrl({})), app.origin, { username: 'ada' });
    const r = JSON.parse((await browser.open(back.location!)).text);
    expect(r.error).toBeUndefined();
    expect(r.tokenResponse.patient).toBe(f.patientId);
    expect(r.tokenResponse.refresh_token).toBeUndefined();
    expect(r.results.patient).toMatchObject({ status: 200, id: f.patientId });
    const { payload } = await jwtVerify(r.tokenResponse.id_token, createLocalJWKSet(await (await fetch(`${s.url}/.well-known/jwks.json`)).json()), {
      currentDate: s.clock.now(),
    });
    expect(payload.fhirUser).toBe(`${s.base}/Patient/${f.patientId}`);
  });

  it('EHR launch: the launch handle fixes patient and encounter, returned with the token', async () => {
    const app = await registerApp('ehr-app', 'launch openid fhirUser patient/*.rs user/*.rs online_access');
    app.onReady = async (client) => ({ encounter: client.encounter.id });
    // The EHR (acting for the signed-in nurse) records the launch context.
    const ehr = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    const res = await fetch(`${s.url}/oauth2/launch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ehr.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ patient: f.patientId, encounter: f.encounterId }),
    });
    expect(res.status).toBe(200);
    const { launch, iss } = await res.json();
    expect(iss).toBe(s.base);

    const browser = new Browser();
    const first = await browser.open(app.launchUrl({ iss, launch }));
    expect(new URL(first.location!).searchParams.get('launch')).toBe(launch);
    const back = await throughAuthorization(browser, first, app.origin, { username: 'nurse.joy' });
    const r = JSON.parse((await browser.open(back.location!)).text);
    expect(r.error).toBeUndefined();
    expect(r.tokenResponse).toMatchObject({ patient: f.patientId, encounter: f.encounterId, need_patient_banner: false });
    expect(r.tokenResponse.scope.split(' ')).toContain('launch');
    expect(typeof r.tokenResponse.refresh_token).toBe('string');
    expect(r.results.encounter).toBe(f.encounterId);

    // A launch handle is single use.
    const again = await browser.open(app.launchUrl({ iss, launch }));
    const denied = await browser.follow(again, app.origin);
    expect(new URL(denied.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('EHR launch: a launch made for another user is refused', async () => {
    const app = await registerApp('ehr-app-2', 'launch openid patient/*.rs');
    const ehr = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    const { launch } = await (
      await fetch(`${s.url}/oauth2/launch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ehr.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ patient: f.patientId }),
      })
    ).json();
    const browser = new Browser();
    const back = await throughAuthorization(browser, await browser.open(app.launchUrl({ iss: s.base, launch })), app.origin, { username: 'ada' });
    expect(new URL(back.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('the launch endpoint needs a staff bearer token', async () => {
    const patientToken = await s.confide.oauth.issueToken({ username: 'ada', scope: 'patient/*.rs' });
    const body = JSON.stringify({ patient: f.patientId });
    const headers = { 'content-type': 'application/json' };
    expect((await fetch(`${s.url}/oauth2/launch`, { method: 'POST', headers, body })).status).toBe(401);
    const r = await fetch(`${s.url}/oauth2/launch`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${patientToken.access_token}` }, body });
    expect(r.status).toBe(403);
  });

  it('Deny on the consent page sends access_denied back to the app', async () => {
    const app = await registerApp('denied-app', 'openid patient/*.rs launch/patient');
    const browser = new Browser();
    const back = await throughAuthorization(browser, await browser.open(app.launchUrl({})), app.origin, { username: 'ada', decision: 'deny' });
    const u = new URL(back.location!);
    expect(u.searchParams.get('error')).toBe('access_denied');
    expect(u.searchParams.get('code')).toBeNull();
    const r = JSON.parse((await browser.open(back.location!)).text);
    expect(r.error).toContain('access_denied');
    expect(s.events.some((e) => e.type === 'grant-denied' && e.clientId === 'denied-app')).toBe(true);
  });

  it('sign-in failures say nothing about whether the account exists', async () => {
    const app = await registerApp('signin-app', 'openid patient/*.rs');
    const texts: string[] = [];
    for (const username of ['ada', 'no-such-user']) {
      const browser = new Browser();
      const page = await browser.follow(await browser.open(app.launchUrl({})), app.origin);
      const after = await browser.submit(page, ['_step', 'signin'], { username, password: 'wrong-password-123' });
      expect(after.status).toBe(200);
      texts.push(after.text.replace(/value="[^"]*"/g, ''));
    }
    expect(texts[0]).toContain('Sign-in failed');
    expect(texts[0]).toBe(texts[1]);
    // A staff user with MFA is asked for the code when it is missing.
    const browser = new Browser();
    const page = await browser.follow(await browser.open(app.launchUrl({})), app.origin);
    const after = await browser.submit(page, ['_step', 'signin'], { username: 'dr.smith', password: 'lantern-Meadow-42' });
    expect(after.text).toContain('one-time code');
    expect(after.text).toMatch(/id="totp"[^>]* required/);
  });

  it('the sign-in form is refused without its CSRF token', async () => {
    const app = await registerApp('csrf-app', 'openid patient/*.rs');
    const browser = new Browser();
    const page = await browser.follow(await browser.open(app.launchUrl({})), app.origin);
    const after = await browser.submit(page, ['_step', 'signin'], { username: 'ada', password: 'lantern-Meadow-42', _csrf: 'forged' });
    expect(after.status).toBe(400);
    expect(after.text).toContain('expired');
  });

  it('first-party apps (confide-web) skip the consent page', async () => {
    const browser = new Browser();
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: 'confide-web',
      redirect_uri: `${s.url}/app/callback`,
      scope: 'openid fhirUser user/*.cruds',
      state: 'xyz',
      aud: s.base,
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSsw-cM1',
      code_challenge_method: 'S256',
    });
    const back = await throughAuthorization(browser, await browser.open(`${s.url}/oauth2/authorize?${params}`), `${s.url}/app/callback`, {
      username: 'nurse.joy',
    });
    const u = new URL(back.location!);
    expect(u.searchParams.get('state')).toBe('xyz');
    expect(u.searchParams.get('code')).toBeTruthy();
    expect(s.events.filter((e) => e.type === 'grant-denied' && e.clientId === 'confide-web')).toHaveLength(0);
  });

  it('authorize-post: the authorization request may be a form post', async () => {
    await s.confide.oauth.clients.register({ clientId: 'post-app', name: 'Post app', redirectUris: ['http://127.0.0.1:9/cb'], scope: 'openid patient/*.rs' });
    const res = await fetch(`${s.url}/oauth2/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        response_type: 'code',
        client_id: 'post-app',
        redirect_uri: 'http://127.0.0.1:9/cb',
        scope: 'openid patient/*.rs',
        state: 's1',
        aud: s.base,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSsw-cM1',
        code_challenge_method: 'S256',
      }).toString(),
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('name="_step" value="signin"');
    expect(html).toContain('<label for="username">');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('a token of a signed-in user works on the FHIR API until it is revoked', async () => {
    const t = await s.confide.oauth.issueToken({ username: 'nurse.joy', scope: 'user/*.rs' });
    expect((await fhirGet(s.base, `Patient/${f.patientId}`, t.access_token)).status).not.toBe(401);
  });
});
