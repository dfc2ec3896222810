import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { parseSearchRequest } from '@confide/fhir';
import {
  AUDIT_GENESIS_HASH,
  AuditLog,
  Repository,
  auditHash,
  executeSearch,
  flushWrites,
  migrate,
  noIndexer,
  migrations,
  searchIndexer,
  LABELS_COLUMN,
  type SearchIndexer,
  verifyAuditChain,
  type Db,
  type PendingWrite,
  type Queryable,
} from '../src/index.ts';
import { scratchDb } from './support.ts';

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  const s = await scratchDb();
  db = s.db;
  close = s.close;
  await migrate(db);
});
afterAll(async () => {
  await close?.();
});

/** What a superuser could do: empty the trail and reset the head, so that each test starts a new chain. */
async function resetTrail(): Promise<void> {
  await db.exec(`
    ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL;
    ALTER TABLE audit_chain_head DISABLE TRIGGER ALL;
    DELETE FROM "AuditEvent";
    UPDATE audit_chain_head SET seq = 0, hash = '${AUDIT_GENESIS_HASH}';
    ALTER TABLE "AuditEvent" ENABLE TRIGGER ALL;
    ALTER TABLE audit_chain_head ENABLE TRIGGER ALL;`);
}

/** Runs SQL with the audit triggers disabled, as a superuser tampering with the trail would. */
async function tamper(sql: string): Promise<void> {
  await db.exec(`ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL; ALTER TABLE audit_chain_head DISABLE TRIGGER ALL; ${sql};
    ALTER TABLE "AuditEvent" ENABLE TRIGGER ALL; ALTER TABLE audit_chain_head ENABLE TRIGGER ALL;`);
}

beforeEach(async () => {
  await resetTrail();
});

function event(n: number, over: Partial<AuditEvent> = {}): AuditEvent {
  const patient = `p-${n % 3}`;
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
    action: 'R',
    recorded: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    outcome: '0',
    agent: [
      {
        requestor: true,
        who: { reference: `Practitioner/pr-${n % 2}`, display: n % 2 ? 'bob' : 'alice' },
        altId: n % 2 ? 'bob' : 'alice',
        network: { address: '10.0.0.1', type: '2' },
      },
    ],
    source: { observer: { display: 'Confide' } },
    entity: [
      { what: { reference: `Patient/${patient}` }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } },
      { what: { reference: `Observation/o-${n}` } },
    ],
    ...over,
  };
}

async function rows(): Promise<{ seq: number; id: string; prev_hash: string; hash: string; content: string }[]> {
  const r = await db.query<{ seq: string; id: string; prev_hash: string; hash: string; content: string }>(
    'SELECT seq, id, prev_hash, hash, content FROM "AuditEvent" ORDER BY seq',
  );
  return r.rows.map((x) => ({ ...x, seq: Number(x.seq) }));
}

/** A Db that counts transactions and the SQL statements run in them. */
function counting(inner: Db): Db & { transactions: number; statements: string[] } {
  const out = {
    kind: inner.kind,
    transactions: 0,
    statements: [] as string[],
    query: inner.query.bind(inner),
    exec: inner.exec.bind(inner),
    stream: inner.stream.bind(inner),
    close: inner.close.bind(inner),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      out.transactions++;
      return inner.transaction((tx) =>
        fn({
          query: (sql, params, name) => {
            out.statements.push(sql);
            return tx.query(sql, params, name);
          },
          exec: (sql) => tx.exec(sql),
        }),
      );
    },
  } as Db & { transactions: number; statements: string[] };
  return out;
}

