import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../../packages/store/test/support.ts';
import { killHard, runConfide, startConfide, tempDir, tokenFor } from './support.ts';

const pgUrl = process.env.DATABASE_URL;
let env: Record<string, string | undefined> = {};
let args: string[] = [];
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (pgUrl) {
    const scratch = await createScratchDatabase(pgUrl);
    env = { DATABASE_URL: scratch.url };
    drop = scratch.drop;
  } else {
    env = { DATABASE_URL: '' };
    args = ['--data', tempDir('confide-durability-')];
  }
});
afterAll(async () => {
  await drop?.();
});

const SYSTEM = { client: 'confide-cli', scope: 'system/*.cruds' };

async function post(base: string, body: object, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/Observation`, {
    method: 'POST',
    headers: { 'content-type': 'application/fhir+json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { id: string; meta: { versionId: string } } };
}

describe('a restart after kill -9', () => {
  it('finds every acknowledged write', async () => {
    const first = await startConfide([...args, '--no-demo'], env);
    const auth = await tokenFor(first, SYSTEM, args, env);
    const acknowledged: { id: string; value: number }[] = [];
    let stop = false;
    // Four writers keep writing while the process is killed; only answered writes count as acknowledged.
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const value = w * 100_000 + i;
        try {
          const r = await post(first.base, { resourceType: 'Observation', status: 'final', code: { text: 'durability' }, valueInteger: value }, auth);
          if (r.status === 201) acknowledged.push({ id: r.json.id, value });
        } catch {
          return; // connection cut by the kill
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 20));
    await killHard(first);
    stop = true;
    await Promise.all(writers);

    const second = await startConfide([...args, '--no-demo'], env);
    try {
      const auth2 = await tokenFor(second, SYSTEM, args, env);
      for (const a of acknowledged) {
        const res = await fetch(`${second.base}/Observation/${a.id}`, { headers: auth2 });
        expect(res.status, a.id).toBe(200);
        const body = (await res.json()) as { valueInteger: number };
        expect(body.valueInteger).toBe(a.value);
      }
    } finally {
      await killHard(second);
    }
  });

  it.skipIf(!!pgUrl)('refuses to open an embedded data folder that another process has open', async () => {
    const dir = tempDir('confide-lock-');
    const first = await startConfide(['--data', dir, '--no-demo'], { DATABASE_URL: '' });
    try {
      const second = await runConfide(['start', '--port', '0', '--data', dir, '--no-demo'], { DATABASE_URL: '' });
      expect(second.code).not.toBe(0);
      expect(second.out).toMatch(/in use by another Confide process \(pid \d+\)/);
      // The first one still works (and still answers its operator socket).
      const auth = await tokenFor(first, SYSTEM, ['--data', dir], { DATABASE_URL: '' });
      const r = await post(first.base, { resourceType: 'Observation', status: 'final', code: { text: 'still fine' } }, auth);
      expect(r.status).toBe(201);
    } finally {
      await killHard(first);
    }
    // After the owner died, the stale lock is taken over.
    const third = await startConfide(['--data', dir, '--no-demo'], { DATABASE_URL: '' });
    await killHard(third);
  });
});
