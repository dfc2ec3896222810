import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OperationOutcomeError, errors } from '@confide/fhir';
import type { Repository } from '@confide/store';
import { once } from 'node:events';
import { isStream, type FhirContext, type FhirRequest, type FhirResponse } from '../fhir/types.ts';
import { bodyKind, checkAccept } from './content-type.ts';
import { readBody } from './read-body.ts';

export const FHIR_BASE_PATH = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export interface HttpServerOptions {
  repo: Repository;
  fhir: (ctx: FhirContext, req: FhirRequest) => Promise<FhirResponse>;
  /** Public base URL, e.g. https://ehr.example.org; derived from the Host header when absent. */
  publicUrl?: string;
  /** Largest accepted request body, in bytes (default 64 MiB). */
  maxBodyBytes?: number;
  /** Called with errors that are not the client's fault. Must not log PHI. */
  onError?: (err: unknown) => void;
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
    if (path === FHIR_BASE_PATH || path.startsWith(FHIR_BASE_PATH + '/')) {
      await handleFhir(req, res, url);
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
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
    try {
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
        path: url.pathname.slice(FHIR_BASE_PATH.length + 1),
        query,
        headers: req.headers as Record<string, string | undefined>,
        body,
      };
      const result = await options.fhir({ repo: options.repo, baseUrl: base }, fhirReq);
      if (isStream(result.body)) {
        await sendStream(res, result.status, result.body, result.headers ?? {}, method === 'HEAD');
        return;
      }
      send(res, result.status, result.body, result.headers, method === 'HEAD');
    } catch (err) {
      if (err instanceof OperationOutcomeError) {
        send(res, err.status, err.outcome);
        return;
      }
      options.onError?.(err);
      send(res, 500, errors.internal().outcome);
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

async function sendStream(res: ServerResponse, status: number, body: AsyncIterable<string>, headers: Record<string, string>, headOnly: boolean): Promise<void> {
  res.writeHead(status, { ...headers, 'Content-Type': FHIR_JSON });
  if (headOnly) {
    res.end();
    return;
  }
  try {
    for await (const chunk of body) {
      if (!res.write(chunk)) await once(res, 'drain');
    }
    res.end();
  } catch (err) {
    // Headers are gone; the only honest signal left is to cut the connection.
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

function send(res: ServerResponse, status: number, body?: string | object, headers: Record<string, string> = {}, headOnly = false): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const h: Record<string, string | number> = { ...headers };
  if (text.length > 0 || status !== 204) h['Content-Type'] = FHIR_JSON;
  h['Content-Length'] = Buffer.byteLength(text);
  res.writeHead(status, h);
  res.end(headOnly ? undefined : text);
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
