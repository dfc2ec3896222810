import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errors } from '@confide/fhir';
import { migrate, Repository, searchIndexer, searchMatcher, type Db, type WriteRule } from '../src/index.ts';
import { scratchDb } from './support.ts';

/** The write-rules seam of Repository.commit: rules see every batch in its transaction, can refuse or add. */
let db: Db;
let close: () => Promise<void>;
const seen: string[][] = [];

/** Refuses Flags whose code text is "refuse"; gives every new Flag a Basic with the same id. */
const rule: WriteRule = async (writes, repo) => {
  seen.push(writes.map((w) => `${w.resourceType}/${w.id}${w.deleted ? ' (deleted)' : ''}`));
  const flags = writes.filter((w) => w.resourceType === 'Flag' && !w.deleted);
  if (flags.some((w) => (w.resource as { code?: { text?: string } }).code?.text === 'refuse')) throw errors.unprocessable([{ severity: 'error', code: 'business-rule', expression: ['Flag.code'] }]);
  // Rules run inside the transaction: a lock statement works, and the rows it reads are the transaction's.
  await repo.queryable.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['test-rule']);
  return flags.filter((w) => w.versionId === 1).map((w) => repo.prepare({ resourceType: 'Basic', code: { text: `for ${w.id}` } }, w.id, 1));
};

beforeAll(async () => {
  ({ db, close } = await scratchDb());
  await migrate(db);
});
afterAll(async () => {
  await close?.();
});

const repoWith = (rules: WriteRule[]) => new Repository(db, { indexer: searchIndexer, matcher: searchMatcher, writeRules: rules });
const flag = (text: string) => ({ resourceType: 'Flag', status: 'active', code: { text }, subject: { reference: 'Patient/x' } });

describe('write rules', () => {
  it('see creates, updates and deletes, and may add versions to the batch', async () => {
    const repo = repoWith([rule]);
    const created = await repo.create(flag('ok'));
    const id = created.resource.id;
    expect((await repo.readCurrent('Basic', id))?.json).toContain(`for ${id}`);
    await repo.update('Flag', id, { ...flag('still ok'), id });
    await repo.delete('Flag', id);
    expect(seen.slice(-3)).toEqual([[`Flag/${id}`], [`Flag/${id}`], [`Flag/${id} (deleted)`]]);
  });

  it('a refusal writes nothing of the batch, nor of the transaction around it', async () => {
    const repo = repoWith([rule]);
    await expect(repo.create(flag('refuse'))).rejects.toMatchObject({ status: 422 });
    await expect(
      repo.transaction(async (tx) => {
        await tx.create({ resourceType: 'Basic', id: 'tx-basic', code: { text: 'x' } }, { id: 'tx-basic' });
        await tx.create(flag('refuse'));
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(await repo.readCurrent('Basic', 'tx-basic')).toBeUndefined();
    const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Flag" WHERE content LIKE '%refuse%'`);
    expect(r.rows[0].n).toBe(0);
  });

  it('without rules nothing is run', async () => {
    const before = seen.length;
    await repoWith([]).create(flag('refuse'));
    expect(seen.length).toBe(before);
  });
});