describe('AuditLog', () => {
  it('appends events to a hash chain that verifies', async () => {
    const log = new AuditLog(db);
    const stored = await log.append([event(1), event(2), event(3, { recorded: undefined as unknown as string })]);
    expect(stored.map((e) => e.meta?.versionId)).toEqual(['1', '1', '1']);
    expect(new Set(stored.map((e) => e.id)).size).toBe(3);
    expect(stored[2].recorded).toBe(stored[2].meta?.lastUpdated);

    const r = await rows();
    expect(r.map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(r[0].prev_hash).toBe(AUDIT_GENESIS_HASH);
    for (let i = 0; i < r.length; i++) {
      expect(r[i].hash).toBe(auditHash(r[i].prev_hash, r[i].seq, r[i].content));
      if (i > 0) expect(r[i].prev_hash).toBe(r[i - 1].hash);
      expect(JSON.parse(r[i].content)).toEqual(stored[i]);
    }
    const report = await verifyAuditChain(db, { batchSize: 2 });
    expect(report).toMatchObject({ ok: true, count: 3, headSeq: 3, headHash: r[2].hash, problems: [] });
    await log.close();
  });

  it('appends more events in one call than one statement carries, as one chain in one transaction', async () => {
    const counted = counting(db);
    const logOnCounted = new AuditLog(counted);
    const events = Array.from({ length: 2500 }, (_, i) => event(i + 1));
    const stored = await counted.transaction((tx) => logOnCounted.append(events, tx));
    expect(counted.transactions).toBe(1);
    expect(counted.statements.filter((sql) => sql.startsWith('INSERT INTO "AuditEvent"'))).toHaveLength(3);
    const r = await rows();
    expect(r.map((x) => x.id)).toEqual(stored.map((e) => e.id));
    expect(r.map((x) => x.seq)).toEqual(events.map((_, i) => i + 1));
    expect(await verifyAuditChain(db, { batchSize: 700 })).toMatchObject({ ok: true, count: 2500, headSeq: 2500 });
    await logOnCounted.close();
  });

  it('verifies an empty trail', async () => {
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 0, headSeq: 0, headHash: AUDIT_GENESIS_HASH });
  });

  it('keeps one contiguous chain under many concurrent record() and append() calls, in few transactions', async () => {
    const c = counting(db);
    const errors: unknown[] = [];
    const log = new AuditLog(c, { flushMs: 5, maxBatch: 300, onError: (e) => errors.push(e) });
    const durable: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      log.record(event(i));
      if (i % 100 === 0) durable.push(log.append([event(10_000 + i)]));
      if (i % 250 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(log.pending).toBeGreaterThan(0);
    await Promise.all(durable);
    await log.flush();
    expect(log.pending).toBe(0);
    expect(errors).toEqual([]);
    const r = await rows();
    expect(r).toHaveLength(1010);
    expect(r.map((x) => x.seq)).toEqual(Array.from({ length: 1010 }, (_, i) => i + 1));
    // 1,000 recorded events went in a handful of batches (plus one transaction per durable append).
    expect(c.transactions - 10).toBeLessThanOrEqual(10);
    expect(c.transactions - 10).toBeGreaterThanOrEqual(4);
    expect(await verifyAuditChain(db, { batchSize: 128 })).toMatchObject({ ok: true, count: 1010, headSeq: 1010 });
    await log.close();
  });

  it('writes a steady trickle of events once per flush interval, not back to back as they arrive', async () => {
    // A busy server records an event every millisecond or so, and each write takes a while (here at least 60 ms).
    // Events that arrive while a batch is being written wait for the next interval: batches start at least
    // flushMs apart. (Draining until the queue was empty started the next write as soon as one committed.)
    const starts: number[] = [];
    const slow: Db = {
      ...counting(db),
      transaction: (fn) => {
        starts.push(Date.now());
        return db.transaction(async (tx) => {
          const r = await fn(tx);
          await new Promise((res) => setTimeout(res, 60));
          return r;
        });
      },
    };
    const log = new AuditLog(slow, { flushMs: 100 });
    log.record(event(0));
    await log.flush(); // warm-up: the first write loads the indexer and plans the statement
    starts.length = 0;
    const started = Date.now();
    let n = 1;
    while (Date.now() - started < 700) {
      log.record(event(n++));
      await new Promise((r) => setTimeout(r, 1));
    }
    const during = [...starts];
    await log.close();
    expect((await rows()).length).toBe(n);
    expect(during.length).toBeGreaterThanOrEqual(3);
    // Back to back, 700 ms of 60 ms writes would start ~11 batches ~61 ms apart; once per interval, at most 8.
    // A loaded machine only makes batches later and fewer, so the count is a bound it cannot break; the median
    // gap (not the smallest: one batch whose timer fired late is followed by a short gap) tells the two apart.
    expect(during.length).toBeLessThanOrEqual(8);
    const gaps = during
      .slice(1)
      .map((t, i) => t - during[i])
      .sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(90);
  });

  it('appends from two writers (as two server processes would) into one chain', async () => {
    const a = new AuditLog(db, { flushMs: 2, maxBatch: 40 });
    const b = new AuditLog(db, { flushMs: 3, maxBatch: 70 });
    for (let i = 0; i < 600; i++) {
      (i % 2 ? a : b).record(event(i));
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all([a.close(), b.close()]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 600, headSeq: 600 });
  });

  it('commits queued events without waiting for the WAL flush on PostgreSQL, and appends durably', async () => {
    const c = counting(db);
    const log = new AuditLog(c);
    log.record(event(1));
    await log.flush();
    const relaxed = c.statements.filter((s) => /synchronous_commit/.test(s)).length;
    expect(relaxed).toBe(db.kind === 'postgres' ? 1 : 0);
    c.statements.length = 0;
    await log.append([event(2)]);
    expect(c.statements.filter((s) => /synchronous_commit/.test(s))).toEqual([]);
    await log.close();
  });

  it('appends inside the caller’s transaction: committed with it, or not at all', async () => {
    const log = new AuditLog(db);
    await expect(
      db.transaction(async (tx) => {
        await log.append([event(1)], tx);
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    expect(await rows()).toEqual([]);
    await db.transaction(async (tx) => {
      await log.append([event(2), event(3)], tx);
    });
    expect((await rows()).map((x) => x.seq)).toEqual([1, 2]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('keeps the events of a failed flush, reports the failure, and writes them later', async () => {
    let fail = 2;
    const flaky: Db = {
      ...counting(db),
      transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
        if (fail > 0) {
          fail--;
          return Promise.reject(Object.assign(new Error('connection terminated'), { code: '57P01' }));
        }
        return db.transaction(fn);
      },
    };
    const errors: unknown[] = [];
    const log = new AuditLog(flaky, { flushMs: 1, onError: (e) => errors.push(e) });
    for (let i = 0; i < 20; i++) log.record(event(i));
    // The background flush fails twice (reported, not thrown), then its retry succeeds.
    for (let i = 0; i < 200 && log.pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(errors.map((e) => (e as Error).message)).toEqual(['connection terminated', 'connection terminated']);
    expect(log.pending).toBe(0);
    expect(await rows()).toHaveLength(20);
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // An explicit flush reports the failure to its caller and keeps the events too.
    fail = 1;
    log.record(event(99));
    await expect(log.flush()).rejects.toThrow('connection terminated');
    expect(log.pending).toBe(1);
    await log.close();
    expect(await rows()).toHaveLength(21);
  });

  it('does not write an event twice when a failed commit had in fact committed', async () => {
    let lose = true;
    const lossy: Db = {
      ...counting(db),
      async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
        const r = await db.transaction(fn);
        if (lose) {
          lose = false;
          throw Object.assign(new Error('connection lost during COMMIT'), { code: '08006' });
        }
        return r;
      },
    };
    const log = new AuditLog(lossy, { onError: () => undefined });
    for (let i = 0; i < 5; i++) log.record(event(i));
    await expect(log.flush()).rejects.toThrow(/COMMIT/);
    await log.close();
    expect(await rows()).toHaveLength(5);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('drops and reports only an event the database refuses, and writes the rest of its batch', async () => {
    const errors: unknown[] = [];
    const log = new AuditLog(db, { onError: (e) => errors.push(e) });
    log.record(event(1));
    // PostgreSQL has no year 0: this event's date column is refused whatever happens.
    log.record(event(2, { recorded: '0000-01-01T00:00:00Z' }));
    log.record(event(3));
    await expect(log.flush()).rejects.toThrow();
    await log.flush();
    expect(errors.map((e) => (e as Error).name)).toEqual(['AuditEventRejectedError']);
    expect((await rows()).map((x) => JSON.parse(x.content).recorded)).toEqual([event(1).recorded, event(3).recorded]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
    await log.close();
  });

  it('stores NUL and lone UTF-16 surrogates as U+FFFD instead of losing the event', async () => {
    const log = new AuditLog(db);
    const [stored] = await log.append([event(1, { agent: [{ requestor: true, altId: 'x\ud800y\u0000', who: { display: 'lit \\ud800 text' } }] })]);
    expect(stored.agent[0].altId).toBe('x\ufffdy\ufffd');
    expect(stored.agent[0].who?.display).toBe('lit \\ud800 text');
    log.record(event(2, { agent: [{ requestor: true, altId: '\udc00' }] }));
    await log.flush();
    const r = await rows();
    expect(JSON.parse(r[1].content).agent[0].altId).toBe('\ufffd');
    expect((await verifyAuditChain(db)).ok).toBe(true);
    await log.close();
  });

  it('accepts only AuditEvents, and nothing after close()', async () => {
    const log = new AuditLog(db);
    expect(() => log.record({ resourceType: 'Patient' } as unknown as AuditEvent)).toThrow(/only takes AuditEvent/);
    await expect(log.append([{ resourceType: 'Observation' } as unknown as AuditEvent])).rejects.toThrow(/only takes AuditEvent/);
    await log.close();
    expect(() => log.record(event(1))).toThrow(/closed/);
  });
});

describe('the database keeps the trail append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of AuditEvent, changes to the head, and AuditEvent history', async () => {
    const log = new AuditLog(db);
    await log.append([event(1), event(2)]);
    const refused = /append-only|only moves forward|must point at an appended|no history/;
    await expect(db.query(`UPDATE "AuditEvent" SET content = '{}'`)).rejects.toThrow(refused);
    await expect(db.query(`UPDATE "AuditEvent" SET deleted = true WHERE seq = 2`)).rejects.toThrow(refused);
    await expect(db.query(`DELETE FROM "AuditEvent" WHERE seq = 2`)).rejects.toThrow(refused);
    await expect(db.query(`TRUNCATE "AuditEvent"`)).rejects.toThrow(refused);
    await expect(db.query(`DELETE FROM audit_chain_head`)).rejects.toThrow(refused);
    await expect(db.query(`TRUNCATE audit_chain_head`)).rejects.toThrow(refused);
    await expect(db.query(`UPDATE audit_chain_head SET seq = 1`)).rejects.toThrow(refused);
    await expect(db.query(`UPDATE audit_chain_head SET seq = 3, hash = 'forged'`)).rejects.toThrow(refused);
    await expect(
      db.query(`INSERT INTO resource_history (resource_type, id, version_id, last_updated, content) VALUES ('AuditEvent', 'x', 1, now(), '{}')`),
    ).rejects.toThrow(refused);
    // The repository cannot write, change or delete an AuditEvent either.
    const repo = new Repository(db);
    await expect(repo.create(event(3))).rejects.toThrow(refused);
    const id = (await rows())[0].id;
    await expect(repo.delete('AuditEvent', id)).rejects.toThrow(refused);
    expect((await verifyAuditChain(db)).ok).toBe(true);
    expect(await rows()).toHaveLength(2);
  });
});

describe('verifyAuditChain detects tampering', () => {
  beforeEach(async () => {
    const log = new AuditLog(db);
    await log.append(Array.from({ length: 6 }, (_, i) => event(i)));
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('(a) a changed record', async () => {
    await tamper(`UPDATE "AuditEvent" SET content = replace(content, '"outcome":"0"', '"outcome":"4"') WHERE seq = 3`);
    const r = await verifyAuditChain(db, { batchSize: 2 });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ seq: 3, problem: expect.stringMatching(/hash does not match/) }]);
  });

  it('(a′) a changed record whose hash was recomputed: the next link breaks', async () => {
    const r3 = (await rows())[2];
    const content = r3.content.replace('"outcome":"0"', '"outcome":"4"');
    const hash = auditHash(r3.prev_hash, 3, content);
    await db.transaction(async (tx) => {
      await tx.exec('ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL');
      await tx.query(`UPDATE "AuditEvent" SET content = $1, hash = $2 WHERE seq = 3`, [content, hash]);
      await tx.exec('ALTER TABLE "AuditEvent" ENABLE TRIGGER ALL');
    });
    const r = await verifyAuditChain(db);
    // The outcome column still says 0 (what the report searches), so the record is also flagged itself.
    expect(r.problems).toEqual([
      { seq: 4, problem: 'prev_hash does not match the hash of record 3' },
      { seq: 3, problem: expect.stringMatching(/search columns do not match/) },
    ]);
  });

  it('(b) a deleted record in the middle', async () => {
    await tamper(`DELETE FROM "AuditEvent" WHERE seq = 4`);
    const r = await verifyAuditChain(db, { batchSize: 2 });
    expect(r.ok).toBe(false);
    expect(r.count).toBe(5);
    expect(r.problems).toEqual([{ seq: 5, problem: 'record 4 is missing' }]);
  });

  it('(c) a deleted last record (the head no longer matches)', async () => {
    await tamper(`DELETE FROM "AuditEvent" WHERE seq = 6`);
    const r = await verifyAuditChain(db);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ seq: 6, problem: 'record 6 (the head) is missing' }]);
  });

  it('(c′) a truncated tail with the head moved back onto it', async () => {
    const kept = (await rows())[3];
    await tamper(`DELETE FROM "AuditEvent" WHERE seq > 4; UPDATE audit_chain_head SET seq = 4, hash = '${kept.hash}'`);
    // Undetectable from the database alone: that is why `confide audit verify` prints the head to keep elsewhere.
    const r = await verifyAuditChain(db);
    expect(r).toMatchObject({ ok: true, count: 4, headSeq: 4, headHash: kept.hash });
  });

  it('(c″) records left after a head that was moved back', async () => {
    const kept = (await rows())[3];
    await tamper(`UPDATE audit_chain_head SET seq = 4, hash = '${kept.hash}'`);
    const r = await verifyAuditChain(db);
    expect(r.problems).toEqual([{ seq: 5, problem: '2 record(s) after the chain head (4)' }]);
  });

  it('(d) swapped hashes', async () => {
    const r0 = await rows();
    await tamper(`UPDATE "AuditEvent" SET hash = CASE seq WHEN 2 THEN '${r0[2].hash}' ELSE '${r0[1].hash}' END WHERE seq IN (2, 3)`);
    const r = await verifyAuditChain(db);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.seq)).toEqual([2, 3, 3, 4]);
  });

  it('(e) reordered records', async () => {
    await tamper(`UPDATE "AuditEvent" SET seq = -2 WHERE seq = 2; UPDATE "AuditEvent" SET seq = 2 WHERE seq = 3; UPDATE "AuditEvent" SET seq = 3 WHERE seq = -2`);
    const r = await verifyAuditChain(db);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.seq)).toEqual(expect.arrayContaining([2, 3]));
  });

  it('(f) a record marked deleted, and a changed id', async () => {
    await tamper(`UPDATE "AuditEvent" SET deleted = true WHERE seq = 2; UPDATE "AuditEvent" SET id = 'other' WHERE seq = 5`);
    const r = await verifyAuditChain(db);
    expect(r.problems).toEqual([
      { seq: 2, problem: 'the record is marked deleted' },
      { seq: 5, problem: "the id column (other) is not the record's id" },
    ]);
  });
});

