import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerOptions {
  /** PGlite data directory; used when databaseUrl is absent. */
  dataDir?: string;
  /** PostgreSQL database for this server (DATABASE_URL of the child). */
  databaseUrl?: string;
  /** Write a V8 CPU profile (node --cpu-prof) into this directory when the server stops. */
  profileDir?: string;
  /** More `confide start` flags (e.g. --no-audit). */
  args?: string[];
  /** Another checkout to run (a baseline commit); default this repository. */
  root?: string;
  /**
   * The token the load generators send: a backend-services token of confide-cli (`system/*.cruds`, the
   * default), an account's token (`{ user }`), or none (a baseline from before authentication).
   */
  token?: 'system' | { user: string; scope?: string } | false;
}

export interface ServerProcess {
  pid: number;
  /** http://127.0.0.1:PORT/fhir/R4 */
  base: string;
  /** The last 20 kB of the server's stdout and stderr. */
  log(): string;
  /** Headers every request sends (Authorization). */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `confide start --no-demo` in its own process and waits until /healthz answers. */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const nodeArgs = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', options.profileDir] : [];
  // Extra flags for the server's node (a profiler's, e.g. --perf-basic-prof for `perf record`).
  if (process.env.BENCH_SERVER_NODE_ARGS) nodeArgs.push(...process.env.BENCH_SERVER_NODE_ARGS.split(' ').filter(Boolean));
  const root = options.root ?? REPO_ROOT;
  const bin = path.join(root, 'apps/cli/bin/confide.js');
  const args = [...nodeArgs, bin, 'start', '--port', String(port), '--no-demo', ...(options.args ?? [])];
  if (!options.databaseUrl) {
    if (!options.dataDir) throw new Error('startServer needs dataDir or databaseUrl');
    args.push('--data', options.dataDir);
  }
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => (dead = true));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (dead) throw new Error(`confide server exited during start-up:\n${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`confide server did not become ready in 120 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const headers: Record<string, string> = {};
  if (options.token !== false) {
    const who = options.token === undefined || options.token === 'system' ? ['--client', 'confide-cli', '--scope', 'system/*.cruds'] : ['--user', options.token.user, ...(options.token.scope ? ['--scope', options.token.scope] : [])];
    const tokenArgs = [bin, 'token', ...who, '--ttl', '86400', '--public-url', url, ...(options.dataDir ? ['--data', options.dataDir] : [])];
    const t = spawnSync(process.execPath, tokenArgs, { cwd: root, env, encoding: 'utf8' });
    const token = t.stdout.trim();
    if (t.status !== 0 || !token) {
      child.kill('SIGKILL');
      throw new Error(`confide token failed: ${t.stderr}`);
    }
    headers.Authorization = `Bearer ${token}`;
  }
  return {
    pid: child.pid ?? 0,
    base: `${url}/fhir/R4`,
    headers,
    log: () => log,
    async stop() {
      if (dead) return;
      child.kill('SIGINT'); // confide closes the database, then exits; --cpu-prof writes the profile on exit
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
