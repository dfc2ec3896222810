import { createScratchDatabase, pgliteFromTemplate } from '../../../store/test/support.ts';
import { createConfide, type Confide, type ConfideOptions } from '../../src/index.ts';

/**
 * A real Confide server on a random port for one test file: the embedded database in memory by default,
 * or a fresh scratch database on the PostgreSQL server named by DATABASE_URL.
 */
export interface TestServer {
  confide: Confide;
  url: string;
  base: string;
  backend: 'pglite' | 'postgres';
  /** On PostgreSQL, the scratch database (a second server process may open it too). */
  databaseUrl?: string;
  /**
   * `Authorization` header with a backend-services token (`system/*.cruds`) for the FHIR API: tests of the
   * REST behaviour act as an unrestricted system client. `request()` sends it by default.
   */
  auth: { authorization: string };
  close(): Promise<void>;
}

/** Default Authorization header per FHIR base URL, used by `request()`. */
const defaultAuth = new Map<string, string>();

/** The test server's Authorization header for an absolute URL below one of the running test servers. */
export function authFor(url: string): Record<string, string> {
  for (const [base, auth] of defaultAuth) if (url.startsWith(base)) return { authorization: auth };
  return {};
}

export async function startTestServer(options: Partial<ConfideOptions> = {}): Promise<TestServer> {
  const databaseUrl = process.env.DATABASE_URL;
  let drop: (() => Promise<void>) | undefined;
  let dbOptions: ConfideOptions;
  if (databaseUrl) {
    const scratch = await createScratchDatabase(databaseUrl);
    drop = scratch.drop;
    dbOptions = { databaseUrl: scratch.url };
  } else {
    dbOptions = await pgliteFromTemplate();
  }
  const confide = await createConfide({ ...dbOptions, ...options });
  const running = await confide.listen(0);
  const base = running.url + '/fhir/R4';
  const token = await confide.oauth.issueToken({ scope: 'system/*.cruds', ttlSeconds: 4 * 3600 });
  const auth = { authorization: `Bearer ${token.access_token}` };
  defaultAuth.set(base, auth.authorization);
  return {
    confide,
    url: running.url,
    base,
    backend: databaseUrl ? 'postgres' : 'pglite',
    databaseUrl: dbOptions.databaseUrl,
    auth,
    async close() {
      defaultAuth.delete(base);
      await confide.close();
      await drop?.();
    },
  };
}

export interface FhirReply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** One HTTP request to the FHIR API; JSON bodies are sent as application/fhir+json. */
export async function request<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<FhirReply<T>> {
  // The test server's token unless the test sets its own Authorization (an empty one sends none).
  const auth = defaultAuth.get(base);
  const all: Record<string, string> = { accept: 'application/fhir+json', ...(auth ? { authorization: auth } : {}), ...headers };
  if (all.authorization === '') delete all.authorization;
  const init: RequestInit = { method, headers: all };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/fhir+json';
  }
  const res = await fetch(`${base}/${path}`, init);
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** A transaction Bundle entry that PUTs a resource at its own id (test setup). */
export function putEntry(r: Record<string, unknown>): { resource: Record<string, unknown>; request: { method: 'PUT'; url: string } } {
  return { resource: r, request: { method: 'PUT', url: `${r.resourceType as string}/${r.id as string}` } };
}
