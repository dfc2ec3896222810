import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseScopes, type Actor } from '@confide/policy';
import { createConfide } from '@confide/server';
import { importCommand } from '../src/commands/import.ts';
import { relabelCommand } from '../src/commands/relabel.ts';
import { dbOptions } from '../src/config.ts';
import { inProcessBackend, tempDir } from './support.ts';

// `confide relabel` (docs/consent.md "Relabelling stored records"), in this process, on the backend the run
// selects (embedded PostgreSQL, or DATABASE_URL).
const backend = inProcessBackend('confide-relabel-');
const args = backend.args;

const DESIGNATION = { system: 'https://confide.health/fhir/CodeSystem/organization-designation', code: 'part2-program' };
const PROGRAM_TAG = 'https://confide.health/fhir/CodeSystem/part2-program';
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';

beforeAll(() => backend.setup());
afterAll(() => backend.teardown());

async function run(command: (argv: string[]) => Promise<number>, ...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((out += String(s)), true));
  try {
    return { code: await command([...argv, ...args]), out };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

function bundleFile(resources: Record<string, unknown>[]): string {
  const file = path.join(tempDir('confide-relabel-in-'), 'bundle.json');
  const entry = resources.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType as string}/${r.id as string}` } }));
  fs.writeFileSync(file, JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
  return file;
}

const program = (designated: boolean) => ({ resourceType: 'Organization', id: 'rl-program', name: 'Recovery program', ...(designated ? { meta: { tag: [DESIGNATION] } } : {}) });
const records = [
  { resourceType: 'Organization', id: 'rl-main', name: 'Main clinic' },
  program(false),
  { resourceType: 'Patient', id: 'rl-p1', managingOrganization: { reference: 'Organization/rl-main' } },
  { resourceType: 'Encounter', id: 'rl-e1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/rl-p1' }, serviceProvider: { reference: 'Organization/rl-program' } },
  { resourceType: 'Condition', id: 'rl-c1', subject: { reference: 'Patient/rl-p1' }, encounter: { reference: 'Encounter/rl-e1' }, code: { coding: [{ system: ICD, code: 'J06.9' }] } },
  { resourceType: 'Condition', id: 'rl-c2', subject: { reference: 'Patient/rl-p1' }, code: { coding: [{ system: ICD, code: 'I10' }] } },
];

/** A clinician of the main clinic, not of the program. */
const mainClinician: Actor = { kind: 'staff', userId: 'rl-doc', practitionerId: 'rl-doc', organizations: ['rl-main'], roles: ['clinician'], scopes: parseScopes('user/*.rs') };

async function stored(): Promise<{ labels: Record<string, string[]>; tags: Record<string, string[]>; versions: Record<string, string>; seen: string[] }> {
  const confide = await createConfide(dbOptions({ data: backend.dataDir() }));
  try {
    const labels: Record<string, string[]> = {};
    const tags: Record<string, string[]> = {};
    const versions: Record<string, string> = {};
    const seen: string[] = [];
    for (const [type, id] of [['Encounter', 'rl-e1'], ['Condition', 'rl-c1'], ['Condition', 'rl-c2']]) {
      const r = JSON.parse((await confide.repo.readCurrent(type, id))!.json!) as { meta: { versionId: string; security?: { code: string }[]; tag?: { system: string; code: string }[] } };
      labels[id] = (r.meta.security ?? []).map((l) => l.code).sort();
      tags[id] = (r.meta.tag ?? []).filter((t) => t.system === PROGRAM_TAG).map((t) => t.code);
      versions[id] = r.meta.versionId;
      if (await confide.repo.as(mainClinician).readVisible(type, id)) seen.push(id);
    }
    return { labels, tags, versions, seen: seen.sort() };
  } finally {
    await confide.close();
  }
}

/** The server's "relabel needed" markers (relabel_request, migration 0012). */
async function requests(): Promise<string[]> {
  const confide = await createConfide(dbOptions({ data: backend.dataDir() }));
  try {
    return (await confide.db.query<{ program: string }>('SELECT program FROM relabel_request')).rows.map((r) => r.program);
  } finally {
    await confide.close();
  }
}

describe('confide relabel', () => {
  it('labels records stored before their Organization was designated a Part 2 program; dry run and a second run change nothing', async () => {
    expect((await run(importCommand, bundleFile(records))).code).toBe(0);
    const before = await stored();
    expect(before.labels['rl-c1']).not.toContain('42CFRPart2');
    expect(before.seen).toEqual(['rl-c1', 'rl-c2', 'rl-e1']);

    // The program is designated after its records exist (the server's own work may designate; through the API
    // only the privacy officer may): the records keep their old labels until relabelled.
    expect((await run(importCommand, bundleFile([program(true)]))).code).toBe(0);
    expect((await stored()).labels).toEqual(before.labels);
    // The designation asked for a relabel (a server that is not running does not do it; the next start would).
    expect(await requests()).toEqual(['Organization/rl-program']);

    const dry = await run(relabelCommand, '--dry-run');
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toMatch(/would be relabelled \(dry run/);
    expect(dry.out).toMatch(/Encounter: 1 of 1/);
    expect(await stored()).toEqual(before);

    const done = await run(relabelCommand);
    expect(done.code, done.out).toBe(0);
    expect(done.out).toMatch(/^2 of \d+ resources relabelled/);
    expect(done.out).toMatch(/Encounter: 1 of 1/);
    expect(done.out).toMatch(/Condition: 1 of 2/);
    expect(await requests()).toEqual([]);
    const after = await stored();
    for (const id of ['rl-e1', 'rl-c1']) {
      expect(after.labels[id]).toEqual(expect.arrayContaining(['42CFRPart2', 'NORDSCLCD', 'R']));
      expect(after.tags[id]).toEqual(['Organization/rl-program']);
      expect(after.versions[id]).toBe(String(Number(before.versions[id]) + 1));
    }
    // Unrelated records are not written again.
    expect(after.labels['rl-c2']).toEqual(before.labels['rl-c2']);
    expect(after.versions['rl-c2']).toBe(before.versions['rl-c2']);
    // Segmented now: a main-clinic clinician without the patient's consent no longer sees the program's records.
    expect(after.seen).toEqual(['rl-c2']);

    const again = await run(relabelCommand, '--type', 'Condition,Encounter');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/^0 of 3 resources relabelled/);
    expect(await stored()).toEqual(after);
  });

  it('a designation stored by a command is relabelled by the next server start', async () => {
    const prog = (designated: boolean) => ({ ...program(designated), id: 'rl-program2' });
    const visit = { resourceType: 'Encounter', id: 'rl-e2', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/rl-p1' }, serviceProvider: { reference: 'Organization/rl-program2' } };
    expect((await run(importCommand, bundleFile([prog(false), visit]))).code).toBe(0);
    expect((await run(importCommand, bundleFile([prog(true)]))).code).toBe(0);
    expect(await requests()).toEqual(['Organization/rl-program2']);
    const confide = await createConfide(dbOptions({ data: backend.dataDir() }));
    try {
      await confide.listen(0, '127.0.0.1');
      let labels: string[] = [];
      for (let i = 0; i < 100 && !labels.includes('42CFRPart2'); i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        labels = ((JSON.parse((await confide.repo.readCurrent('Encounter', 'rl-e2'))!.json!) as { meta: { security?: { code: string }[] } }).meta.security ?? []).map((l) => l.code);
      }
      expect(labels).toContain('42CFRPart2');
      // The run ends after its last page (a close before that would leave the request for the next start).
      let left = 1;
      for (let i = 0; i < 100 && left > 0; i++) {
        if (i) await new Promise((r) => setTimeout(r, 100));
        left = (await confide.db.query('SELECT 1 FROM relabel_request')).rows.length;
      }
      expect(left).toBe(0);
    } finally {
      await confide.close();
    }
  });

  it('refuses an unknown type', async () => {
    await expect(relabelCommand(['--type', 'Nonsense', ...args])).rejects.toThrow(/Unknown resource type: Nonsense/);
  });
});
