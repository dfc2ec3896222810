import type http from 'node:http';
import { Accounts, type AccountEvent, type LockoutPolicy } from '@confide/auth';
import { validateResource } from '@confide/fhir';
import { parseScopes } from '@confide/policy';
import { AuditLog, migrate, openDb, Repository, searchIndexer, searchMatcher, type Db, type OpenDbOptions, type RepositoryOptions } from '@confide/store';
import { BreakGlass } from './consent/break-glass.ts';
import type { Peers } from './cluster/peers.ts';
import { createFhirRouter, type FhirRouterOptions } from './fhir/router.ts';
import { createHttpServer, FHIR_BASE_PATH, listen, type RunningServer } from './http/server.ts';
import type { FhirRequest, FhirResponse } from './fhir/types.ts';
import { internalAccess, type AccessContext } from './identity/access-context.ts';
import { createOAuthServer, type OAuthServer, type OAuthServerOptions } from './oauth/oauth-server.ts';
import { VERSION } from './version.ts';
import { createStaticFiles } from './http/static-files.ts';
import { accountAuditEvent, securityAuditEvent } from './audit/security-audit.ts';
import { AuditRecorder } from './audit/audit-recorder.ts';
import { domainWriteRules } from './rules/index.ts';
import { createBulkExport } from './bulk/bulk-export.ts';
import { ExportRunner } from './bulk/export-runner.ts';
import { RelabelRunner, type RelabelRunnerOptions } from './consent/relabel-runner.ts';
import { BreakGlassReviews } from './consent/break-glass-reviews.ts';
import { createReviewQueue } from './consent/review-queue-endpoint.ts';
import { part2DesignationRule } from './rules/part2-designation-rule.ts';

/** Sign-in and token settings (see docs/smart.md). */
export interface ConfideAuthOptions
  extends Pick<
    OAuthServerOptions,
    | 'accessTokenMinutes'
    | 'backendTokenMinutes'
    | 'refreshTokenDays'
    | 'onlineRefreshHours'
    | 'keyRotationDays'
    | 'launchMinutes'
    | 'maxOperatorTokenHours'
    | 'revocationPollMs'
    | 'tokenCacheSize'
    | 'smartStyleUrl'
    | 'jwksCacheSeconds'
    | 'onSecurityEvent'
  > {
  /** Sign-in sessions and online grants end after this much inactivity (default 15). */
  sessionIdleMinutes?: number;
  /** Sign-in sessions end this long after sign-in (default 12). */
  sessionMaxHours?: number;
  /** New staff accounts must use TOTP (default true). */
  staffMfaRequired?: boolean;
  lockout?: Partial<LockoutPolicy>;
  /** Account events (sign-in, lockout, user changes) for the audit trail. */
  onAccountEvent?: (e: AccountEvent) => void;
  /** The clock of accounts and tokens (tests move it). */
  now?: () => Date;
}

export interface ConfideOptions extends OpenDbOptions {
  publicUrl?: string;
  maxBodyBytes?: number;
  repository?: RepositoryOptions;
  search?: FhirRouterOptions['search'];
  searchParams?: FhirRouterOptions['searchParams'];
  onError?: (err: unknown) => void;
  auth?: ConfideAuthOptions;
  /**
   * The audit trail (docs/audit.md) is on unless this is `false` — only for measuring its cost (bench/);
   * `confide start` warns loudly when it is off.
   */
  audit?: boolean;
  /**
   * Bulk data export (docs/bulk-export.md): how long jobs and files are kept (default 24 h), how often the runner
   * looks for other processes' work (default 15 s), and (for tests) the size of stored pieces and read pages.
   */
  bulkExport?: { expireHours?: number; pollMs?: number; chunkChars?: number; pageSize?: number };
  /** Background relabelling after a Part 2 designation (docs/consent.md): poll interval and page size, for tests. */
  relabel?: Pick<RelabelRunnerOptions, 'pollMs' | 'pageSize'>;
  /** The built web app (apps/web/dist) to serve at `/` and `/portal/` (docs/web.md); none when absent. */
  webRoot?: string;
  /**
   * The other server processes on the same PostgreSQL database (`confide start --workers`): what one process
   * caches about revocations and emergency access is told to the others at once.
   */
  peers?: Peers;
}

export interface Confide {
  db: Db;
  repo: Repository;
  server: http.Server;
  /** Sign-in accounts and sessions. */
  accounts: Accounts;
  /** The SMART authorization server and bearer authentication of the FHIR API. */
  oauth: OAuthServer;
  /** The hash-chained audit trail (undefined only when turned off for a benchmark). */
  audit?: AuditLog;
  /** Runs one FHIR interaction in-process, through the same router as HTTP requests (import, seed). */
  handle(req: Partial<FhirRequest> & { method: string; path: string }): Promise<FhirResponse>;
  /** True when this start created the database (first run). */
  created: boolean;
  listen(port: number, host?: string): Promise<RunningServer>;
  close(): Promise<void>;
}

