import fs from 'node:fs';
import path from 'node:path';

// Reads the .cpuprofile files written by `node --cpu-prof` and ranks functions by self time.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  /** Share of the busy (non-idle) time. */
  pct: number;
}

export interface ProfileSummary {
  file: string;
  /** Wall time covered, and the part of it the main thread was not idle. */
  totalMs: number;
  busyMs: number;
  top: SelfTime[];
  /** Busy time by origin: a package under node_modules, a Confide package, node internals, GC, ... */
  byArea: { area: string; ms: number; pct: number }[];
}

/** A time window in microseconds of the monotonic clock (process.hrtime), which V8 profiles also use. */
export interface Window {
  fromUs: number;
  toUs: number;
}

export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function where(url: string, line: number): string {
  if (!url) return '';
  const p = url.replace(/^file:\/\//, '');
  const nm = p.lastIndexOf('/node_modules/');
  const short = nm >= 0 ? p.slice(nm + '/node_modules/'.length) : p.replace(/^.*?\/(packages|apps|bench)\//, '$1/');
  return `${short}:${line + 1}`;
}

function area(name: string, url: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite)';
  const nm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1];
  const own = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (own) return `@confide/${own[2]}`;
  return 'other';
}

/** Self time per function over the samples that fall in `window` (the whole profile without one). */
export function summarizeProfile(file: string, window?: Window, topN = 10): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
  }
  const fns = new Map<string, SelfTime>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    const w = where(n.callFrame.url, n.callFrame.lineNumber);
    const key = `${name} ${w}`;
    const entry = fns.get(key) ?? { name, where: w, ms: 0, pct: 0 };
    entry.ms += us / 1000;
    fns.set(key, entry);
    const a = area(name, n.callFrame.url);
    areas.set(a, (areas.get(a) ?? 0) + us / 1000);
  }
  const busyMs = (total - idle) / 1000;
  const pct = (ms: number) => (busyMs > 0 ? Math.round((ms / busyMs) * 1000) / 10 : 0);
  const top = [...fns.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, topN)
    .map((f) => ({ ...f, ms: Math.round(f.ms), pct: pct(f.ms) }));
  const byArea = [...areas]
    .sort((a, b) => b[1] - a[1])
    .map(([a, ms]) => ({ area: a, ms: Math.round(ms), pct: pct(ms) }));
  return { file, totalMs: Math.round(total / 1000), busyMs: Math.round(busyMs), top, byArea };
}

/**
 * The main-thread profile a server process wrote into `dir` (it ran with --cpu-prof-dir=dir). Worker
 * threads (tsx's module loader) write their own files: CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
 */
export function profileIn(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs.readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'));
  const main = files.find((n) => /\.\d+\.0\.\d+\.cpuprofile$/.test(n)) ?? files[0];
  return main ? path.join(dir, main) : undefined;
}
