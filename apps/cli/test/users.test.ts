import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createScratchDatabase } from '../../../packages/store/test/support.ts';
import { usersCommand } from '../src/commands/users.ts';
import { tempDir } from './support.ts';

// Runs the command in this process (each call opens and closes the database, as the binary does).
const pgUrl = process.env.DATABASE_URL;
let args: string[] = [];
let drop: (() => Promise<void>) | undefined;
const savedUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  if (pgUrl) {
    const scratch = await createScratchDatabase(pgUrl, false);
    drop = scratch.drop;
    process.env.DATABASE_URL = scratch.url;
  } else {
    args = ['--data', tempDir('confide-users-')];
  }
});
afterAll(async () => {
  process.env.DATABASE_URL = savedUrl;
  await drop?.();
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await usersCommand([...argv, ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('confide users', () => {
  it('adds, lists, changes roles, resets, disables; refuses bad input with a message', async () => {
    const add = await run('add', 'Nurse.Joy', '--kind', 'staff', '--fhir-user', 'Practitioner/pr-joy', '--role', 'clinician', '--org', 'org1');
    expect(add.code, add.err).toBe(0);
    expect(add.out).toMatch(/Created staff user nurse\.joy \(Practitioner\/pr-joy\)/);
    const password = /^ {4}(\S+)$/m.exec(add.out)?.[1];
    expect(password).toMatch(/^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);

    const patient = await run('add', 'maya', '--kind', 'patient', '--fhir-user', 'Patient/p1', '--display', 'Maya T');
    expect(patient.code, patient.err).toBe(0);

    const list = await run('list');
    expect(list.out).toMatch(/nurse\.joy\s+staff\s+Practitioner\/pr-joy\s+clinician\s+org1\s+must change password\s+required/);
    expect(list.out).toMatch(/maya\s+patient\s+Patient\/p1\s+-\s+-\s+must change password\s+off/);
    expect(list.out).not.toContain(password);

    expect((await run('roles', 'nurse.joy', 'clinician,auditor')).out).toContain('Roles of nurse.joy: clinician, auditor.');
    const reset = await run('reset', 'NURSE.JOY', '--mfa');
    expect(reset.code).toBe(0);
    const second = /^ {4}(\S+)$/m.exec(reset.out)?.[1];
    expect(second).toBeDefined();
    expect(second).not.toBe(password);
    expect(reset.out).toContain('Removed their authenticator app');
    expect((await run('disable', 'nurse.joy')).out).toContain('Disabled nurse.joy');

    const badRole = await run('roles', 'nurse.joy', 'root');
    expect(badRole.code).toBe(1);
    expect(badRole.err).toMatch(/Unknown role "root"/);
    const dup = await run('add', 'nurse.joy', '--kind', 'staff');
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/already exists/);
    const ghost = await run('disable', 'ghost');
    expect(ghost.code).toBe(1);
    expect(ghost.err).toMatch(/No such user: ghost/);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('add', 'nokind')).code).toBe(2);
  });
});
