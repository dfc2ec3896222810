import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { AuditLog, openDb, type OpenDbOptions } from '@confide/store';
import { createScratchDatabase } from '../../../packages/store/test/support.ts';
import { runConfide, tempDir } from './support.ts';

const pgUrl = process.env.DATABASE_URL;
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

function event(n: number): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
    action: 'R',
    recorded: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    outcome: '0',
    agent: [{ requestor: true, who: { display: 'alice' }, altId: 'alice' }],
    source: { observer: { display: 'Confide' } },
    entity: [
      { what: { reference: 'Patient/p-1' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } },
      { what: { reference: `Observation/o-${n}` } },
    ],
  };
}

describe('confide audit', () => {
  it('verify exits 0 on an intact trail and 1 after tampering; list shows the events', async () => {
    let args: string[] = [];
    let env: Record<string, string | undefined>;
    let open: OpenDbOptions;
    if (pgUrl) {
      const scratch = await createScratchDatabase(pgUrl, false);
      drops.push(scratch.drop);
      env = { DATABASE_URL: scratch.url };
      open = { databaseUrl: scratch.url };
    } else {
      const dir = tempDir('confide-audit-');
      args = ['--data', dir];
      env = { DATABASE_URL: '' };
      open = { dataDir: dir, durability: 'relaxed' };
    }
    const m = await runConfide(['migrate', ...args], env);
    expect(m.code, m.out).toBe(0);

    let db = await openDb(open);
    await new AuditLog(db).append([event(1), event(2), event(3)]);
    await db.close();

    const ok = await runConfide(['audit', 'verify', ...args], env);
    expect(ok.out).toMatch(/Audit trail intact: 3 events, head #3 sha256 [0-9a-f]{64}/);
    expect(ok.code).toBe(0);

    const list = await runConfide(['audit', 'list', '--patient', 'p-1', '--user', 'alice', '--limit', '2', ...args], env);
    expect(list.code, list.out).toBe(0);
    const lines = list.out.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+USER\s+ACTION\s+OUTCOME\s+PATIENT\s+WHAT$/);
    expect(lines[1]).toMatch(/^2026-01-01 00:00:03\s+alice\s+R\s+ok\s+p-1\s+read Observation\/o-3$/);
    expect(lines[2]).toMatch(/00:00:02/);
    expect(lines[3]).toMatch(/^2 events \(more/);

    db = await openDb(open);
    await db.exec(`ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL;
      UPDATE "AuditEvent" SET content = replace(content, 'o-2', 'o-9') WHERE seq = 2;
      ALTER TABLE "AuditEvent" ENABLE TRIGGER ALL;`);
    await db.close();

    const broken = await runConfide(['audit', 'verify', ...args], env);
    expect(broken.out).toMatch(/#2: the stored hash does not match/);
    expect(broken.out).toMatch(/Audit trail BROKEN: 1 problem\(s\) in 3 events/);
    expect(broken.code).toBe(1);

    const bad = await runConfide(['audit', 'frobnicate', ...args], env);
    expect(bad.code).toBe(2);
  }, 180_000);
});