describe('the audit report is a FHIR search', () => {
  it('finds events by patient, agent, date and action, newest first', async () => {
    const log = new AuditLog(db);
    for (let i = 0; i < 12; i++) log.record(event(i, i === 7 ? { action: 'C' } : {}));
    await log.flush();
    const search = async (q: string) => {
      const r = await executeSearch(db, parseSearchRequest('AuditEvent', new URLSearchParams(q)).request);
      return r.matches.map((m) => JSON.parse(m.json!) as AuditEvent);
    };
    const seconds = (es: AuditEvent[]) => es.map((e) => new Date(e.recorded).getUTCSeconds());
    expect(seconds(await search('patient=p-1&_sort=-date'))).toEqual([10, 7, 4, 1]);
    expect(seconds(await search('patient=Patient/p-1&agent=Practitioner/pr-0&_sort=date'))).toEqual([4, 10]);
    expect(seconds(await search('altid=bob&date=ge2026-01-01T00:00:06Z&_sort=-date'))).toEqual([11, 9, 7]);
    expect(seconds(await search('action=C'))).toEqual([7]);
    expect(seconds(await search('entity=Observation/o-5'))).toEqual([5]);
    // The compartment column is filled too: Patient/p-1/AuditEvent.
    const comp = await executeSearch(db, parseSearchRequest('AuditEvent', new URLSearchParams('_sort=date')).request, { compartment: 'Patient/p-2' });
    expect(seconds(comp.matches.map((m) => JSON.parse(m.json!)))).toEqual([2, 5, 8, 11]);
    await log.close();
  });
});

