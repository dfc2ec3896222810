// Self instructions per function from a callgrind file, with V8's JIT code named from the perf map:
//   node bench/lib/callgrind-functions.mjs CALLGRIND_FILE [PERF_MAP] [--top 40] [--per 1000]
// callgrind knows no symbols for code V8 generated at run time and names each such function by its entry
// address; node's --perf-basic-prof writes /tmp/perf-PID.map (start, size, name per code object), so those
// addresses can be named. A code address can be reused after its code is freed, so the newest entry that
// covers it is taken (the measured window comes after warm-up). --per divides by the number of requests.
// Also prints how much of the window went to optimizing compilation, which a short warm-up leaves in.
import fs from 'node:fs';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const top = Number(flag('--top', '40'));
const per = Number(flag('--per', '1'));
const [file, mapFile] = args;

const names = new Map(); // "(id)" -> name, per kind (fn, ob)
function decode(kind, rest) {
  const m = /^\((\d+)\)(?: (.*))?$/.exec(rest);
  if (!m) return rest;
  const key = `${kind}${m[1]}`;
  if (m[2] !== undefined) names.set(key, m[2]);
  return names.get(key) ?? rest;
}

const self = new Map(); // "ob\tfn" -> instructions
let total = 0;
let ob = '';
let fn = '';
let skipNext = false; // the line after calls= is the call's inclusive cost, not self cost
const compileEntries = ['v8::internal::Runtime_CompileOptimized', 'v8::internal::Runtime_CompileLazy', 'v8::internal::Runtime_CompileBaseline', 'v8::internal::Runtime_InstallBaselineCode', 'v8::internal::Runtime_CompileOptimizedOSR', 'v8::internal::Runtime_StackGuardWithGap'];
let compile = 0;
let callee = '';
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  if (line.startsWith('ob=')) ob = decode('ob', line.slice(3));
  else if (line.startsWith('fn=')) fn = decode('fn', line.slice(3));
  else if (line.startsWith('cfn=')) callee = decode('fn', line.slice(4));
  else if (line.startsWith('cob=')) decode('ob', line.slice(4));
  else if (line.startsWith('calls=')) skipNext = true;
  else if (line.startsWith('summary:')) total = Number(line.slice(8));
  else if (/^[+\-*]?\d/.test(line)) {
    const cost = Number(line.trim().split(/\s+/)[1] ?? 0);
    if (skipNext) {
      skipNext = false;
      // Inclusive cost of calls into the compiler from outside it: the compilation still going on.
      if (compileEntries.some((c) => callee.startsWith(c)) && !compileEntries.some((c) => fn.startsWith(c))) compile += cost;
      continue;
    }
    const key = `${ob}\t${fn}`;
    self.set(key, (self.get(key) ?? 0) + cost);
  }
}

// perf map: "start size name", hex; later lines are newer code.
const map = [];
if (mapFile) {
  for (const l of fs.readFileSync(mapFile, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(l);
    if (m) map.push({ start: parseInt(m[1], 16), end: parseInt(m[1], 16) + parseInt(m[2], 16), name: m[3] });
  }
}
function jitName(addr) {
  for (let i = map.length - 1; i >= 0; i--) if (map[i].start <= addr && addr < map[i].end) return map[i].name;
  return undefined;
}

const byName = new Map();
for (const [key, cost] of self) {
  const [o, f] = key.split('\t');
  let name = f;
  const hex = /^0x([0-9a-f]+)$/.exec(f);
  if (hex && (o === '???' || o === '')) name = jitName(parseInt(hex[1], 16)) ?? `JIT ${f}`;
  else name = `${f} [${o.split('/').pop()}]`;
  byName.set(name, (byName.get(name) ?? 0) + cost);
}
const rows = [...byName].sort((a, b) => b[1] - a[1]);
const fmt = (n) => (per > 1 ? (n / per / 1000).toFixed(1) + 'k' : n.toLocaleString('en-US'));
console.log(`total ${fmt(total)}${per > 1 ? ' per request' : ''}; optimizing/lazy compilation (inclusive) ${fmt(compile)} = ${((100 * compile) / total).toFixed(1)}%`);
for (const [name, cost] of rows.slice(0, top)) console.log(`${fmt(cost).padStart(12)} ${((100 * cost) / total).toFixed(2).padStart(6)}%  ${name.slice(0, 150)}`);
