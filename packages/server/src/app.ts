import type http from 'node:http';
import { validateResource } from '@confide/fhir';
import { migrate, openDb, Repository, searchIndexer, searchMatcher, type Db, type OpenDbOptions, type RepositoryOptions } from '@confide/store';
import { createFhirRouter, type FhirRouterOptions } from './fhir/router.ts';
import { createHttpServer, FHIR_BASE_PATH, listen, type RunningServer } from './http/server.ts';
import type { FhirRequest, FhirResponse } from './fhir/types.ts';
import { VERSION } from './version.ts';

export interface ConfideOptions extends OpenDbOptions {
  publicUrl?: string;
  maxBodyBytes?: number;
  repository?: RepositoryOptions;
  search?: FhirRouterOptions['search'];
  searchParams?: FhirRouterOptions['searchParams'];
  onError?: (err: unknown) => void;
}

export interface Confide {
  db: Db;
  repo: Repository;
  server: http.Server;
  /** Runs one FHIR interaction in-process, through the same router as HTTP requests (import, seed). */
  handle(req: Partial<FhirRequest> & { method: string; path: string }): Promise<FhirResponse>;
  /** True when this start created the database (first run). */
  created: boolean;
  listen(port: number, host?: string): Promise<RunningServer>;
  close(): Promise<void>;
}

/** Opens the database, brings its schema up to date, and builds the HTTP server on top. */
export async function createConfide(options: ConfideOptions): Promise<Confide> {
  const db = await openDb(options);
  let created = false;
  try {
    created = (await migrate(db)).from === 0;
  } catch (e) {
    await db.close();
    throw e;
  }
  const repo = new Repository(db, { validate: validateResource, indexer: searchIndexer, matcher: searchMatcher, ...options.repository });
  const fhir = createFhirRouter({ version: VERSION, search: options.search, searchParams: options.searchParams });
  const server = createHttpServer({
    repo,
    fhir,
    publicUrl: options.publicUrl,
    maxBodyBytes: options.maxBodyBytes,
    onError: options.onError ?? defaultOnError,
  });
  let running: RunningServer | undefined;
  return {
    db,
    repo,
    server,
    created,
    handle: (req) =>
      fhir(
        { repo, baseUrl: (options.publicUrl ?? 'http://127.0.0.1:8080') + FHIR_BASE_PATH },
        { query: new URLSearchParams(), headers: {}, ...req },
      ),
    async listen(port: number, host?: string) {
      running = await listen(server, port, host);
      return running;
    },
    async close() {
      if (running) await running.close();
      await db.close();
    },
  };
}

// Only the error's class and stack: never request data, which may hold PHI.
function defaultOnError(err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`confide: internal error: ${e.name}: ${e.stack ?? e.message}\n`);
}
