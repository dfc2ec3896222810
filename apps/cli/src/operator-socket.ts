import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Confide } from '@confide/server';

/**
 * The operator channel of a running server on the embedded database. Only one process may open a PGlite
 * data folder, so while `confide start` runs, `confide token` cannot open it; instead it asks the running
 * server through a Unix socket inside the data folder. The socket is created with mode 0600: whoever can
 * connect could also read the database files, so it grants nothing new. One JSON request, one JSON answer.
 */
export interface OperatorRequest {
  op: 'token';
  /** The account the token acts for; without it, a backend-services token of `client` (system/ scopes). */
  user?: string;
  client?: string;
  scope?: string;
  ttl?: number;
  /** Who asks (the OS user), for the audit trail. */
  by: string;
}

export type OperatorAnswer = { ok: true; token: string; scope: string; expiresIn: number } | { ok: false; error: string };

export function operatorSocketPath(dataDir: string): string {
  return path.join(dataDir, 'confide.sock');
}

/** Serves operator requests for a running server; returns a function that stops it. */
export async function serveOperatorSocket(confide: Confide, dataDir: string): Promise<() => Promise<void>> {
  const file = operatorSocketPath(dataDir);
  fs.rmSync(file, { force: true }); // left by a killed server; the data-folder lock says we own the folder
  const server = net.createServer((socket) => {
    let input = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      input += chunk;
      if (input.length > 10_000) socket.destroy();
      if (!input.includes('\n')) return;
      void answer(confide, input.slice(0, input.indexOf('\n'))).then((a) => socket.end(JSON.stringify(a) + '\n'));
    });
    socket.on('error', () => undefined);
  });
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(file, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  fs.chmodSync(file, 0o600);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      fs.rmSync(file, { force: true });
    });
}

async function answer(confide: Confide, line: string): Promise<OperatorAnswer> {
  let req: OperatorRequest;
  try {
    req = JSON.parse(line) as OperatorRequest;
  } catch {
    return { ok: false, error: 'malformed request' };
  }
  if (req.op !== 'token' || (typeof req.user !== 'string' && typeof req.client !== 'string')) return { ok: false, error: 'unknown request' };
  try {
    return await issueOperatorToken(confide, { user: req.user, client: req.client, scope: req.scope, ttl: req.ttl, by: String(req.by).slice(0, 64) });
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Issues an operator token (used in-process by `confide token`, and for the socket). */
export async function issueOperatorToken(
  confide: Confide,
  req: { user?: string; client?: string; scope?: string; ttl?: number; by: string },
): Promise<OperatorAnswer> {
  if (req.user) {
    const user = await confide.accounts.getUser(req.user);
    if (!user || user.disabled) return { ok: false, error: `no active account "${req.user}"` };
    const scope = req.scope ?? (user.kind === 'patient' ? 'patient/*.rs' : 'user/*.cruds');
    const t = await confide.oauth.issueToken({ username: user.username, scope, ttlSeconds: req.ttl, remoteAddress: `cli:${req.by}` });
    return { ok: true, token: t.access_token, scope: t.scope, expiresIn: t.expires_in };
  }
  const t = await confide.oauth.issueToken({ clientId: req.client, scope: req.scope ?? 'system/*.rs', ttlSeconds: req.ttl, remoteAddress: `cli:${req.by}` });
  return { ok: true, token: t.access_token, scope: t.scope, expiresIn: t.expires_in };
}

/** Sends one request to the server running on `dataDir`. */
export function askRunningServer(dataDir: string, req: Omit<OperatorRequest, 'by'>): Promise<OperatorAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(operatorSocketPath(dataDir));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify({ ...req, by: osUser() }) + '\n'));
    socket.on('data', (d: string) => (out += d));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(out) as OperatorAnswer);
      } catch {
        reject(new Error('The running server gave no answer'));
      }
    });
    socket.on('error', reject);
  });
}

export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
