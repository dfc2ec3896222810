import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, type AccountEvent } from '@confide/auth';
import { Browser, PASSWORD, pkce, postForm, startOAuthServer, throughAuthorization, totpFor, type OAuthTestServer, type Page } from './oauth-support.ts';

const REDIRECT = 'http://127.0.0.1:9/cb';
const ORIGIN = new URL(REDIRECT).origin;
const CLIENT = 'first-app';
const NEW_PASSWORD = 'copper kettle on a windy hill';

/**
 * The first sign-in of an account with a generated password and MFA required but not set up (the
 * administrator made at first start, a user made with `confide users add`): the authorization endpoint itself
 * has the account change its password and set up an authenticator app, then goes on with the request.
 */
describe('first sign-in at /oauth2/authorize', () => {
  let s: OAuthTestServer;
  let adminPassword: string;
  let secret = '';
  const accountEvents: AccountEvent[] = [];
  /** Every URL the browser was sent to or opened. */
  const urls: string[] = [];

  beforeAll(async () => {
    s = await startOAuthServer({ onAccountEvent: (e: AccountEvent) => accountEvents.push(e) });
    const admin = await s.confide.accounts.ensureAdmin();
    if (!admin.created) throw new Error('ensureAdmin did not create the administrator');
    adminPassword = admin.password;
    await s.confide.oauth.clients.register({ clientId: CLIENT, name: 'Chart app', redirectUris: [REDIRECT], scope: 'openid fhirUser user/*.rs' });
  });
  afterAll(async () => {
    await s?.close();
  });

  function authorizeUrl(challenge: string, state: string): string {
    const p = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: REDIRECT,
      scope: 'openid user/*.rs',
      state,
      aud: s.base,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    return `${s.url}/oauth2/authorize?${p}`;
  }

  /** A browser that records every URL it opens and every redirect it is sent. */
  function browser(): Browser {
    const b = new Browser();
    const open = b.open.bind(b);
    b.open = async (url, init) => {
      urls.push(url);
      const page = await open(url, init);
      if (page.location) urls.push(page.location);
      return page;
    };
    return b;
  }

  const has = (page: Page, step: string) => page.text.includes(`name="_step" value="${step}"`);
  const errorText = (page: Page) => /<p class="error"[^>]*>([^<]*)<\/p>/.exec(page.text)?.[1] ?? '';

  async function exchange(code: string, verifier: string) {
    return postForm(`${s.url}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, client_id: CLIENT });
  }

  it('the administrator signs in with the printed password, changes it, sets up TOTP and gets a token', async () => {
    const b = browser();
    const p = pkce();
    let page = await b.open(authorizeUrl(p.challenge, 'first'));
    expect(page.status).toBe(200);
    expect(has(page, 'signin')).toBe(true);

    // Signed in with the generated password: no refusal, but a session that owes a new password.
    page = await b.submit(page, ['_step', 'signin'], { username: 'admin', password: adminPassword });
    expect(page.status).toBe(303);
    expect(b.cookies.get('confide_session')).toBeTruthy();
    page = await b.follow(page);
    expect(page.status).toBe(200);
    expect(has(page, 'password')).toBe(true);
    expect(page.text).not.toContain('directly');
    expect(page.text).toContain('name="current_password"');

    // A weak new password: the policy's message, on the same page.
    page = await b.submit(page, ['_step', 'password'], { current_password: adminPassword, new_password: 'short1', confirm_password: 'short1' });
    expect(page.status).toBe(200);
    expect(has(page, 'password')).toBe(true);
    expect(errorText(page)).toContain('at least 12 characters');

    // The two new ones differ.
    page = await b.submit(page, ['_step', 'password'], { current_password: adminPassword, new_password: NEW_PASSWORD, confirm_password: `${NEW_PASSWORD}!` });
    expect(has(page, 'password')).toBe(true);
    expect(errorText(page)).toContain('not the same');

    // A wrong current password.
    page = await b.submit(page, ['_step', 'password'], { current_password: 'not-the-password-at-all', new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    expect(has(page, 'password')).toBe(true);
    expect(errorText(page)).toContain('current password is not correct');

    // Without the CSRF token of this browser: refused.
    const forged = await b.submit(page, ['_step', 'password'], { _csrf: 'x'.repeat(32), current_password: adminPassword, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    expect(forged.status).toBe(400);
    expect(has(forged, 'password')).toBe(true);

    page = await b.submit(page, ['_step', 'password'], { current_password: adminPassword, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    expect(page.status).toBe(303);
    expect(page.location).toBe(authorizeUrl(p.challenge, 'first'));
    expect((await s.confide.accounts.getUser('admin'))!.mustChangePassword).toBe(false);

    // Next: the authenticator app.
    page = await b.follow(page);
    expect(page.status).toBe(200);
    expect(has(page, 'enrol')).toBe(true);
    const shown = /<code class="secret" id="totp-secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)?.[1];
    expect(shown).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    secret = shown!.replace(/ /g, '');
    expect(page.text).toContain(`otpauth://totp/`);
    expect(page.text).toContain(`secret=${secret}`);

    // A wrong code: refused, and the same key is shown again.
    const right = totpCode(secret, s.clock.now());
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    page = await b.submit(page, ['_step', 'enrol'], { totp: wrong });
    expect(page.status).toBe(200);
    expect(has(page, 'enrol')).toBe(true);
    expect(errorText(page)).toContain('code is not right');
    expect(page.text).toContain(`secret=${secret}`);
    expect((await s.confide.accounts.getUser('admin'))!.mfaEnrolled).toBe(false);

    // The right one completes the enrollment, and this session counts as having passed MFA.
    page = await b.submit(page, ['_step', 'enrol'], { totp: right });
    expect(page.status).toBe(303);
    expect(page.location).toBe(authorizeUrl(p.challenge, 'first'));
    expect((await s.confide.accounts.getUser('admin'))!.mfaEnrolled).toBe(true);

    // Then the request itself: consent (not a first-party app) and the redirect with the code.
    page = await throughAuthorization(b, page, ORIGIN);
    const back = new URL(page.location!);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('first');
    const code = back.searchParams.get('code');
    expect(code).toBeTruthy();
    const token = await exchange(code!, p.verifier);
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'openid user/*.rs' });
    expect(token.body.access_token).toBeTruthy();

    // A second submit of the enrollment form (back button) just carries on with the request.
    const request = authorizeUrl(pkce().challenge, 'again');
    const again = await b.open(`${s.url}/oauth2/authorize`, { form: new URLSearchParams([...new URL(request).searchParams, ['_step', 'enrol'], ['totp', right]]) });
    expect(again.status).toBe(303);
    expect(again.location).toBe(request);

    expect(accountEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['password-changed', 'mfa-enrolled']));
  });

  it('afterwards: the new password asks for the code and works with it; the old password is refused', async () => {
    expect(secret).not.toBe('');
    const b = browser();
    const p = pkce();
    let page = await b.open(authorizeUrl(p.challenge, 'second'));
    page = await b.submit(page, ['_step', 'signin'], { username: 'admin', password: NEW_PASSWORD });
    expect(page.status).toBe(200);
    expect(has(page, 'signin')).toBe(true);
    expect(errorText(page)).toContain('one-time code');
    expect(page.text).toMatch(/name="totp"[^>]* required/);
    expect(b.cookies.has('confide_session')).toBe(false);

    // The enrollment used the current 30-second step; totpFor moves on to the next one.
    page = await throughAuthorization(b, page, ORIGIN, { username: 'admin', password: NEW_PASSWORD, totp: totpFor(s, secret) });
    const code = new URL(page.location!).searchParams.get('code');
    expect(code).toBeTruthy();
    expect((await exchange(code!, p.verifier)).status).toBe(200);

    const old = browser();
    let refused = await old.open(authorizeUrl(pkce().challenge, 'third'));
    refused = await old.submit(refused, ['_step', 'signin'], { username: 'admin', password: adminPassword, totp: totpFor(s, secret)() });
    expect(refused.status).toBe(200);
    expect(errorText(refused)).toContain('Sign-in failed');
    expect(old.cookies.has('confide_session')).toBe(false);
  });

  it('a new staff user with a chosen password but MFA required is only asked to set up the app; a reload shows a new key', async () => {
    await s.confide.accounts.createUser({ username: 'new.nurse', kind: 'staff', roles: ['clinician'], password: PASSWORD, mfaRequired: true });
    const b = browser();
    const p = pkce();
    let page = await b.open(authorizeUrl(p.challenge, 'nurse'));
    page = await b.follow(await b.submit(page, ['_step', 'signin'], { username: 'new.nurse', password: PASSWORD }));
    expect(has(page, 'enrol')).toBe(true);
    const first = /id="totp-secret">([A-Z2-7 ]+)</.exec(page.text)![1].replace(/ /g, '');

    // Accounts cannot show a pending key again: a reload starts over, and the first key no longer works.
    page = await b.open(authorizeUrl(p.challenge, 'nurse'));
    const second = /id="totp-secret">([A-Z2-7 ]+)</.exec(page.text)![1].replace(/ /g, '');
    expect(second).not.toBe(first);
    const stale = await b.submit(page, ['_step', 'enrol'], { totp: totpCode(first, s.clock.now()) });
    expect(errorText(stale)).toContain('code is not right');

    page = await b.submit(stale, ['_step', 'enrol'], { totp: totpCode(second, s.clock.now()) });
    expect(page.status).toBe(303);
    page = await throughAuthorization(b, page, ORIGIN);
    const code = new URL(page.location!).searchParams.get('code');
    expect((await exchange(code!, p.verifier)).status).toBe(200);
  });

  it('no password or TOTP key is ever in a URL or an event', () => {
    const secrets = [adminPassword, NEW_PASSWORD, secret, encodeURIComponent(NEW_PASSWORD), new URLSearchParams({ p: NEW_PASSWORD }).toString().slice(2)];
    expect(urls.length).toBeGreaterThan(10);
    for (const u of urls) for (const x of secrets) expect(u).not.toContain(x);
    const events = JSON.stringify([s.events, accountEvents]);
    for (const x of secrets) expect(events).not.toContain(x);
  });
});
