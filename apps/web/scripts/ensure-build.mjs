#!/usr/bin/env node
// Builds the web app when dist/ is missing or older than its sources (run by `npm start` and the e2e tests).
// The stamp is a hash of every source file, so a checkout, an edit or a dependency change rebuilds it.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stampFile = path.join(dir, 'dist', '.source-hash');

function* files(p) {
  const s = fs.statSync(p);
  if (s.isDirectory()) for (const e of fs.readdirSync(p).sort()) yield* files(path.join(p, e));
  else yield p;
}

export function sourceHash() {
  const h = createHash('sha256');
  // ../../packages/notes and scheduling: the note templates and slot rules the app imports from source.
  const inputs = ['src', 'public', 'index.html', 'portal/index.html', 'vite.config.ts', 'package.json', '../../package-lock.json', '../../packages/notes/src', '../../packages/scheduling/src'];
  for (const input of inputs) {
    const p = path.join(dir, input);
    if (!fs.existsSync(p)) continue;
    for (const f of files(p)) h.update(path.relative(dir, f)).update('\0').update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

function viteBin() {
  const pkg = createRequire(path.join(dir, 'package.json')).resolve('vite/package.json');
  return path.join(path.dirname(pkg), 'bin', 'vite.js');
}

export function ensureBuild({ quiet = false } = {}) {
  const hash = sourceHash();
  const current = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
  if (current === hash && fs.existsSync(path.join(dir, 'dist', 'index.html'))) return false;
  if (!quiet) process.stderr.write('Building the web app (apps/web)...\n');
  execFileSync(process.execPath, [viteBin(), 'build', '--logLevel', quiet ? 'error' : 'warn'], {
    cwd: dir,
    // Vite takes NODE_ENV from the environment when it is set: under Vitest (NODE_ENV=test) the build would
    // bundle React's development code, 60 KB more gzipped and slower, and `npm start` would then serve it.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  fs.writeFileSync(stampFile, hash + '\n');
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) ensureBuild();
