import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConfide, startConfide, tempDir, tokenFor, type Running } from './support.ts';

/**
 * `confide start --workers N` (docs/architecture.md "Worker processes"): worker processes that share the port on
 * PostgreSQL, replaced when one dies, stopped together; refused on the embedded database.
 */

/** Pids of the processes whose parent is `pid` (Linux /proc). */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone while we looked
    }
  }
  return out.sort();
}

/** One GET on a new TCP connection (the cluster hands each new connection to the next worker). */
function getFresh(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { ...headers, accept: 'application/fhir+json' }, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('confide start --workers', () => {
  it('refuses a count that is not a whole number from 1 to 64', async () => {
    for (const n of ['0', '1.5', 'two', '65']) {
      const r = await runConfide(['start', '--port', '0', '--workers', n, '--data', tempDir('confide-workers-')]);
      expect(r.code, r.out).not.toBe(0);
      expect(r.out).toContain(`Invalid --workers: ${n}`);
    }
  });

  it('refuses the embedded database, which lives inside one process', async () => {
    const r = await runConfide(['start', '--port', '0', '--workers', '2', '--data', tempDir('confide-workers-')], { DATABASE_URL: '' });
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toContain('--workers needs PostgreSQL (DATABASE_URL)');
  });
});

describe.skipIf(!process.env.DATABASE_URL)('confide start --workers 2 on PostgreSQL', () => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let running: Running;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const { createScratchDatabase } = await import('../../../packages/store/test/support.ts');
    const scratch = await createScratchDatabase(process.env.DATABASE_URL!, false);
    drop = scratch.drop;
    env = { DATABASE_URL: scratch.url };
    running = await startConfide(['--workers', '2', '--no-demo'], env);
    auth = await tokenFor(running, { client: 'confide-cli', scope: 'system/*.cruds' }, [], env);
  });
  afterAll(async () => {
    if (running?.child.exitCode === null) running.child.kill('SIGKILL');
    await drop?.();
  });

  it('serves from two worker processes, and a write made through one is read through both', async () => {
    expect(running.output()).toContain('2 worker processes');
    const pid = running.child.pid!;
    await until('two workers', () => children(pid).length === 2);
    const created = await fetch(`${running.base}/Patient`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Worker' }] }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    for (let i = 0; i < 6; i++) {
      const r = await getFresh(`${running.base}/Patient/${id}`, auth);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).name[0].family).toBe('Worker');
    }
  });

  it('replaces a worker that dies, and keeps serving', async () => {
    const pid = running.child.pid!;
    const before = children(pid);
    expect(before).toHaveLength(2);
    process.kill(before[0], 'SIGKILL');
    await until('a replacement worker', () => {
      const now = children(pid);
      return now.length === 2 && !now.includes(before[0]);
    });
    expect(running.output()).toMatch(/worker \d+ exited \(SIGKILL\); starting another/);
    // The replacement listens shortly after it appears; every new connection is answered.
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 4; i++) expect((await getFresh(`${running.base}/metadata`, auth)).status).toBe(200);
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    const pid = running.child.pid!;
    const workers = children(pid);
    const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
    running.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const w of workers) expect(fs.existsSync(`/proc/${w}`)).toBe(false);
  });
});
