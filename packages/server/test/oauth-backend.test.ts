import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ClientKeys } from '../src/oauth/client-keys.ts';
import { fhirGet, getCode, makeFixture, pkce, postForm, startOAuthServer, type OAuthTestServer } from './oauth-support.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface ClientKey {
  privateKey: CryptoKey;
  jwk: JWK;
  alg: string;
}

async function clientKey(alg: 'ES384' | 'RS384', kid: string): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg };
  return { privateKey, jwk, alg };
}

/** SMART Backend Services, client credentials with a signed JWT assertion (and private_key_jwt for apps). */
describe('SMART Backend Services and private_key_jwt', () => {
  let s: OAuthTestServer;
  let es: ClientKey;
  let rs: ClientKey;
  let jwksServer: http.Server;
  let jwksUrl: string;
  let served: JWK[] = [];

  beforeAll(async () => {
    s = await startOAuthServer();
    await makeFixture(s);
    es = await clientKey('ES384', 'lab-key-1');
    rs = await clientKey('RS384', 'rs-key-1');
    await s.confide.oauth.clients.register({
      clientId: 'lab-system',
      name: 'Lab system',
      scope: 'system/Observation.rs system/Patient.rs',
      jwks: { keys: [es.jwk] },
      backend: true,
      purposeOfUse: 'HOPERAT',
    });
    jwksServer = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    served = [rs.jwk];
    await s.confide.oauth.clients.register({ clientId: 'bulk-export', name: 'Bulk export', scope: 'system/*.rs', jwksUri: jwksUrl, backend: true });
  });
  afterAll(async () => {
    await s?.close();
    jwksServer?.closeAllConnections();
    await new Promise((r) => jwksServer?.close(r));
  });

  const tokenUrl = () => `${s.url}/oauth2/token`;
  const nowSeconds = () => Math.floor(s.clock.t / 1000);

  async function assertion(
    key: ClientKey,
    clientId: string,
    o: { aud?: string; exp?: number; jti?: string; kid?: string; sub?: string; jku?: string; alg?: string; signWith?: CryptoKey } = {},
  ): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: o.alg ?? key.alg, kid: o.kid ?? key.jwk.kid!, typ: 'JWT', ...(o.jku ? { jku: o.jku } : {}) })
      .setIssuer(clientId)
      .setSubject(o.sub ?? clientId)
      .setAudience(o.aud ?? tokenUrl())
      .setExpirationTime(o.exp ?? nowSeconds() + 240)
      .setJti(o.jti ?? randomBytes(16).toString('hex'))
      .sign(o.signWith ?? key.privateKey);
  }

  const request = (clientAssertion: string, scope = 'system/Observation.rs') =>
    postForm(tokenUrl(), { grant_type: 'client_credentials', scope, client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion });

  it('issues a 5-minute system token for an ES384 assertion with an inline JWK Set, which reads the API', async () => {
    const r = await request(await assertion(es, 'lab-system'), 'system/Observation.rs system/Patient.rs');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'system/Observation.rs system/Patient.rs' });
    expect(r.body.refresh_token).toBeUndefined();
    expect(r.body.id_token).toBeUndefined();
    const claims = decodeJwt(r.body.access_token);
    expect(claims).toMatchObject({ sub: 'lab-system', client_id: 'lab-system', aud: s.base, iss: s.url });
    const read = await fhirGet(s.base, 'Observation', r.body.access_token);
    expect(read.status).toBe(200);
    expect(read.body.resourceType).toBe('Bundle');
    const ctx = await s.confide.oauth.authenticate({ headers: { authorization: `Bearer ${r.body.access_token}`, host: new URL(s.url).host }, socket: {} } as any);
    expect(ctx).toMatchObject({ via: 'token', clientId: 'lab-system', purposeOfUse: 'HOPERAT', actor: { kind: 'system', userId: 'lab-system' } });
    expect(ctx.userId).toBeUndefined();
  });

  it('issues a token for an RS384 assertion verified with the client’s jwks_uri', async () => {
    const r = await request(await assertion(rs, 'bulk-export'), 'system/*.rs');
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('system/*.rs');
  });

  it('follows a client’s key rotation at its jwks_uri (one early re-fetch for an unknown kid)', async () => {
    const keys = new ClientKeys({ refetchSeconds: 0 });
    const client = (await s.confide.oauth.clients.get('bulk-export'))!;
    const verify = async (k: ClientKey) => {
      const jws = await assertion(k, 'bulk-export');
      const [h, p, sig] = jws.split('.');
      return keys.keyFor(client, { alg: k.alg, kid: k.jwk.kid }, { protected: h, payload: p, signature: sig });
    };
    await verify(rs);
    const rs2 = await clientKey('RS384', 'rs-key-2');
    served = [rs.jwk, rs2.jwk];
    await expect(verify(rs2)).resolves.toBeTruthy();
    served = [rs2.jwk];
    // Rate-limited: a set fetched within `refetchSeconds` is not fetched again for an unknown kid.
    const limited = new ClientKeys({ refetchSeconds: 60 });
    served = [rs.jwk];
    const jws = await assertion(rs, 'bulk-export');
    const [h, p, sig] = jws.split('.');
    await limited.keyFor(client, { alg: 'RS384', kid: 'rs-key-1' }, { protected: h, payload: p, signature: sig });
    served = [rs2.jwk];
    await expect(limited.keyFor(client, { alg: 'RS384', kid: 'rs-key-2' }, { protected: h, payload: p, signature: sig })).rejects.toThrow();
    served = [rs.jwk];
  });

  it('a jku header must be the registered jwks_uri', async () => {
    const bad = await request(await assertion(rs, 'bulk-export', { jku: 'https://evil.example/jwks.json' }), 'system/*.rs');
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_client');
    const good = await request(await assertion(rs, 'bulk-export', { jku: jwksUrl }), 'system/*.rs');
    expect(good.status).toBe(200);
  });

  it('refuses an assertion whose aud is not the token endpoint', async () => {
    for (const aud of [s.base, `${s.url}/oauth2/authorize`, 'https://evil.example/token']) {
      const r = await request(await assertion(es, 'lab-system', { aud }));
      expect(r.status, aud).toBe(401);
      expect(r.body.error).toBe('invalid_client');
    }
  });

  it('refuses a reused jti (replay)', async () => {
    const a = await assertion(es, 'lab-system');
    expect((await request(a)).status).toBe(200);
    const replay = await request(a);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
    expect(replay.body.error_description).toContain('already used');
    const sameJti = await request(await assertion(es, 'lab-system', { jti: decodeJwt(a).jti }));
    expect(sameJti.status).toBe(401);
  });

  it('refuses an expired assertion, and one that expires more than five minutes ahead', async () => {
    const expired = await request(await assertion(es, 'lab-system', { exp: nowSeconds() - 60 }));
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('invalid_client');
    const tooLong = await request(await assertion(es, 'lab-system', { exp: nowSeconds() + 3600 }));
    expect(tooLong.status).toBe(401);
  });

  it('refuses an assertion signed with an unknown kid or another key', async () => {
    expect((await request(await assertion(es, 'lab-system', { kid: 'nope' }))).status).toBe(401);
    const stranger = await clientKey('ES384', 'lab-key-1');
    expect((await request(await assertion(es, 'lab-system', { signWith: stranger.privateKey }))).status).toBe(401);
  });

  it('refuses algorithms other than RS384 and ES384, and iss different from sub', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expect((await request(await assertion(es, 'lab-system', { alg: 'ES256', signWith: privateKey }))).status).toBe(401);
    expect((await request(await assertion(es, 'lab-system', { sub: 'someone-else' }))).status).toBe(401);
  });

  it('refuses user/ and patient/ scopes for a backend client, and scopes beyond its registration', async () => {
    for (const scope of ['user/Observation.rs', 'patient/*.rs', 'system/Observation.rs openid']) {
      const r = await request(await assertion(es, 'lab-system'), scope);
      expect(r.status, scope).toBe(400);
      expect(r.body.error).toBe('invalid_scope');
    }
    const beyond = await request(await assertion(es, 'lab-system'), 'system/Condition.rs');
    expect(beyond.body.error).toBe('invalid_scope');
    const narrowed = await request(await assertion(es, 'lab-system'), 'system/Observation.cruds system/Condition.rs');
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scope).toBe('system/Observation.rs');
    const none = await request(await assertion(es, 'lab-system'), '');
    expect(none.body.error).toBe('invalid_scope');
  });

  it('a backend client cannot use client_credentials without an assertion, nor other grants', async () => {
    expect((await postForm(tokenUrl(), { grant_type: 'client_credentials', scope: 'system/Observation.rs', client_id: 'lab-system' })).body.error).toBe('invalid_client');
    const r = await postForm(tokenUrl(), {
      grant_type: 'authorization_code',
      code: 'x',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(es, 'lab-system'),
    });
    expect(r.body.error).toBe('unauthorized_client');
  });

  it('introspection and revocation with private_key_jwt', async () => {
    const t = await request(await assertion(es, 'lab-system'));
    const intro = await postForm(`${s.url}/oauth2/introspect`, {
      token: t.body.access_token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(es, 'lab-system', { aud: `${s.url}/oauth2/introspect` }),
    });
    expect(intro.body).toMatchObject({ active: true, client_id: 'lab-system', sub: 'lab-system', scope: 'system/Observation.rs' });
    const rev = await postForm(`${s.url}/oauth2/revoke`, { token: t.body.access_token, client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(es, 'lab-system') });
    expect(rev.status).toBe(200);
    expect((await fhirGet(s.base, 'Observation', t.body.access_token)).status).toBe(401);
  });

  it('a disabled client gets no tokens and its tokens stop working', async () => {
    const k = await clientKey('ES384', 'tmp-1');
    await s.confide.oauth.clients.register({ clientId: 'tmp-system', name: 'Temporary', scope: 'system/*.rs', jwks: { keys: [k.jwk] }, backend: true });
    const t = await request(await assertion(k, 'tmp-system'), 'system/*.rs');
    expect((await fhirGet(s.base, 'Observation', t.body.access_token)).status).toBe(200);
    await s.confide.oauth.disableClient('tmp-system');
    expect((await fhirGet(s.base, 'Observation', t.body.access_token)).status).toBe(401);
    expect((await request(await assertion(k, 'tmp-system'), 'system/*.rs')).status).toBe(401);
  });

  it('private_key_jwt for an app at the authorization_code and refresh_token grants', async () => {
    const k = await clientKey('ES384', 'app-key');
    await s.confide.oauth.clients.register({
      clientId: 'asym-app',
      name: 'Asymmetric app',
      redirectUris: ['http://127.0.0.1:9/cb'],
      scope: 'openid patient/*.rs offline_access',
      jwks: { keys: [k.jwk] },
    });
    const p = pkce();
    const c = await getCode(s, { clientId: 'asym-app', redirectUri: 'http://127.0.0.1:9/cb', scope: 'patient/*.rs offline_access', username: 'ada', challenge: p.challenge });
    const base = { grant_type: 'authorization_code', code: c.code!, redirect_uri: 'http://127.0.0.1:9/cb', code_verifier: p.verifier };
    expect((await postForm(tokenUrl(), { ...base, client_id: 'asym-app' })).body.error).toBe('invalid_client');
    const r = await postForm(tokenUrl(), { ...base, client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(k, 'asym-app') });
    expect(r.status).toBe(200);
    const refreshed = await postForm(tokenUrl(), {
      grant_type: 'refresh_token',
      refresh_token: r.body.refresh_token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(k, 'asym-app'),
    });
    expect(refreshed.status).toBe(200);
  });
});
