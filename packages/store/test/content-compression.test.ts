import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Repository, migrate, searchIndexer, searchMatcher, type Db } from '../src/index.ts';
import { scratchDb } from './support.ts';

/**
 * Migration 0014: resource JSON is compressed with lz4 where the server has it (PostgreSQL built with lz4), and the
 * migration is a no-op where it has not (PGlite). Either way a resource large enough to be compressed reads back
 * exactly as written.
 */
let db: Db;
let close: () => Promise<void>;
let lz4: boolean;

beforeAll(async () => {
  ({ db, close } = await scratchDb());
  await migrate(db);
  const r = await db.query<{ lz4: boolean }>(
    `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
  );
  lz4 = r.rows[0]?.lz4 ?? false;
});
afterAll(async () => {
  await close?.();
});

/** The compression method each table's `content` column asks for: 'l' lz4, 'p' pglz, '' the server default. */
async function contentCompression(): Promise<Map<string, string>> {
  const r = await db.query<{ relname: string; c: string }>(`
    SELECT c.relname, a.attcompression::text AS c FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attname = 'content' AND NOT a.attisdropped`);
  return new Map(r.rows.map((row) => [row.relname, row.c]));
}

describe('content compression (migration 0014)', () => {
  it('sets lz4 on every content column where the server has lz4, and changes nothing where it has not', async () => {
    const columns = await contentCompression();
    for (const table of ['Patient', 'Observation', 'AuditEvent', 'resource_history']) expect(columns.has(table)).toBe(true);
    const expected = lz4 ? 'l' : '';
    const other = [...columns].filter(([, c]) => c !== expected).map(([t]) => t);
    expect(other).toEqual([]);
  });

  it('a resource over the TOAST threshold is stored compressed and reads back byte for byte', async () => {
    const repo = new Repository(db, { indexer: searchIndexer, matcher: searchMatcher });
    const note = Array.from({ length: 400 }, (_, i) => `Line ${i}: the patient reports sleeping better this week.`).join('\n');
    const created = await repo.create({ resourceType: 'Basic', code: { text: 'compression probe' }, extension: [{ url: 'http://example.org/note', valueString: note }] });
    const id = String(created.resource.id);
    const stored = await db.query<{ method: string | null; raw: number; disk: number }>(
      `SELECT pg_column_compression(content) AS method, octet_length(content) AS raw, pg_column_size(content) AS disk FROM "Basic" WHERE id = $1`,
      [id],
    );
    const row = stored.rows[0];
    expect(row.method).toBe(lz4 ? 'lz4' : 'pglz');
    expect(row.disk).toBeLessThan(row.raw / 2);
    const history = await db.query<{ method: string | null }>(
      `SELECT pg_column_compression(content) AS method FROM resource_history WHERE resource_type = 'Basic' AND id = $1`,
      [id],
    );
    expect(history.rows[0].method).toBe(lz4 ? 'lz4' : 'pglz');
    const read = await repo.readCurrent('Basic', id);
    expect(JSON.parse(read?.json ?? '{}').extension[0].valueString).toBe(note);
  });
});
