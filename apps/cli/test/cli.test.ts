import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../../packages/store/test/support.ts';
import { killHard, runConfide, startConfide, tempDir, tokenFor } from './support.ts';

/** Each backend gets two empty databases: `a` is seeded and exported, `b` imports what `a` exported. */
interface Target {
  args: string[];
  env: Record<string, string | undefined>;
}
const pgUrl = process.env.DATABASE_URL;
const drops: (() => Promise<void>)[] = [];
let a: Target;
let b: Target;

async function target(): Promise<Target> {
  if (!pgUrl) return { args: ['--data', tempDir('confide-cli-')], env: { DATABASE_URL: '' } };
  const scratch = await createScratchDatabase(pgUrl, false);
  drops.push(scratch.drop);
  return { args: [], env: { DATABASE_URL: scratch.url } };
}

beforeAll(async () => {
  a = await target();
  b = await target();
});
afterAll(async () => {
  for (const d of drops) await d();
});

function countLines(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ndjson'))) {
    out[f.replace('.ndjson', '')] = fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).length;
  }
  return out;
}

describe('the confide command', () => {
  it('prints usage, and refuses an unknown command', async () => {
    const help = await runConfide(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: confide <command>/);
    const bad = await runConfide(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/Unknown command: frobnicate/);
  });

  it('migrates, seeds a demo practice, exports NDJSON, and imports it into another database', async () => {
    const m = await runConfide(['migrate', ...a.args], a.env);
    expect(m.code, m.out).toBe(0);
    expect(m.out).toMatch(/Migrated .* from schema 0 to \d+/);
    const again = await runConfide(['migrate', ...a.args], a.env);
    expect(again.out).toMatch(/up to date/);

    const seed = await runConfide(['seed', '--patients', '3', ...a.args], a.env);
    expect(seed.code, seed.out).toBe(0);
    expect(seed.out).toMatch(/Demo practice .*100%/);

    const out = tempDir('confide-export-');
    const exp = await runConfide(['export', '--out', out, ...a.args], a.env);
    expect(exp.code, exp.out).toBe(0);
    const exported = countLines(out);
    expect(exported.Patient).toBe(3);
    expect(exported.Practitioner).toBeGreaterThan(3);
    expect(exported.Observation).toBeGreaterThan(10);

    // --as: what one clinician may see, through the same access path as the API's $export (docs/bulk-export.md).
    const mine = tempDir('confide-export-as-');
    const asUser = await runConfide(['export', '--out', mine, '--as', 'efoster', '--type', 'Patient,Composition,Condition,Observation', ...a.args], a.env);
    expect(asUser.code, asUser.out).toBe(0);
    expect(asUser.out).toMatch(/visible to efoster/);
    const seen = countLines(mine);
    for (const [type, n] of Object.entries(seen)) if (type !== 'OperationOutcome') expect(n, type).toBeLessThanOrEqual(exported[type]);
    const efoster = 'Practitioner/' + (await import('@confide/demo')).demoStaff.find((s) => s.username === 'efoster')!.practitionerId;
    const lines = (dir: string, type: string) => (fs.existsSync(path.join(dir, `${type}.ndjson`)) ? fs.readFileSync(path.join(dir, `${type}.ndjson`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
    const psy = (c: any) => (c.meta?.security ?? []).some((l: any) => l.code === 'PSYTHPN');
    // Psychotherapy notes of other authors are not in it (the full export has them all).
    for (const c of lines(mine, 'Composition').filter(psy)) expect(c.author.map((x: any) => x.reference)).toContain(efoster);
    const part2 = ['Patient', 'Composition', 'Condition', 'Observation'].some((t) => lines(mine, t).some((c: any) => (c.meta?.security ?? []).some((l: any) => l.code === '42CFRPart2')));
    // OperationOutcome.ndjson: the 2.32 notice exactly when Part 2 records are in it, and otherwise only
    // "withheld by consent" outcomes (one per patient).
    const outcomes = lines(mine, 'OperationOutcome').flatMap((o: any) => o.issue);
    expect(outcomes.some((i: any) => i.details?.coding?.[0]?.code === 'NORDSCLCD')).toBe(part2);
    for (const i of outcomes.filter((x: any) => x.details?.coding?.[0]?.code !== 'NORDSCLCD')) expect(i.code).toBe('suppressed');
    const nobody = await runConfide(['export', '--out', mine, '--as', 'nobody', ...a.args], a.env);
    expect(nobody.code).not.toBe(0);

    const imp = await runConfide(['import', out, ...b.args], b.env);
    expect(imp.code, imp.out).toBe(0);
    const total = Object.values(exported).reduce((x, y) => x + y, 0);
    expect(imp.out).toContain(`Imported ${total.toLocaleString('en-US')} resources`);

    const out2 = tempDir('confide-export-');
    await runConfide(['export', '--out', out2, ...b.args], b.env);
    expect(countLines(out2)).toEqual(exported);
    // Ids survive the round trip, and the content is the same but for meta.versionId/lastUpdated.
    const strip = (l: string) => {
      const r = JSON.parse(l);
      delete r.meta.versionId;
      delete r.meta.lastUpdated;
      return r;
    };
    const p1 = fs.readFileSync(path.join(out, 'Patient.ndjson'), 'utf8').split('\n').filter(Boolean).map(strip);
    const p2 = fs.readFileSync(path.join(out2, 'Patient.ndjson'), 'utf8').split('\n').filter(Boolean).map(strip);
    expect(p2).toEqual(p1);

    // Re-importing is idempotent: resources keep their ids (PUT), only versions move on.
    const again2 = await runConfide(['import', path.join(out, 'Patient.ndjson'), ...b.args], b.env);
    expect(again2.code).toBe(0);
    const out3 = tempDir('confide-export-');
    await runConfide(['export', '--out', out3, '--type', 'Patient', ...b.args], b.env);
    expect(countLines(out3).Patient).toBe(3);
  }, 300_000);

  it('reports a bad import file clearly and imports nothing from it', async () => {
    const dir = tempDir('confide-bad-');
    const file = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(file, JSON.stringify({ resourceType: 'Patient', id: 'ok-1' }) + '\n' + JSON.stringify({ resourceType: 'Patient', id: 'bad-1', gender: 'robot' }) + '\n');
    const r = await runConfide(['import', file, ...b.args], b.env);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/bad\.ndjson/);
    expect(r.out).toMatch(/Bundle\.entry\[1\]\.resource\.gender/);
    const check = tempDir('confide-check-');
    await runConfide(['export', '--out', check, '--type', 'Patient', ...b.args], b.env);
    const patients = fs.existsSync(path.join(check, 'Patient.ndjson')) ? fs.readFileSync(path.join(check, 'Patient.ndjson'), 'utf8') : '';
    expect(patients).not.toContain('"ok-1"');
    const missing = await runConfide(['import', path.join(dir, 'nope.json'), ...b.args], b.env);
    expect(missing.code).toBe(1);
  }, 120_000);

  it.skipIf(!!pgUrl)('start loads the demo practice on first run only, then serves it', async () => {
    const dir = tempDir('confide-first-run-');
    const first = await startConfide(['--data', dir], { DATABASE_URL: '' });
    try {
      expect(first.output()).toMatch(/First run: loading the demo practice/);
      expect(first.output()).toMatch(/Administrator account created: user "admin", first password: \S{12,}/);
      expect(first.output()).toMatch(/password confide-demo-2026/);
      expect((await fetch(`${first.base}/Patient?_count=0`)).status).toBe(401);
      // A demo clinician (through the running server's operator socket) sees the practice's patients.
      const auth = await tokenFor(first, { user: 'schen' }, ['--data', dir], { DATABASE_URL: '' });
      const res = await fetch(`${first.base}/Patient?_total=accurate&_count=0`, { headers: auth });
      const bundle = (await res.json()) as { total: number };
      expect(bundle.total).toBe(100);
    } finally {
      await killHard(first);
    }
    const second = await startConfide(['--data', dir], { DATABASE_URL: '' });
    try {
      expect(second.output()).not.toMatch(/First run/);
      expect(second.output()).not.toMatch(/Administrator account created/);
    } finally {
      await killHard(second);
    }
  }, 300_000);
});
