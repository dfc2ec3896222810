#!/usr/bin/env node
// The JavaScript and CSS an entry page loads before it can show anything: its <script type=module> and
// <link rel=modulepreload|stylesheet> files, gzipped (level 9, as a server would send them). Lazy chunks
// (the chart, the schedule) are listed apart. Usage: node apps/web/scripts/bundle-size.mjs [--json]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'dist');

export function initialAssets(htmlFile) {
  const html = fs.readFileSync(path.join(dist, htmlFile), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  return [...new Set(refs)];
}

const gz = (file) => zlib.gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;

export function report() {
  const entries = {};
  for (const [name, html] of [['staff', 'index.html'], ['portal', 'portal/index.html']]) {
    const files = initialAssets(html);
    const js = files.filter((f) => f.endsWith('.js'));
    const css = files.filter((f) => f.endsWith('.css'));
    entries[name] = { js: js.reduce((n, f) => n + gz(f), 0), css: css.reduce((n, f) => n + gz(f), 0), files };
  }
  const initial = new Set(Object.values(entries).flatMap((e) => e.files));
  const lazy = fs
    .readdirSync(path.join(dist, 'assets'))
    .map((f) => `/assets/${f}`)
    .filter((f) => f.endsWith('.js') && !initial.has(f))
    .map((f) => ({ file: f, gzip: gz(f) }));
  return { entries, lazy };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = report();
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    for (const [name, e] of Object.entries(r.entries)) process.stdout.write(`${name}: initial JS ${kb(e.js)} gzipped, CSS ${kb(e.css)} gzipped (${e.files.join(', ')})\n`);
    for (const l of r.lazy) process.stdout.write(`  lazy ${l.file}: ${kb(l.gzip)} gzipped\n`);
  }
}
