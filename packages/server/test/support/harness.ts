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
  close(): Promise<void>;
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
  return {
    confide,
    url: running.url,
    base: running.url + '/fhir/R4',
    backend: databaseUrl ? 'postgres' : 'pglite',
    async close() {
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
  const init: RequestInit = { method, headers: { accept: 'application/fhir+json', ...headers } };
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
