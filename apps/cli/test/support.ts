import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONFIDE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/confide.js');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Running {
  child: ChildProcess;
  url: string;
  base: string;
  output: () => string;
}

/** Starts `confide start` in its own process and waits for the line that says where it listens. */
export function startConfide(args: string[], env: Record<string, string | undefined> = {}): Promise<Running> {
  const child = spawn(process.execPath, [CONFIDE_BIN, 'start', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('confide start timed out:\n' + out)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], base: m[1] + '/fhir/R4', output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`confide start exited with ${code}:\n${out}`));
    });
  });
}

/** Runs a `confide` command to completion. */
export function runConfide(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [CONFIDE_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

export function killHard(r: Running): Promise<void> {
  return new Promise((resolve) => {
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
}

/** An access token from `confide token` for a running server (through its operator socket on PGlite). */
export async function tokenFor(running: Running, who: { user: string } | { client: string; scope: string }, args: string[], env: Record<string, string | undefined> = {}): Promise<Record<string, string>> {
  const flags = 'user' in who ? ['--user', who.user] : ['--client', who.client, '--scope', who.scope];
  const r = await runConfide(['token', ...flags, '--ttl', '3600', '--public-url', running.url, ...args], env);
  const token = r.out.split('\n')[0].trim();
  if (r.code !== 0 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new Error(`confide token failed (${r.code}):\n${r.out}`);
  return { authorization: `Bearer ${token}` };
}

/**
 * The backend a test file runs in-process commands against: a scratch PostgreSQL database (DATABASE_URL set for
 * the file's duration) or a fresh embedded data dir (`args` carries `--data`). Call `setup` in beforeAll and
 * `teardown` in afterAll.
 */
export function inProcessBackend(prefix: string): { args: string[]; dataDir: () => string | undefined; setup: () => Promise<void>; teardown: () => Promise<void> } {
  const pgUrl = process.env.DATABASE_URL;
  const args: string[] = [];
  let dataDir: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  return {
    args,
    dataDir: () => dataDir,
    async setup() {
      if (pgUrl) {
        const { createScratchDatabase } = await import('../../../packages/store/test/support.ts');
        const scratch = await createScratchDatabase(pgUrl, false);
        drop = scratch.drop;
        process.env.DATABASE_URL = scratch.url;
      } else {
        dataDir = tempDir(prefix);
        args.push('--data', dataDir);
      }
    },
    async teardown() {
      process.env.DATABASE_URL = pgUrl;
      await drop?.();
    },
  };
}
