import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@medplum/fhirtypes';
import { OperationOutcomeError, parseSearchRequest } from '@confide/fhir';
import { AUDIT_GENESIS_HASH, AuditLog, Repository, auditHash, executeSearch, migrate, migrations, searchIndexer, tableLayout, verifyAuditChain, type Db } from '../src/index.ts';
import { AuditSearchColumns } from '../src/audit/search-columns.ts';
import { AUDIT_DROPPED_COLUMNS } from '../src/migrations/0007-audit-narrow.ts';
import { droppedColumns } from '../src/search/table-layout.ts';
import { scratchDb } from './support.ts';

/**
 * The narrow audit table (migration 0007, docs/audit.md "Storage"): only the columns the audit report
 * searches, the resources read kept out of the GIN index, and still every field covered by `verify`.
 */
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

async function sql(text: string): Promise<void> {
  await db.exec(`ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL; ALTER TABLE audit_chain_head DISABLE TRIGGER ALL; ${text};
    ALTER TABLE "AuditEvent" ENABLE TRIGGER ALL; ALTER TABLE audit_chain_head ENABLE TRIGGER ALL;`);
}

beforeEach(async () => {
  await sql(`DELETE FROM "AuditEvent"; UPDATE audit_chain_head SET seq = 0, hash = '${AUDIT_GENESIS_HASH}'`);
});

const USERS = ['alice', 'bob', 'carol'];

/** Event n: user n % 3, patient n % 4, second n, action C every fifth, else R; a folded read of two resources. */
function event(n: number): AuditEvent {
  const user = USERS[n % 3];
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: n % 5 === 0 ? 'create' : 'read' }],
    action: n % 5 === 0 ? 'C' : 'R',
    recorded: new Date(Date.UTC(2026, 2, 1, 0, 0, n)).toISOString(),
    outcome: '0',
    agent: [{ requestor: true, who: { reference: `Practitioner/${user}`, display: user }, altId: user, network: { address: '10.0.0.9', type: '2' } }],
    source: { observer: { display: 'Confide' } },
    entity: [
      { what: { reference: `Patient/np-${n % 4}` }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } },
      { what: { reference: `Observation/no-${n}` } },
      { what: { reference: `Condition/nc-${n}` } },
    ],
  };
}

async function search(q: string, cursor?: string) {
  return executeSearch(db, parseSearchRequest('AuditEvent', new URLSearchParams(q)).request, { cursor });
}
const seconds = (r: { matches: { json: string | null }[] }) => r.matches.map((m) => new Date((JSON.parse(m.json!) as AuditEvent).recorded).getUTCSeconds());

/** Follows `next` links to the end; the seconds of every page. */
async function allPages(q: string): Promise<{ pages: number[][]; total?: number }> {
  const pages: number[][] = [];
  let r = await search(q);
  const total = r.total;
  pages.push(seconds(r));
  while (r.next) {
    r = await search(q, r.next);
    pages.push(seconds(r));
  }
  return { pages, total };
}

async function filled(n = 30): Promise<void> {
  const log = new AuditLog(db);
  for (let i = 0; i < n; i++) log.record(event(i));
  await log.close();
}

