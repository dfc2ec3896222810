import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthClient, relativeReference } from '../src/lib/auth.ts';
import { fakeFetch, memoryStorage, ORIGIN } from './harness-http.ts';

const idToken = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

function client(routes: Parameters<typeof fakeFetch>[0]) {
  const http = fakeFetch(routes);
  const storage = memoryStorage();
  let navigated = '';
  const auth = new AuthClient({ origin: ORIGIN, redirectPath: '/app/callback', storage, fetch: http.fetch, navigate: (u) => (navigated = u) });
  return { auth, http, storage, navigated: () => navigated };
}

const tokenReply = (n: number) => () => ({
  body: { access_token: `at-${n}`, token_type: 'Bearer', expires_in: 900, refresh_token: `rt-${n}`, scope: 'openid user/*.cruds', id_token: idToken({ fhirUser: `${ORIGIN}/fhir/R4/Practitioner/p1`, name: 'Dr A' }) },
});

describe('sign-in as confide-web (authorization code + PKCE S256)', () => {
  it('sends the browser to /oauth2/authorize with a challenge of the verifier it later presents', async () => {
    let n = 0;
    const c = client([[/POST .*\/oauth2\/token/, () => tokenReply(++n)()]]);
    await c.auth.signIn('/patients/x');
    const u = new URL(c.navigated());
    expect(u.origin + u.pathname).toBe(`${ORIGIN}/oauth2/authorize`);
    const q = u.searchParams;
    expect(Object.fromEntries(['response_type', 'client_id', 'redirect_uri', 'aud', 'code_challenge_method'].map((k) => [k, q.get(k)]))).toEqual({
      response_type: 'code',
      client_id: 'confide-web',
      redirect_uri: `${ORIGIN}/app/callback`,
      aud: `${ORIGIN}/fhir/R4`,
      code_challenge_method: 'S256',
    });
    expect(q.get('code_challenge')).toHaveLength(43);

    const returnTo = await c.auth.completeSignIn(new URL(`${ORIGIN}/app/callback?code=abc&state=${q.get('state')}`));
    expect(returnTo).toBe('/patients/x');
    const form = new URLSearchParams(c.http.calls[0].body as URLSearchParams);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code')).toBe('abc');
    const verifier = form.get('code_verifier')!;
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(q.get('code_challenge'));
    expect(c.auth.current).toMatchObject({ accessToken: 'at-1', fhirUser: 'Practitioner/p1', name: 'Dr A' });
    // The access token stays in memory; only the refresh token is kept (for a reload of this tab).
    expect(c.storage.getItem('confide.refresh')).toBe('rt-1');
    expect(JSON.stringify([...Array(c.storage.length)].map((_, i) => c.storage.getItem(c.storage.key(i)!)))).not.toContain('at-1');
  });

  it('refuses a callback whose state it did not send', async () => {
    const c = client([]);
    await c.auth.signIn('/');
    await expect(c.auth.completeSignIn(new URL(`${ORIGIN}/app/callback?code=abc&state=forged`))).rejects.toThrow(/stale|not started/);
    expect(c.http.calls).toHaveLength(0);
  });

  it('reports the error the server redirected with', async () => {
    const c = client([]);
    await c.auth.signIn('/');
    const state = new URL(c.navigated()).searchParams.get('state');
    await expect(c.auth.completeSignIn(new URL(`${ORIGIN}/app/callback?error=access_denied&error_description=No+way&state=${state}`))).rejects.toThrow('No way');
  });

  it('resumes after a reload with the refresh token, and signs out by revoking and ending the session', async () => {
    let n = 0;
    const c = client([
      [/POST .*\/oauth2\/token/, () => tokenReply(++n)()],
      [/POST .*\/oauth2\/revoke/, () => ({ body: undefined })],
      [/POST .*\/oauth2\/logout/, () => ({ status: 204, body: undefined })],
    ]);
    c.storage.setItem('confide.refresh', 'rt-old');
    expect(await c.auth.resume()).toBe(true);
    expect(new URLSearchParams(c.http.calls[0].body as URLSearchParams).get('refresh_token')).toBe('rt-old');
    expect(c.auth.current?.accessToken).toBe('at-1');
    await c.auth.signOut();
    expect(c.auth.current).toBeUndefined();
    expect(c.storage.getItem('confide.refresh')).toBeNull();
    expect(c.http.calls.map((x) => x.url.replace(ORIGIN, ''))).toEqual(['/oauth2/token', '/oauth2/revoke', '/oauth2/logout']);
    expect(new URLSearchParams(c.http.calls[1].body as URLSearchParams).get('token')).toBe('rt-1');
  });

  it('a refresh still on its way at sign-out does not sign the tab back in', async () => {
    let n = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const c = client([
      [/POST .*\/oauth2\/token/, () => tokenReply(++n)()],
      [/POST .*\/oauth2\/revoke/, () => ({ body: undefined })],
      [/POST .*\/oauth2\/logout/, () => ({ status: 204, body: undefined })],
    ]);
    const storage = memoryStorage();
    storage.setItem('confide.refresh', 'rt-old');
    // The same routes, but the second token answer (the refresh) waits until the test lets it go.
    let tokenCalls = 0;
    const slow: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/oauth2/token') && ++tokenCalls === 2) await held;
      return c.http.fetch(input, init);
    };
    const auth = new AuthClient({ origin: ORIGIN, redirectPath: '/app/callback', storage, fetch: slow, navigate: () => {} });
    const changes: (string | undefined)[] = [];
    auth.onChange((t) => changes.push(t?.accessToken));
    expect(await auth.resume()).toBe(true);
    const refreshing = auth.refresh();
    await auth.signOut();
    release();
    await expect(refreshing).rejects.toThrow(/Signed out/);
    expect(auth.current).toBeUndefined();
    expect(storage.getItem('confide.refresh')).toBeNull();
    expect(changes).toEqual(['at-1', undefined]);
  });

  it('a refused refresh token means signed out', async () => {
    const c = client([[/POST .*\/oauth2\/token/, () => ({ status: 400, body: { error: 'invalid_grant' } })]]);
    c.storage.setItem('confide.refresh', 'rt-old');
    expect(await c.auth.resume()).toBe(false);
    expect(c.storage.getItem('confide.refresh')).toBeNull();
  });

  it('fhirUser URLs become references', () => {
    expect(relativeReference('https://ehr.example/fhir/R4/Practitioner/abc-1')).toBe('Practitioner/abc-1');
  });
});
