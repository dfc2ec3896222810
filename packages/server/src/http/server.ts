import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OperationOutcomeError, errors } from '@confide/fhir';
import type { Repository } from '@confide/store';
import { once } from 'node:events';
import { isStream, type FhirContext, type FhirRequest, type FhirResponse } from '../fhir/types.ts';
import type { AccessContext } from '../identity/access-context.ts';
import { challengeOf } from '../oauth/bearer-error.ts';
import { bodyKind, checkAccept } from './content-type.ts';
import { readBody } from './read-body.ts';

export const FHIR_BASE_PATH = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/**
 * CORS for browser SMART apps on the FHIR API: it is authenticated by bearer tokens only (never cookies), so
 * any origin may call it; the answer is the same as without CORS. Preflights are answered without a token.
 */
const FHIR_CORS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Location, Content-Location, ETag, Last-Modified, WWW-Authenticate, X-Progress, Retry-After, Expires',
};
const FHIR_PREFLIGHT: Record<string, string> = {
  ...FHIR_CORS,
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'authorization, content-type, accept, if-match, if-none-exist, if-none-match, if-modified-since, prefer',
  'Access-Control-Max-Age': '600',
};

export interface HttpServerOptions {
  repo: Repository;
  fhir: (ctx: FhirContext, req: FhirRequest) => Promise<FhirResponse>;
  /** Public base URL, e.g. https://ehr.example.org; derived from the Host header when absent. */
  publicUrl?: string;
  /** Largest accepted request body, in bytes (default 64 MiB). */
  maxBodyBytes?: number;
  /** Called with errors that are not the client's fault. Must not log PHI. */
  onError?: (err: unknown) => void;
  /**
   * Other handlers (the OAuth authorization server): tried before the 404, and for `/fhir/R4/.well-known/*`
   * before FHIR handling. Resolve true when they served the request.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  /**
   * Who is calling, from the request's credentials (bearer token); throws a 401 OperationOutcomeError otherwise.
   * Every FHIR request but `GET metadata` goes through it. Without it, FHIR requests run with no AccessContext.
   */
  authenticate?: (req: IncomingMessage) => Promise<AccessContext>;
}

export interface RunningServer {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/** The HTTP front of Confide on node:http; no web framework between the socket and the FHIR router. */
export function createHttpServer(options: HttpServerOptions): http.Server {
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      options.onError?.(err);
      if (!res.headersSent) send(res, 500, errors.internal().outcome);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith(FHIR_BASE_PATH + '/.well-known/') && options.routes && (await options.routes(req, res, url))) return;
    if (path === FHIR_BASE_PATH || path.startsWith(FHIR_BASE_PATH + '/')) {
      await handleFhir(req, res, url);
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    if (options.routes && (await options.routes(req, res, url))) return;
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Confide</title><h1>Confide</h1><p>FHIR R4 API at <a href="/fhir/R4/metadata">/fhir/R4</a>.</p>');
      return;
    }
    send(res, 404, errors.notFound(`Nothing at ${path}`).outcome);
  }

  async function handleFhir(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const base = (options.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`) + FHIR_BASE_PATH;
    if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
      req.resume();
      res.writeHead(204, FHIR_PREFLIGHT).end();
      return;
    }
    try {
      const fhirPath = url.pathname.slice(FHIR_BASE_PATH.length + 1);
      // The CapabilityStatement is public (SMART clients read it before they have a token); nothing else is.
      const isMetadata = fhirPath === 'metadata' && (method === 'GET' || method === 'HEAD');
      let access: AccessContext | undefined;
      if (options.authenticate && !isMetadata) {
        try {
          access = await options.authenticate(req);
        } catch (err) {
          req.resume();
          throw err;
        }
      }
      checkAccept(req.headers.accept, url.searchParams.get('_format'));
      const query = url.searchParams;
      query.delete('_format');
      query.delete('_pretty');
      let body: unknown;
      if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
        const kind = bodyKind(req.headers['content-type'], method);
        const raw = await readBody(req, maxBody);
        if (kind === 'form') {
          for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) query.append(k, v);
        } else if (raw.length > 0) {
          if (kind === 'none') throw errors.unsupportedMediaType('A request body needs Content-Type: application/fhir+json');
          body = parseJson(raw);
        }
      } else {
        req.resume();
      }
      const fhirReq: FhirRequest = {
        method,
        path: fhirPath,
        query,
        headers: req.headers as Record<string, string | undefined>,
        body,
      };
      const ctx: FhirContext = access ? { repo: options.repo, baseUrl: base, access } : { repo: options.repo, baseUrl: base };
      const result = await options.fhir(ctx, fhirReq);
      if (isStream(result.body)) {
        await sendStream(res, result.status, result.body, headersOf(result.headers, FHIR_CORS), method === 'HEAD');
        return;
      }
      send(res, result.status, result.body, result.headers, method === 'HEAD', FHIR_CORS);
    } catch (err) {
      if (err instanceof OperationOutcomeError) {
        // RFC 6750 section 3: a 401 says how to authenticate.
        send(res, err.status, err.outcome, FHIR_CORS, false, err.status === 401 ? { 'WWW-Authenticate': challengeOf(err) } : undefined);
        return;
      }
      options.onError?.(err);
      send(res, 500, errors.internal().outcome, FHIR_CORS);
    }
  }

  return server;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw errors.badRequest(`The body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Characters gathered before a streamed body is written to the socket. */
const STREAM_WRITE_BYTES = 64 * 1024;

async function sendStream(res: ServerResponse, status: number, body: AsyncIterable<string>, headers: Record<string, string | number>, headOnly: boolean): Promise<void> {
  // A handler may name another media type (bulk export files are application/fhir+ndjson).
  res.writeHead(status, headersOf({ 'Content-Type': FHIR_JSON }, headers));
  if (headOnly) {
    res.end();
    return;
  }
  try {
    // Rows arrive as many small strings (one per resource); writing each would cost a syscall and a chunk
    // header apiece, so they are gathered into writes of about STREAM_WRITE_BYTES.
    let pending = '';
    for await (const chunk of body) {
      pending += chunk;
      if (pending.length >= STREAM_WRITE_BYTES) {
        const flushed = res.write(pending);
        pending = '';
        if (!flushed) await once(res, 'drain');
      }
    }
    res.end(pending);
  } catch (err) {
    // Headers are gone; the only honest signal left is to cut the connection.
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

function send(res: ServerResponse, status: number, body?: string | object, headers: Record<string, string> = {}, headOnly = false, more?: Record<string, string>): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const h = headersOf(headers, more);
  if ((text.length > 0 || status !== 204) && !h['Content-Type']) h['Content-Type'] = FHIR_JSON;
  h['Content-Length'] = Buffer.byteLength(text);
  res.writeHead(status, h);
  res.end(headOnly ? undefined : text);
}

/**
 * A new header object with the fields of `a`, then of `b`. Copied key by key on purpose: on Node 20 an object
 * spread such as `{ ...a, ...b }`, or a spread followed by new keys, takes a slow runtime path (~2 µs here,
 * against ~0.2 µs for this loop: docs/benchmarks.md, "Session 8"), and every response makes one.
 */
function headersOf(a: Record<string, string | number> | undefined, b?: Record<string, string | number>): Record<string, string | number> {
  const h: Record<string, string | number> = {};
  if (a) for (const k in a) h[k] = a[k];
  if (b) for (const k in b) h[k] = b[k];
  return h;
}

/** Starts listening and resolves with the URL it listens on. */
export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      resolve({
        server,
        url: `http://${host}:${addr.port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