/** Opens the database, brings its schema up to date, and builds the HTTP server on top. */
export async function createConfide(options: ConfideOptions): Promise<Confide> {
  // The domain rules (notes, scheduling: src/rules) check every write, unless a caller's repository options replace them.
  // A Part 2 designation also asks the relabel runner (created below) to relabel the program's older records.
  // (Writes start only after createConfide returns, when `relabeler` exists.)
  const designation = part2DesignationRule(() => setImmediate(() => relabeler.kick()));
  options = { ...options, repository: { writeRules: [...domainWriteRules, designation], ...options.repository } };
  const db = await openDb(options);
  let created = false;
  try {
    created = (await migrate(db)).from === 0;
  } catch (e) {
    await db.close();
    throw e;
  }
  // Security labels at write time (docs/consent.md): on unless a caller's options say otherwise.
  const repo = new Repository(db, { validate: validateResource, indexer: searchIndexer, matcher: searchMatcher, labels: {}, ...options.repository });
  const onError = options.onError ?? defaultOnError;
  const audit = options.audit === false ? undefined : new AuditLog(db, { onError });
  const recorder = audit ? new AuditRecorder(audit) : undefined;
  const breakGlass = new BreakGlass(db, { now: options.auth?.now, peers: options.peers });
  // Bulk export jobs run in the background of this process, reading as the caller who kicked each off.
  const { expireHours, ...runnerOptions } = options.bulkExport ?? {};
  const runner = new ExportRunner({ db, repo, audit: recorder, now: options.auth?.now, onError, ...runnerOptions });
  const relabeler = new RelabelRunner({ db, repo, audit: recorder, onError, ...options.relabel });
  const bulk = createBulkExport({ runner, expireHours, now: options.auth?.now });
  const fhir = createFhirRouter({ version: VERSION, search: options.search, searchParams: options.searchParams, audit: recorder, breakGlass, bulk });
  const auth = options.auth ?? {};
  const clock = auth.now ?? (() => new Date());
  let running: RunningServer | undefined;
  let accounts: Accounts;
  let oauth: OAuthServer;
  try {
    accounts = new Accounts(db, {
      now: auth.now,
      sessionIdleMinutes: auth.sessionIdleMinutes,
      sessionMaxHours: auth.sessionMaxHours,
      staffMfaRequired: auth.staffMfaRequired,
      lockout: auth.lockout,
      onEvent: (e) => {
        audit?.record(accountAuditEvent(e, clock()));
        // A disabled account loses its app authorizations too, not only its sessions.
        if (e.type === 'user-disabled' && e.userId) oauth.revokeUserGrants(e.userId, 'user-disabled').catch(onError);
        auth.onAccountEvent?.(e);
      },
    });
    oauth = createOAuthServer({
      ...auth,
      peers: options.peers,
      db,
      repo,
      accounts,
      publicUrl: options.publicUrl,
      // Without a configured public URL, tokens made outside a request (confide token) name the listening address.
      defaultUrl: () => running?.url ?? 'http://127.0.0.1:8080',
      onError,
      onSecurityEvent: (e) => {
        const event = securityAuditEvent(e);
        if (event) audit?.record(event);
        auth.onSecurityEvent?.(e);
      },
    });
    await oauth.ensureClients();
  } catch (e) {
    await db.close();
    throw e;
  }
  // The authorization server, then Confide's own API (the privacy officer's break-the-glass review queue).
  const reviewQueue = createReviewQueue({ reviews: new BreakGlassReviews(db, options.auth?.now), authenticate: oauth.authenticate, audit: recorder });
  const routes: OAuthServer['handle'] = async (req, res, url) => (await oauth.handle(req, res, url)) || reviewQueue(req, res, url);
  const server = createHttpServer({
    repo,
    fhir,
    publicUrl: options.publicUrl,
    maxBodyBytes: options.maxBodyBytes,
    onError,
    routes: options.webRoot ? withWebApp(routes, options.webRoot) : routes,
    authenticate: oauth.authenticate,
  });
  // The CLI's import and seed run in-process as the server itself: a system actor with every scope. Never
  // reachable over HTTP.
  const internal: AccessContext = internalAccess({
    kind: 'system',
    userId: 'confide',
    organizations: [],
    roles: [],
    scopes: parseScopes('system/*.cruds'),
  });
  return {
    db,
    repo,
    server,
    accounts,
    oauth,
    audit,
    created,
    handle: (req) =>
      fhir(
        { repo, baseUrl: (options.publicUrl ?? 'http://127.0.0.1:8080') + FHIR_BASE_PATH, access: internal },
        { query: new URLSearchParams(), headers: {}, ...req },
      ),
    async listen(port: number, host?: string) {
      running = await listen(server, port, host);
      runner.start();
      runner.kick();
      // Requests left by a process that stopped mid-run (or made by another process) are finished now.
      relabeler.start();
      relabeler.kick();
      return running;
    },
    async close() {
      if (running) await running.close();
      await runner.close();
      await relabeler.close();
      await oauth.close();
      recorder?.flush();
      await audit?.close();
      await db.close();
    },
  };
}

// The authorization server and the API first, then the web app's files (which never claim /oauth2, /api or /fhir paths).
function withWebApp(routes: OAuthServer['handle'], root: string): OAuthServer['handle'] {
  const files = createStaticFiles({ root, apps: [{ prefix: '/portal/', index: 'portal/index.html' }, { prefix: '/', index: 'index.html' }] });
  return async (req, res, url) => (await routes(req, res, url)) || files(req, res, url);
}

// Only the error's class and stack: never request data, which may hold PHI.
function defaultOnError(err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`confide: internal error: ${e.name}: ${e.stack ?? e.message}\n`);
}
