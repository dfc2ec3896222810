import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, makeFixture, PASSWORD, pkce, startOAuthServer, type Fixture, type OAuthTestServer } from './oauth-support.ts';

/** POST /oauth2/logout ends the browser's sign-in session, so the next authorization asks for the password. */
describe('sign-out of the authorization server', () => {
  let s: OAuthTestServer;
  let f: Fixture;

  beforeAll(async () => {
    s = await startOAuthServer();
    f = await makeFixture(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  const logout = (browser: Browser, headers: Record<string, string> = {}) =>
    fetch(`${s.url}/oauth2/logout`, { method: 'POST', headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...headers } });

  it('a signed-in browser gets a code without the sign-in page until it signs out', async () => {
    // The web app is on the server's own origin (redirect /app/callback).
    const params = new URLSearchParams({ response_type: 'code', client_id: 'confide-web', redirect_uri: `${s.url}/app/callback`, scope: 'openid', state: 'x', aud: s.base, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    const browser = new Browser();
    const signInPage = await browser.open(`${s.url}/oauth2/authorize?${params}`);
    const signedIn = await browser.follow(await browser.submit(signInPage, ['_step', 'signin'], { username: f.nurse.username, password: PASSWORD }), `${s.url}/app/`);
    expect(signedIn.location).toContain('/app/callback?code=');
    // Signed in: the next request is answered at once with a code.
    const silent = await browser.open(`${s.url}/oauth2/authorize?${params}`);
    expect(silent.location).toContain('/app/callback?code=');

    // Another site cannot sign the user out.
    const foreign = await logout(browser, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await browser.open(`${s.url}/oauth2/authorize?${params}`)).location).toContain('code=');

    const out = await logout(browser, { origin: s.url });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/confide_session=; .*Max-Age=0/);
    // Even with the old cookie, the session is over: the sign-in page again.
    const again = await browser.open(`${s.url}/oauth2/authorize?${params}`);
    expect(again.status).toBe(200);
    expect(again.text).toContain('name="_step" value="signin"');
  });

  it('answers 204 without a session, and only to POST', async () => {
    expect((await fetch(`${s.url}/oauth2/logout`, { method: 'POST' })).status).toBe(204);
    expect((await fetch(`${s.url}/oauth2/logout`)).status).toBe(404);
  });
});
