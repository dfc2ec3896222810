import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { createScratchDatabase } from '../../store/test/support.ts';
import { killHard, runConfide, startConfide, tempDir } from '../../../apps/cli/test/support.ts';

/** `confide clients` and `confide token`, as an operator runs them, against the embedded database or PostgreSQL. */
const pgUrl = process.env.DATABASE_URL;
let args: string[] = [];
let env: Record<string, string | undefined> = {};
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (pgUrl) {
    const scratch = await createScratchDatabase(pgUrl, false);
    drop = scratch.drop;
    env = { DATABASE_URL: scratch.url };
  } else {
    args = ['--data', tempDir('confide-oauth-cli-')];
    env = { DATABASE_URL: '' };
  }
});
afterAll(async () => {
  await drop?.();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('confide clients and confide token', () => {
  it('registers clients, lists them, prints a token that the server accepts, and disables a client', async () => {
    const m = await runConfide(['migrate', ...args], env);
    expect(m.code, m.out).toBe(0);
    const user = await runConfide(['users', 'add', 'nurse.cli', '--kind', 'staff', '--role', 'clinician', '--no-mfa', ...args], env);
    expect(user.code, user.out).toBe(0);

    const app = await runConfide(['clients', 'add', 'Growth Chart', '--redirect', 'https://app.example/cb', '--scope', 'openid launch/patient patient/*.rs', '--id', 'growth', ...args], env);
    expect(app.code, app.out).toBe(0);
    expect(app.out).toContain('client_id: growth');
    expect(app.out).not.toContain('client_secret');

    const conf = await runConfide(['clients', 'add', 'Billing', '--redirect', 'https://billing.example/cb', '--scope', 'user/*.rs', '--confidential', ...args], env);
    expect(conf.code, conf.out).toBe(0);
    expect(conf.out).toMatch(/client_secret: [A-Za-z0-9_-]{43}/);

    const dir = tempDir('confide-jwks-');
    const { publicKey } = await generateKeyPair('ES384', { extractable: true });
    fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384' }] }));
    const backend = await runConfide(['clients', 'add', 'Lab', '--backend', '--jwks', path.join(dir, 'jwks.json'), '--scope', 'system/Observation.rs', ...args], env);
    expect(backend.code, backend.out).toBe(0);
    expect(backend.out).toContain('backend service');

    const bad = await runConfide(['clients', 'add', 'Bad', '--redirect', 'http://evil.example/cb', '--scope', 'patient/*.rs', ...args], env);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('must be https');

    const list = await runConfide(['clients', 'list', ...args], env);
    expect(list.code, list.out).toBe(0);
    for (const id of ['confide-web', 'confide-cli', 'growth', 'Lab']) expect(list.out).toContain(id === 'Lab' ? 'Lab' : id);

    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const tok = await runConfide(['token', '--user', 'nurse.cli', '--scope', 'user/*.rs', '--ttl', '600', '--public-url', publicUrl, ...args], env);
    expect(tok.code, tok.out).toBe(0);
    const token = tok.out.split('\n').find((l) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(l))!;
    expect(token).toBeTruthy();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ aud: `${publicUrl}/fhir/R4`, client_id: 'confide-cli', scope: 'user/*.rs' });
    expect(claims.exp! - claims.iat!).toBe(600);
    // The security event is reported (the audit record of who got a token).
    expect(tok.out).toMatch(/"type":"token-issued".*"username":"nurse.cli".*"grantType":"operator"/);

    const unknown = await runConfide(['token', '--user', 'nobody', ...args], env);
    expect(unknown.code).toBe(1);

    const server = await startConfide(['--no-demo', '--port', String(port), '--public-url', publicUrl, ...args], env);
    try {
      // The practice directory: a clinician reads it without belonging to an organization.
      const ok = await fetch(`${publicUrl}/fhir/R4/Practitioner`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      const none = await fetch(`${publicUrl}/fhir/R4/Practitioner`);
      expect(none.status).toBe(401);
    } finally {
      await killHard(server);
    }

    const disable = await runConfide(['clients', 'disable', 'growth', ...args], env);
    expect(disable.code, disable.out).toBe(0);
    const after = await runConfide(['clients', 'list', ...args], env);
    expect(after.out).toMatch(/growth\s+Growth Chart\s+\[disabled\]/);
  }, 180_000);
});