/** Today's search columns but the `labels` column of migration 9 (the last one), as a schema-3 table has them. */
const schema3Indexer: SearchIndexer = {
  columns: (type) => searchIndexer.columns(type).filter((c) => c !== LABELS_COLUMN),
  values: (type, r) => searchIndexer.values(type, r).slice(0, -1),
  links: (type, values) => searchIndexer.links!(type, [...values, null]),
};

describe('migration 4', () => {
  it('chains the AuditEvents stored before it', async () => {
    const s = await scratchDb();
    try {
      await migrate(s.db, migrations.slice(0, 3));
      // Before migration 4 AuditEvents were ordinary resources; today's Repository refuses to write them, so
      // the old rows are written the way the store wrote them then (flushWrites: history + current row, with
      // their search columns).
      const created: string[] = [];
      const writes: PendingWrite[] = [];
      for (let i = 0; i < 4; i++) {
        const id = `old-${i}`;
        created.push(id);
        const lastUpdated = new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString();
        const resource = { ...event(i), id, meta: { versionId: '1', lastUpdated } };
        writes.push({ resourceType: 'AuditEvent', id, versionId: 1, lastUpdated, deleted: false, json: JSON.stringify(resource), resource });
      }
      await s.db.transaction((tx) => flushWrites(tx, writes, schema3Indexer));
      const deletion = { resourceType: 'AuditEvent', id: created[1], versionId: 2, lastUpdated: new Date(Date.UTC(2025, 0, 1, 0, 1)).toISOString(), deleted: true, json: null };
      await s.db.transaction((tx) => flushWrites(tx, [deletion], noIndexer));
      await migrate(s.db);
      const r = await s.db.query<{ id: string; seq: string }>('SELECT id, seq FROM "AuditEvent" ORDER BY seq');
      expect(r.rows.map((x) => [x.id, Number(x.seq)])).toEqual([
        [created[0], 1],
        [created[2], 2],
        [created[3], 3],
      ]);
      expect(await verifyAuditChain(s.db)).toMatchObject({ ok: true, count: 3, headSeq: 3 });
      await new AuditLog(s.db).append([event(9)]);
      expect(await verifyAuditChain(s.db)).toMatchObject({ ok: true, count: 4, headSeq: 4 });
    } finally {
      await s.close();
    }
  });
});
