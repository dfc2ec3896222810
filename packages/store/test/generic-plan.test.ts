import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/index.ts';
import { queryGeneric } from '../src/db/generic-plan.ts';
import { scratchDb } from './support.ts';

/**
 * queryGeneric runs one statement with plan_cache_mode = force_generic_plan and leaves every other statement on
 * PostgreSQL's own choice (auto): on PostgreSQL through connections of their own, elsewhere with SET LOCAL.
 */
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await scratchDb());
});
afterAll(async () => {
  await close?.();
});

const MODE = `SELECT current_setting('plan_cache_mode') AS mode`;
const mode = (r: { rows: { mode: string }[] }) => r.rows[0].mode;

describe('queryGeneric', () => {
  it('runs its statement with generic plans and no other', async () => {
    const generic = await Promise.all(Array.from({ length: 4 }, () => queryGeneric<{ mode: string }>(db, MODE, [], 'test:generic-mode')));
    expect(generic.map(mode)).toEqual(Array(4).fill('force_generic_plan'));
    const others = await Promise.all(Array.from({ length: 4 }, () => db.query<{ mode: string }>(MODE)));
    expect(others.map(mode)).toEqual(Array(4).fill('auto'));
  });

  it('inside a transaction, sets the mode for the statement alone', async () => {
    const seen = await db.transaction(async (tx) => {
      const during = mode(await queryGeneric<{ mode: string }>(tx, MODE, [], 'test:generic-mode-tx'));
      const after = mode(await tx.query<{ mode: string }>(MODE));
      return { during, after };
    });
    expect(seen).toEqual({ during: 'force_generic_plan', after: 'auto' });
  });

  it('passes parameters and returns rows like query', async () => {
    const r = await queryGeneric<{ n: number }>(db, 'SELECT n FROM generate_series(1, $1::int) AS n WHERE n % 2 = 0', [6], 'test:generic-rows');
    expect(r.rows.map((x) => Number(x.n))).toEqual([2, 4, 6]);
  });
});
