import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LABEL_RULES, type LabelRules } from '@confide/policy';
import { createConfide } from '@confide/server';
import { importCommand } from '../src/commands/import.ts';
import { labelRulesCommand } from '../src/commands/label-rules.ts';
import { dbOptions } from '../src/config.ts';
import { inProcessBackend, tempDir } from './support.ts';

// A practice's own label rules (CONFIDE_LABEL_RULES, docs/consent.md "Security labels"), on the backend the run
// selects (embedded PostgreSQL, or DATABASE_URL).
const backend = inProcessBackend('confide-label-rules-');
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';

beforeAll(() => backend.setup());
afterAll(() => backend.teardown());
afterEach(() => {
  delete process.env.CONFIDE_LABEL_RULES;
});

async function run(command: (argv: string[]) => Promise<number>, ...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((out += String(s)), true));
  try {
    return { code: await command(argv), out };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

function writeJson(name: string, value: unknown): string {
  const file = path.join(tempDir('confide-label-rules-file-'), name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

/** The defaults plus a practice rule: gambling problems (ICD-10-CM Z72.6) are handled as restricted. */
const practiceRules: LabelRules = {
  ...DEFAULT_LABEL_RULES,
  rules: [
    ...DEFAULT_LABEL_RULES.rules,
    {
      ...(DEFAULT_LABEL_RULES.rules.find((r) => r.id === 'sud-diagnosis-icd10cm') as Extract<LabelRules['rules'][number], { kind: 'code' }>),
      id: 'practice-gambling',
      description: 'Gambling and betting (a practice rule)',
      citation: 'Practice policy',
      ranges: undefined,
      exclude: undefined,
      codes: [{ code: 'Z72.6', display: 'Gambling and betting' }],
    },
  ],
};

const condition = (id: string) => ({ resourceType: 'Condition', id, subject: { reference: 'Patient/lr-p1' }, code: { coding: [{ system: ICD, code: 'Z72.6' }] } });

async function importAndRead(id: string): Promise<string[]> {
  const file = writeJson('bundle.json', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [{ resource: { resourceType: 'Patient', id: 'lr-p1' }, request: { method: 'PUT', url: 'Patient/lr-p1' } }, { resource: condition(id), request: { method: 'PUT', url: `Condition/${id}` } }],
  });
  const r = await run(importCommand, file, ...backend.args);
  expect(r.code, r.out).toBe(0);
  const confide = await createConfide(dbOptions({ data: backend.dataDir() }));
  try {
    const stored = JSON.parse((await confide.repo.readCurrent('Condition', id))!.json!) as { meta: { security?: { code: string }[] } };
    return (stored.meta.security ?? []).map((l) => l.code).sort();
  } finally {
    await confide.close();
  }
}

describe('a practice’s own label rules', () => {
  it('label what is written once CONFIDE_LABEL_RULES names them, and not before', async () => {
    expect(await importAndRead('lr-c1')).toEqual([]);
    process.env.CONFIDE_LABEL_RULES = writeJson('rules.json', practiceRules);
    expect(await importAndRead('lr-c2')).toEqual(['R', 'SUD']);
  });

  it('show prints the rules in force, as a table or as JSON to start an edited copy from', async () => {
    const table = await run(labelRulesCommand, 'show');
    expect(table.code).toBe(0);
    expect(table.out).toContain('sud-diagnosis-icd10cm');
    expect(table.out).not.toContain('practice-gambling');
    expect(JSON.parse((await run(labelRulesCommand, 'show', '--json')).out)).toEqual(DEFAULT_LABEL_RULES);
    process.env.CONFIDE_LABEL_RULES = writeJson('rules.json', practiceRules);
    expect((await run(labelRulesCommand, 'show')).out).toContain('practice-gambling');
  });

  it('check says whether a file can be used, naming every problem', async () => {
    const good = await run(labelRulesCommand, 'check', writeJson('good.json', practiceRules));
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/usable/);
    const broken = { ...practiceRules, rules: [...practiceRules.rules, { ...practiceRules.rules[0] }] };
    await expect(run(labelRulesCommand, 'check', writeJson('dup.json', broken))).rejects.toThrow(/duplicate id/);
    await expect(run(labelRulesCommand, 'check', writeJson('bad.json', '{ not json'))).rejects.toThrow(/cannot be read/);
    expect((await run(labelRulesCommand, 'frobnicate')).code).toBe(2);
  });

  it('a command refuses to start with rules it cannot use, rather than label with part of them', async () => {
    process.env.CONFIDE_LABEL_RULES = writeJson('v2.json', { ...practiceRules, version: 2 });
    await expect(run(importCommand, writeJson('b.json', { resourceType: 'Bundle', type: 'batch', entry: [] }), ...backend.args)).rejects.toThrow(/version must be 1/);
  });
});
