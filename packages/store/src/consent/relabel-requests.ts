import type { Db, Queryable } from '../db/db.ts';

/**
 * The persisted "relabel needed" markers of designated Part 2 programs (`relabel_request`, migration 0012).
 *
 * A request is written in the transaction of the designation and holds a shared advisory lock until it commits;
 * `pendingRelabels` takes the same lock exclusively, so a reader kicked by the designation waits for its commit
 * (on PostgreSQL; PGlite runs one transaction at a time anyway) instead of missing the row.
 */
const LOCK = 'confide:relabel-request';

export interface RelabelRequest {
  /** `Organization/<id>` of the program. */
  program: string;
  seq: number;
}

/** Asks for the program's stored records to be relabelled, in the caller's (the designation's) transaction. */
export async function requestRelabel(tx: Queryable, program: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [LOCK], 'relabel-request:lock');
  await tx.query(
    "INSERT INTO relabel_request (program) VALUES ($1) ON CONFLICT (program) DO UPDATE SET seq = nextval('relabel_request_seq'), requested = now()",
    [program],
    'relabel-request:add',
  );
}

/** Every committed request, oldest first. */
export async function pendingRelabels(db: Db): Promise<RelabelRequest[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK], 'relabel-request:wait');
    const r = await tx.query<{ program: string; seq: number | string }>('SELECT program, seq FROM relabel_request ORDER BY seq', [], 'relabel-request:list');
    return r.rows.map((row) => ({ program: row.program, seq: Number(row.seq) }));
  });
}

/** Deletes the requests a finished run has covered: those seen when it began (`seq` up to `upTo`). */
export async function clearRelabels(db: Queryable, upTo: number): Promise<void> {
  await db.query('DELETE FROM relabel_request WHERE seq <= $1', [upTo], 'relabel-request:clear');
}
