// CPU per audit record of the audit log's append (docs/benchmarks.md, session 5), in this process and in the
// PostgreSQL backends of a scratch database, from /proc: records of `--entities` resources each (a folded read
// names up to 200; a search names 1–2), written `--per-flush` at a time as the background flush does.
// node --import tsx bench/audit-append.ts [--entities 80] [--per-flush 20] [--flushes 60]
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { AuditLog, migrate, openDb } from '@confide/store';
import { buildAuditEvent, type AuditInput } from '../packages/server/src/audit/audit-event.ts';
import { createScratchDb } from './lib/scratch-db.ts';

const { values } = parseArgs({ options: { entities: { type: 'string', default: '80' }, 'per-flush': { type: 'string', default: '20' }, flushes: { type: 'string', default: '60' } } });
const entities = Number(values.entities);
const perFlush = Number(values['per-flush']);
const flushes = Number(values.flushes);

/** CPU ticks (1/100 s) of the PostgreSQL backends serving `database`. */
function backendTicks(database: string): number {
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended while we looked
    }
  }
  return ticks;
}

const event = () =>
  buildAuditEvent({
    kind: 'rest',
    interaction: 'read',
    actor: { kind: 'staff', username: 'clin1', fhirUser: 'Practitioner/d1', clientId: 'confide-web', purposeOfUse: 'TREAT' },
    remoteAddress: '127.0.0.1',
    outcome: { status: 200 },
    resources: Array.from({ length: entities }, () => `Observation/${randomUUID()}`),
    patients: [randomUUID(), randomUUID()],
    recorded: new Date(),
  } as AuditInput);

const scratch = await createScratchDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'audit_append');
const database = new URL(scratch.url).pathname.slice(1);
const db = await openDb({ databaseUrl: scratch.url });
try {
  await migrate(db);
  const log = new AuditLog(db, { flushMs: 1e9 });
  const write = async (events: ReturnType<typeof event>[]) => {
    for (let i = 0; i < events.length; i += perFlush) {
      for (const e of events.slice(i, i + perFlush)) log.record(e);
      await log.flush();
    }
  };
  await write(Array.from({ length: 10 * perFlush }, event)); // warm-up
  const events = Array.from({ length: flushes * perFlush }, event);
  const cpu0 = process.cpuUsage();
  const pg0 = backendTicks(database);
  await write(events);
  await new Promise((r) => setTimeout(r, 300)); // let /proc catch up
  const cpu = process.cpuUsage(cpu0);
  const pg = (backendTicks(database) - pg0) * 10_000;
  const n = events.length;
  console.log(`${entities} entities, ${perFlush} per flush, ${n} records: Node ${((cpu.user + cpu.system) / n).toFixed(0)} µs/record, PostgreSQL ${(pg / n).toFixed(0)} µs/record`);
  await log.close();
} finally {
  await db.close();
  await scratch.drop();
}
