import type { IncomingMessage, ServerResponse } from 'node:http';
import { isOperationOutcomeError } from '@confide/fhir';
import { readBody } from '../http/read-body.ts';
import { OAuthError } from './oauth-error.ts';

/** Form posts to the OAuth endpoints are small; anything bigger is not a real client. */
const MAX_FORM_BYTES = 64 * 1024;

/**
 * CORS for browser apps on the endpoints they call with fetch (token, introspection, revocation, discovery,
 * JWKS). No credentials (cookies) are involved at these endpoints, so any origin may call them.
 */
export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, content-type, accept',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Max-Age': '600',
};

/** RFC 6749 section 5.1: "Cache-Control: no-store" and "Pragma: no-cache" on every response with tokens. */
export const NO_STORE: Record<string, string> = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendOAuthError(res: ServerResponse, err: OAuthError, headers: Record<string, string> = {}): void {
  sendJson(res, err.status, err.toJSON(), headers);
}

/** The body of a form post (application/x-www-form-urlencoded); anything else is `invalid_request`. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const mime = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mime !== 'application/x-www-form-urlencoded') {
    req.resume();
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded');
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_FORM_BYTES);
  } catch (e) {
    if (isOperationOutcomeError(e)) throw new OAuthError('invalid_request', 'The request body is too large');
    throw e;
  }
  return new URLSearchParams(raw.toString('utf8'));
}

/** RFC 6749 section 3.1 / 3.2: "Request and response parameters MUST NOT be included more than once." */
export function checkSingleParams(params: URLSearchParams, names?: readonly string[]): void {
  const seen = new Set<string>();
  for (const k of params.keys()) {
    if (names && !names.includes(k)) continue;
    if (seen.has(k)) throw new OAuthError('invalid_request', `The parameter ${k} is repeated`);
    seen.add(k);
  }
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // a malformed cookie is ignored
    }
  }
  return out;
}

export interface CookieOptions {
  secure: boolean;
  maxAgeSeconds?: number;
  path?: string;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when the server is reached over https. */
export function cookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/'}`, 'HttpOnly', 'SameSite=Lax'];
  if (o.secure) parts.push('Secure');
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${o.maxAgeSeconds}`);
  return parts.join('; ');
}

/**
 * Headers of every HTML page of the authorization server: nothing loaded from elsewhere, no framing
 * (clickjacking of the consent page), no caching, no referrer (the URL carries the authorization request).
 */
export const HTML_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Drops empty Set-Cookie lists (and other empty values) so no empty header is sent. */
function clean(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (!(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...HTML_HEADERS, ...clean(headers), 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string, status = 302, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...clean(headers), Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0, 'Referrer-Policy': 'no-referrer' });
  res.end();
}