describe('the narrow AuditEvent table', () => {
  it('keeps exactly the columns of the parameters the report searches', async () => {
    expect(droppedColumns('AuditEvent')).toEqual([...AUDIT_DROPPED_COLUMNS]);
    const cols = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'AuditEvent' AND table_schema = current_schema()`,
    );
    const names = cols.rows.map((c) => c.column_name);
    for (const c of tableLayout('AuditEvent').columns) expect(names).toContain(c.name);
    for (const c of AUDIT_DROPPED_COLUMNS) expect(names).not.toContain(c);
  });

  it('keeps the resources read out of search_tokens (its GIN index) but in the entity column', async () => {
    await filled(3);
    const r = await db.query<{ search_tokens: string[]; entity: string[] }>(`SELECT search_tokens, entity FROM "AuditEvent" ORDER BY seq`);
    expect(r.rows[1].entity).toEqual(expect.arrayContaining(['Observation/no-1', 'Condition/nc-1', 'Patient/np-1']));
    expect(r.rows[1].search_tokens.filter((t) => t.startsWith('entity='))).toEqual([]);
    expect(r.rows[1].search_tokens).toEqual(expect.arrayContaining(['patient=Patient/np-1', 'altid=|bob', 'action=*|R']));
  });
});

describe('the audit report over the narrow table', () => {
  beforeEach(async () => {
    await filled(30);
  });

  it('filters by agent, patient, date and action in SQL, sorted, paged, with the right totals', async () => {
    // alice: 0, 3, 6, … 27; patient np-1: 1, 5, 9, … 29; both: 9, 21.
    expect(seconds(await search('agent=Practitioner/alice&patient=Patient/np-1&_sort=-date'))).toEqual([21, 9]);
    const byUser = await allPages('altid=alice&_sort=-date&_count=4&_total=accurate');
    expect(byUser.total).toBe(10);
    expect(byUser.pages).toEqual([
      [27, 24, 21, 18],
      [15, 12, 9, 6],
      [3, 0],
    ]);
    const period = await allPages('date=ge2026-03-01T00:00:10Z&date=lt2026-03-01T00:00:20Z&action=C&_sort=date&_count=1&_total=accurate');
    expect(period).toEqual({ pages: [[10], [15]], total: 2 });
    const patient = await allPages('patient=np-2&_sort=altid,-date&_count=3&_total=accurate');
    // np-2: 2, 6, 10, 14, 18, 22, 26; by user (alice 6, 18; bob 10, 22; carol 2, 14, 26), newest first within each.
    expect(patient.total).toBe(7);
    expect(patient.pages.flat()).toEqual([18, 6, 22, 10, 26, 14, 2]);
    expect(patient.pages.map((p) => p.length)).toEqual([3, 3, 1]);
    // The previous link of a later page leads back.
    const first = await search('patient=np-2&_sort=altid,-date&_count=3');
    const second = await search('patient=np-2&_sort=altid,-date&_count=3', first.next);
    expect(seconds(await search('patient=np-2&_sort=altid,-date&_count=3', second.previous))).toEqual([18, 6, 22]);
  });

  it('finds the events that name a resource, and the compartment of a patient', async () => {
    expect(seconds(await search('entity=Observation/no-7'))).toEqual([7]);
    expect(seconds(await search('entity=Condition/nc-8,Observation/no-9&_sort=date'))).toEqual([8, 9]);
    expect(seconds(await search('entity:missing=false&altid=bob&_count=2&_sort=date'))).toEqual([1, 4]);
    const comp = await executeSearch(db, parseSearchRequest('AuditEvent', new URLSearchParams('_sort=-date&_count=3')).request, { compartment: 'Patient/np-3' });
    expect(seconds(comp)).toEqual([27, 23, 19]);
  });

  it('follows _include and _revinclude through the entity column', async () => {
    const repo = new Repository(db);
    await repo.update('Observation', 'no-4', { resourceType: 'Observation', id: 'no-4', status: 'final', code: { text: 'x' } });
    const rev = await executeSearch(db, parseSearchRequest('Observation', new URLSearchParams('_id=no-4&_revinclude=AuditEvent:entity')).request);
    expect(seconds({ matches: rev.included })).toEqual([4]);
    const inc = await search('entity=Observation/no-4&_include=AuditEvent:entity:Observation');
    expect(inc.included.map((r) => `${r.resourceType}/${r.id}`)).toEqual(['Observation/no-4']);
  });

  it('refuses the parameters the narrow table does not keep, naming them', async () => {
    for (const q of ['agent-name=alice', 'entity-type=2', '_sort=entity-role', '_tag=x']) {
      const err = await search(q).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, q).toBeInstanceOf(OperationOutcomeError);
      expect((err as OperationOutcomeError).status).toBe(400);
      expect(JSON.stringify((err as OperationOutcomeError).outcome)).toMatch(/not supported for AuditEvent/);
    }
  });
});

describe('verify over the narrow table', () => {
  beforeEach(async () => {
    await filled(8);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('detects a changed search column (the record would be missing from its patient report)', async () => {
    await sql(`UPDATE "AuditEvent" SET patient = ARRAY['Patient/someone-else'] WHERE seq = 3`);
    const r = await verifyAuditChain(db);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ seq: 3, problem: expect.stringMatching(/search columns do not match/) }]);
  });

  it('detects a changed date, a resource removed from the entity column and tokens removed', async () => {
    await sql(`UPDATE "AuditEvent" SET date__lo = date__lo + interval '1 day' WHERE seq = 2;
      UPDATE "AuditEvent" SET entity = array_remove(entity, 'Observation/no-4') WHERE seq = 5;
      UPDATE "AuditEvent" SET search_tokens = array_remove(search_tokens, 'altid=|bob') WHERE seq = 8`);
    const r = await verifyAuditChain(db);
    expect(r.problems.map((p) => p.seq)).toEqual([2, 5, 8]);
  });

  it('detects a changed field of the content, a deleted row and reordered rows', async () => {
    await sql(`UPDATE "AuditEvent" SET content = replace(content, '"action":"R"', '"action":"D"') WHERE seq = 2`);
    await sql(`DELETE FROM "AuditEvent" WHERE seq = 4`);
    await sql(`UPDATE "AuditEvent" SET seq = -6 WHERE seq = 6; UPDATE "AuditEvent" SET seq = 6 WHERE seq = 7; UPDATE "AuditEvent" SET seq = 7 WHERE seq = -6`);
    const r = await verifyAuditChain(db);
    expect(r.ok).toBe(false);
    const at = (seq: number) => r.problems.filter((p) => p.seq === seq).map((p) => p.problem);
    expect(at(2).join()).toMatch(/hash does not match/);
    expect(at(5).join()).toMatch(/record 4 is missing/);
    expect(at(6).join()).toMatch(/hash does not match/);
    expect(at(7).join()).toMatch(/hash does not match/);
  });
});

describe('concurrent appends', () => {
  it('chains every event from parallel writers (two logs on one database, queued and durable), none lost', async () => {
    const a = new AuditLog(db, { flushMs: 1, maxBatch: 7 });
    const b = new AuditLog(db, { flushMs: 2, maxBatch: 5 });
    const durable: Promise<unknown>[] = [];
    for (let i = 0; i < 120; i++) {
      (i % 2 ? a : b).record(event(i));
      if (i % 10 === 0) durable.push((i % 20 ? a : b).append([event(1000 + i)]));
    }
    await Promise.all([...durable, a.close(), b.close()]);
    const r = await verifyAuditChain(db);
    expect(r).toMatchObject({ ok: true, count: 132, headSeq: 132 });
    const n = await search('_summary=count');
    expect(n.total).toBe(132);
    const seqs = await db.query<{ seq: string }>('SELECT seq FROM "AuditEvent" ORDER BY seq');
    expect(seqs.rows.map((x) => Number(x.seq))).toEqual(Array.from({ length: 132 }, (_, i) => i + 1));
  });
});

describe('migration 7', () => {
  it('narrows a trail written with the full table: entity entries leave search_tokens, searches and verify still work', async () => {
    const s = await scratchDb();
    try {
      await migrate(s.db, migrations.slice(0, 6));
      // Two records as the audit log wrote them before (its own INSERT): entity entries in search_tokens, and
      // a column migration 7 drops.
      const columns = new AuditSearchColumns(searchIndexer);
      let prev = AUDIT_GENESIS_HASH;
      const rows = [1, 2].map((n, i) => {
        const lastUpdated = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
        const content = JSON.stringify({ ...event(n), id: `old-${n}`, meta: { versionId: '1', lastUpdated } });
        const hash = auditHash(prev, i + 1, content);
        const row = columns.addTo({ id: `old-${n}`, version_id: 1, last_updated: lastUpdated, deleted: false, content, seq: i + 1, prev_hash: prev, hash }, columns.values(JSON.parse(content)));
        row.search_tokens = [...(row.search_tokens as string[]), `entity=Observation/no-${n}`, 'entity_type=|2'];
        row.site = ['|x'];
        prev = hash;
        return row;
      });
      await s.db.query(`INSERT INTO "AuditEvent" SELECT * FROM json_populate_recordset(NULL::"AuditEvent", $1::json)`, [JSON.stringify(rows)]);
      await s.db.query(`UPDATE audit_chain_head SET seq = 2, hash = $1`, [prev]);
      await migrate(s.db);
      const r = await s.db.query<{ search_tokens: string[] }>(`SELECT search_tokens FROM "AuditEvent" ORDER BY seq`);
      for (const row of r.rows) expect(row.search_tokens.some((t) => t.startsWith('entity'))).toBe(false);
      expect(await verifyAuditChain(s.db)).toMatchObject({ ok: true, count: 2 });
      const found = await executeSearch(s.db, parseSearchRequest('AuditEvent', new URLSearchParams('entity=Observation/no-2&altid=carol')).request);
      expect(found.matches).toHaveLength(1);
      // The append-only trigger is back.
      await expect(s.db.query(`UPDATE "AuditEvent" SET outcome = NULL`)).rejects.toThrow(/append-only/);
    } finally {
      await s.close();
    }
  });
});
