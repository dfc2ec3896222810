import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a folder of built web assets is served as (docs/web.md). */
export interface StaticFilesOptions {
  /** The folder of built assets (apps/web/dist). */
  root: string;
  /**
   * Single-page apps: a GET under `prefix` that names no file (and has no file extension) gets `index`, so the
   * app's own router shows the page. The longest matching prefix wins.
   */
  apps: { prefix: string; index: string }[];
  /** Paths that are never static files (the FHIR API, the authorization server). */
  reserved?: string[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

// The app's pages: scripts and styles from this origin only; Mantine sets inline style attributes. The FHIR API
// and /oauth2 are same-origin. The callback URL holds the authorization code, so no Referer leaves the page.
const HTML_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * Serves the built web app: correct content types, long-lived caching for content-hashed files under
 * `/assets/`, revalidation for everything else, and the single-page-app fallback. Resolves false for
 * requests it does not serve, so the caller can answer them (404).
 */
export function createStaticFiles(options: StaticFilesOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const root = path.resolve(options.root);
  const reserved = options.reserved ?? ['/fhir/', '/oauth2/', '/.well-known/'];
  const apps = [...options.apps].sort((a, b) => b.prefix.length - a.prefix.length);

  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return false;
    }
    if (pathname.includes('\0') || reserved.some((r) => pathname.startsWith(r) || pathname === r.slice(0, -1))) return false;
    const file = path.join(root, path.normalize(pathname));
    if (file !== root && !file.startsWith(root + path.sep)) return false;
    const stat = await statFile(file);
    if (stat) {
      await sendFile(req, res, file, stat, pathname.startsWith('/assets/'));
      return true;
    }
    if (path.extname(pathname)) return false;
    const app = apps.find((a) => pathname.startsWith(a.prefix) || pathname + '/' === a.prefix);
    if (!app) return false;
    const index = path.join(root, app.index);
    const indexStat = await statFile(index);
    if (!indexStat) return false;
    await sendFile(req, res, index, indexStat, false);
    return true;
  };
}

async function statFile(file: string): Promise<fs.Stats | undefined> {
  try {
    const s = await fs.promises.stat(file);
    return s.isFile() ? s : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, stat: fs.Stats, immutable: boolean): Promise<void> {
  const ext = path.extname(file).toLowerCase();
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const headers: Record<string, string> = {
    'Content-Type': TYPES[ext] ?? 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
    ETag: etag,
    'Last-Modified': stat.mtime.toUTCString(),
    ...(ext === '.html' ? HTML_HEADERS : {}),
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  req.resume();
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  headers['Content-Length'] = String(stat.size);
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = fs.createReadStream(file);
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}
