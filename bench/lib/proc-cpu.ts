import fs from 'node:fs';

// Where the two cores went during a measured window, from /proc (Linux only; elsewhere the figures are null).
const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

export interface CpuSnapshot {
  at: number;
  machineBusy: number;
  machineTotal: number;
  server: number;
  loadGenerator: number;
  /** Ticks per PostgreSQL server process (postmaster, backends, background workers). */
  postgres: Map<number, number>;
}

/** CPU used in the window, in cores (1.0 = one core fully busy for the whole window). */
export interface CpuUse {
  machineBusyPct: number;
  serverCores: number;
  postgresCores: number;
  loadGeneratorCores: number;
  /** Everything else on the machine (other users' processes, the kernel): busy cores not accounted above. */
  otherCores: number;
}

function processTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return undefined; // no such process (any more)
  }
}

// A client backend's title is `postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE`, e.g.
// `postgres: 15/main: postgres test 127.0.0.1(42192) idle`; background processes have other titles.
const CLIENT_BACKEND = /^postgres: (?:[^:]+: )?\S+ (\S+) (?:\[local\]|[0-9a-f.:]+\(\d+\))/;

/**
 * Ticks of the PostgreSQL processes that work for `database`: its client backends and the shared
 * background processes (WAL writer, checkpointer, autovacuum...). Backends of other databases (other
 * people's test runs on the same server) are left out; they show up as "other".
 */
function postgresTicks(database: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== 'postgres') continue;
      const title = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const backend = CLIENT_BACKEND.exec(title);
      if (backend && backend[1] !== database) continue;
    } catch {
      continue; // the process ended while we looked
    }
    const ticks = processTicks(Number(name));
    if (ticks !== undefined) out.set(Number(name), ticks);
  }
  return out;
}

/**
 * A process and its children (`confide start --workers N`: the primary and its worker processes). A child that
 * exited in the window is missed; the bench starts its workers before measuring and none exits on purpose.
 */
function processTreeTicks(pid: number): number | undefined {
  const own = processTicks(pid);
  if (own === undefined) return undefined;
  let sum = own;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) sum += Number(fields[11]) + Number(fields[12]); // ppid, utime + stime
    } catch {
      // the process ended while we looked
    }
  }
  return sum;
}

/** `database`: the PostgreSQL database the measurement uses (none for PGlite). */
export function cpuSnapshot(serverPid: number, loadGeneratorPid: number, database?: string): CpuSnapshot | null {
  if (!fs.existsSync('/proc/stat')) return null;
  const machine = machineTicks();
  return {
    at: performance.now(),
    machineBusy: machine.busy,
    machineTotal: machine.total,
    server: processTreeTicks(serverPid) ?? 0,
    loadGenerator: processTicks(loadGeneratorPid) ?? 0,
    postgres: database ? postgresTicks(database) : new Map(),
  };
}

export function cpuUse(a: CpuSnapshot | null, b: CpuSnapshot | null): CpuUse | null {
  if (!a || !b) return null;
  const seconds = (b.at - a.at) / 1000;
  const cores = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100) / 100;
  let pg = 0;
  // A process that ended in between is missing from b; a pid reused in between would go backwards.
  for (const [pid, t] of b.postgres) pg += Math.max(0, t - (a.postgres.get(pid) ?? 0));
  const server = b.server - a.server;
  const loadGenerator = b.loadGenerator - a.loadGenerator;
  const busy = b.machineBusy - a.machineBusy;
  return {
    machineBusyPct: Math.round((busy / Math.max(1, b.machineTotal - a.machineTotal)) * 100),
    serverCores: cores(server),
    postgresCores: cores(pg),
    loadGeneratorCores: cores(loadGenerator),
    otherCores: Math.max(0, cores(busy - server - pg - loadGenerator)),
  };
}

function machineTicks(): { busy: number; total: number } {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((x, y) => x + y, 0); // user..steal
  return { busy: total - cpu[3] - cpu[4], total }; // minus idle and iowait
}

/**
 * Waits (up to `maxSeconds`) until the machine has been mostly idle for a second, so that a measurement
 * does not start while other work (a test run, a compiler) holds the cores. Returns the busy % last seen.
 */
export async function waitForQuiet(maxSeconds: number, busyBelowPct = 15): Promise<number> {
  if (!fs.existsSync('/proc/stat')) return 0;
  const deadline = Date.now() + maxSeconds * 1000;
  for (;;) {
    const a = machineTicks();
    await new Promise((r) => setTimeout(r, 1000));
    const b = machineTicks();
    const pct = Math.round(((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100);
    if (pct < busyBelowPct || Date.now() >= deadline) return pct;
  }
}
