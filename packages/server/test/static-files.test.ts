import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticFiles } from '../src/http/static-files.ts';

/** The web app's files: content types, caching, the SPA fallback, and nothing outside the folder. */
describe('static files of the web app', () => {
  let dir: string;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-static-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.mkdirSync(path.join(dir, 'portal'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>staff');
    fs.writeFileSync(path.join(dir, 'portal', 'index.html'), '<!doctype html>portal');
    fs.writeFileSync(path.join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'assets', 'app-1234.css'), 'body{}');
    fs.writeFileSync(path.join(os.tmpdir(), 'confide-static-secret.txt'), 'secret');
    const files = createStaticFiles({ root: dir, apps: [{ prefix: '/portal/', index: 'portal/index.html' }, { prefix: '/', index: 'index.html' }] });
    server = http.createServer((req, res) => {
      files(req, res, new URL(req.url ?? '/', 'http://x')).then((served) => {
        if (!served) res.writeHead(404).end('not served');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['/', 200, 'text/html; charset=utf-8', 'no-cache', '<!doctype html>staff'],
    ['/patients/123/notes', 200, 'text/html; charset=utf-8', 'no-cache', '<!doctype html>staff'],
    ['/app/callback', 200, 'text/html; charset=utf-8', 'no-cache', '<!doctype html>staff'],
    ['/portal/', 200, 'text/html; charset=utf-8', 'no-cache', '<!doctype html>portal'],
    ['/portal/callback', 200, 'text/html; charset=utf-8', 'no-cache', '<!doctype html>portal'],
    ['/assets/app-1234.js', 200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable', 'console.log(1)'],
    ['/assets/app-1234.css', 200, 'text/css; charset=utf-8', 'public, max-age=31536000, immutable', 'body{}'],
  ])('GET %s → %i %s', async (p, status, type, cache, body) => {
    const r = await fetch(url + p);
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toBe(type);
    expect(r.headers.get('cache-control')).toBe(cache);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toBe(body);
  });

  it.each(['/assets/missing.js', '/fhir/R4/Patient', '/oauth2/authorize', '/.well-known/jwks.json', '/../confide-static-secret.txt', '/%2e%2e/confide-static-secret.txt', '/%00'])(
    'does not serve %s',
    async (p) => {
      const r = await fetch(url + p);
      expect(await r.text()).toBe('not served');
    },
  );

  it('pages cannot be framed and send no referrer', async () => {
    const r = await fetch(url + '/');
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers a revalidation with 304 and HEAD without a body', async () => {
    const first = await fetch(url + '/assets/app-1234.js');
    const etag = first.headers.get('etag')!;
    expect((await fetch(url + '/assets/app-1234.js', { headers: { 'if-none-match': etag } })).status).toBe(304);
    const head = await fetch(url + '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(url + '/', { method: 'POST' })).status).toBe(404);
  });
});
