import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(REPO_ROOT, 'apps/cli/bin/confide.js');

export interface ServerOptions {
  /** PGlite data directory; used when databaseUrl is absent. */
  dataDir?: string;
  /** PostgreSQL database for this server (DATABASE_URL of the child). */
  databaseUrl?: string;
  /** Write a V8 CPU profile (node --cpu-prof) into this directory when the server stops. */
  profileDir?: string;
}

export interface ServerProcess {
  pid: number;
  /** http://127.0.0.1:PORT/fhir/R4 */
  base: string;
  /** The last 20 kB of the server's stdout and stderr. */
  log(): string;
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
  const args = [...nodeArgs, BIN, 'start', '--port', String(port), '--no-demo'];
  if (!options.databaseUrl) {
    if (!options.dataDir) throw new Error('startServer needs dataDir or databaseUrl');
    args.push('--data', options.dataDir);
  }
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
  return {
    pid: child.pid ?? 0,
    base: `${url}/fhir/R4`,
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
