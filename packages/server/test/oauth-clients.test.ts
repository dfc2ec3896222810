import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair } from 'jose';
import { parseScopes } from '@confide/policy';
import { ClientRegistrationError } from '../src/index.ts';
import { describeScope, narrowScopes } from '../src/oauth/scope-grant.ts';
import { hashSecret, verifySecret } from '../src/oauth/secrets.ts';
import { startOAuthServer, type OAuthTestServer } from './oauth-support.ts';

describe('the client registry', () => {
  let s: OAuthTestServer;
  beforeAll(async () => {
    s = await startOAuthServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('has the first-party clients after start', async () => {
    const web = await s.confide.oauth.clients.get('confide-web');
    expect(web).toMatchObject({ type: 'public', tokenEndpointAuthMethod: 'none', firstParty: true, redirectUris: ['/app/callback', '/portal/callback'] });
    expect(web!.scope.split(' ')).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'offline_access', 'launch/patient', 'user/*.cruds', 'patient/*.cruds']));
    const cli = await s.confide.oauth.clients.get('confide-cli');
    expect(cli).toMatchObject({ internal: true, grantTypes: [] });
  });

  it('registers public, confidential and asymmetric apps, and backend services', async () => {
    const pub = await s.confide.oauth.clients.register({ name: 'Public', redirectUris: ['https://a.example/cb', 'http://localhost:3000/cb', 'com.example.app:/cb'], scope: 'patient/*.rs' });
    expect(pub.clientSecret).toBeUndefined();
    expect(pub.client).toMatchObject({ type: 'public', tokenEndpointAuthMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'], firstParty: false });
    expect(pub.client.clientId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const conf = await s.confide.oauth.clients.register({ name: 'Conf', redirectUris: ['https://b.example/cb'], scope: 'user/*.rs', confidential: true });
    expect(conf.client).toMatchObject({ type: 'confidential', tokenEndpointAuthMethod: 'client_secret_basic' });
    expect(conf.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = (await s.confide.db.query<{ secret_hash: string }>('SELECT secret_hash FROM oauth_client WHERE client_id = $1', [conf.client.clientId])).rows[0];
    expect(stored.secret_hash).toMatch(/^scrypt\$/);
    expect(stored.secret_hash).not.toContain(conf.clientSecret);

    const { publicKey } = await generateKeyPair('ES384', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k' };
    const backend = await s.confide.oauth.clients.register({ name: 'Backend', scope: 'system/*.rs', jwks: { keys: [jwk] }, backend: true });
    expect(backend.client).toMatchObject({ type: 'confidential', tokenEndpointAuthMethod: 'private_key_jwt', grantTypes: ['client_credentials'], redirectUris: [] });
  });

  it('refuses registrations that would be unsafe or unusable', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
    const pub = { ...(await exportJWK(publicKey)), kid: 'k' };
    const priv = { ...(await exportJWK(privateKey)), kid: 'k' };
    const cases: [string, Parameters<typeof s.confide.oauth.clients.register>[0]][] = [
      ['http redirect', { name: 'x', redirectUris: ['http://app.example/cb'], scope: 'patient/*.rs' }],
      ['fragment', { name: 'x', redirectUris: ['https://app.example/cb#x'], scope: 'patient/*.rs' }],
      ['relative', { name: 'x', redirectUris: ['/cb'], scope: 'patient/*.rs' }],
      ['no redirect', { name: 'x', scope: 'patient/*.rs' }],
      ['no scope', { name: 'x', redirectUris: ['https://app.example/cb'], scope: '' }],
      ['bad scope', { name: 'x', redirectUris: ['https://app.example/cb'], scope: 'patient/Foo.rs' }],
      ['system scope for an app', { name: 'x', redirectUris: ['https://app.example/cb'], scope: 'system/*.rs' }],
      ['user scope for a backend', { name: 'x', scope: 'user/*.rs', jwks: { keys: [pub] }, backend: true }],
      ['backend without keys', { name: 'x', scope: 'system/*.rs', backend: true }],
      ['private key', { name: 'x', scope: 'system/*.rs', jwks: { keys: [priv] }, backend: true }],
      ['key without kid', { name: 'x', scope: 'system/*.rs', jwks: { keys: [{ ...pub, kid: undefined }] }, backend: true }],
      ['secret and keys', { name: 'x', redirectUris: ['https://app.example/cb'], scope: 'user/*.rs', confidential: true, jwks: { keys: [pub] } }],
      ['reserved id', { name: 'x', clientId: 'confide-web', redirectUris: ['https://app.example/cb'], scope: 'user/*.rs' }],
      ['http jwks_uri', { name: 'x', scope: 'system/*.rs', jwksUri: 'http://keys.example/jwks', backend: true }],
      ['no name', { name: ' ', redirectUris: ['https://app.example/cb'], scope: 'user/*.rs' }],
    ];
    for (const [what, input] of cases) {
      await expect(s.confide.oauth.clients.register(input), what).rejects.toBeInstanceOf(ClientRegistrationError);
    }
    await s.confide.oauth.clients.register({ clientId: 'dup-1', name: 'x', redirectUris: ['https://app.example/cb'], scope: 'user/*.rs' });
    await expect(s.confide.oauth.clients.register({ clientId: 'dup-1', name: 'y', redirectUris: ['https://app.example/cb'], scope: 'user/*.rs' })).rejects.toThrow(/already exists/);
  });

  it('lists and disables', async () => {
    await s.confide.oauth.clients.register({ clientId: 'to-disable', name: 'Old app', redirectUris: ['https://c.example/cb'], scope: 'user/*.rs' });
    await s.confide.oauth.disableClient('to-disable');
    const all = await s.confide.oauth.clients.list();
    expect(all.find((c) => c.clientId === 'to-disable')?.disabled).toBe(true);
    await expect(s.confide.oauth.clients.disable('nobody')).rejects.toBeInstanceOf(ClientRegistrationError);
  });
});

describe('scope narrowing and consent text', () => {
  const registered = 'openid fhirUser launch/patient patient/*.rs user/Observation.cruds user/Condition.rs?clinical-status=active';

  it('keeps what the registration covers, cuts permissions down, drops the rest', () => {
    const n = narrowScopes('openid profile patient/*.cruds user/Observation.rs user/Condition.rs bogus user/Patient.rs system/*.rs', registered, 'user');
    expect(n.scope).toBe('openid patient/*.rs user/Observation.rs');
    expect(n.dropped).toEqual(expect.arrayContaining(['profile', 'bogus', 'user/Condition.rs', 'user/Patient.rs']));
    expect(n.wrongContext).toEqual(['system/*.rs']);
  });

  it('a granular request within a granular registration is kept, a wider one is not', () => {
    expect(narrowScopes('user/Condition.rs?clinical-status=active', registered, 'user').scope).toBe('user/Condition.rs?clinical-status=active');
    expect(narrowScopes('user/Condition.rs?clinical-status=active,resolved', registered, 'user').scope).toBe('');
  });

  it('v1 scopes are understood', () => {
    expect(narrowScopes('patient/*.read user/Observation.*', registered, 'user').scope).toBe('patient/*.read user/Observation.*');
    expect(narrowScopes('patient/*.write', registered, 'user').scope).toBe('');
  });

  it('backend mode: only system/ scopes', () => {
    const n = narrowScopes('system/Observation.rs openid user/*.rs', 'system/*.rs', 'system');
    expect(n.scope).toBe('system/Observation.rs');
    expect(n.wrongContext).toEqual(['openid', 'user/*.rs']);
  });

  it('describes scopes in plain language', () => {
    const [a, b, c] = parseScopes('patient/Observation.rs user/*.cruds launch/patient');
    expect(describeScope(a, true)).toBe('Read and search Observation records in your own health record');
    expect(describeScope(a, false)).toBe('Read and search Observation records of the selected patient');
    expect(describeScope(b, false)).toBe('Create, read, update, delete and search all kinds of records of any patient you can see');
    expect(describeScope(c, false)).toBe('Know which patient is selected');
    const [g] = parseScopes('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs');
    expect(describeScope(g, true)).toContain('only where category is http://terminology.hl7.org/CodeSystem/observation-category|vital-signs');
  });
});

describe('client secrets', () => {
  it('are hashed with scrypt and checked in constant time', async () => {
    const h = await hashSecret('s3cret-value');
    expect(await verifySecret(h, 's3cret-value')).toBe(true);
    expect(await verifySecret(h, 's3cret-valuf')).toBe(false);
    expect(await verifySecret(null, 's3cret-value')).toBe(false);
    expect(await verifySecret('garbage', 's3cret-value')).toBe(false);
  });
});
