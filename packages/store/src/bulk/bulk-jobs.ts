import type { Db, Queryable } from '../db/db.ts';

/** Migration 0010's `bulk_job` row, as the server reads it. */
export interface BulkJob<P = unknown, A = unknown, U = unknown> {
  id: string;
  owner: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  /** The kick-off request URL (the manifest's `request`). */
  request: string;
  params: P;
  actor: A;
  audit: U;
  created: string;
  expires: string;
  transactionTime: string | null;
  progress: string | null;
  error: string | null;
  part2: boolean;
}

export interface BulkFile {
  n: number;
  kind: 'output' | 'error';
  type: string;
  count: number;
}

interface JobRow {
  id: string;
  owner: string;
  status: BulkJob['status'];
  request: string;
  params: unknown;
  actor: unknown;
  audit: unknown;
  created: Date | string;
  expires: Date | string;
  transaction_time: Date | string | null;
  progress: string | null;
  error: string | null;
  part2: boolean;
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
// jsonb comes back parsed from pg and as text from some drivers' paths: accept both.
const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

function fromRow<P, A, U>(r: JobRow): BulkJob<P, A, U> {
  return {
    id: r.id,
    owner: r.owner,
    status: r.status,
    request: r.request,
    params: json(r.params) as P,
    actor: json(r.actor) as A,
    audit: json(r.audit) as U,
    created: iso(r.created),
    expires: iso(r.expires),
    transactionTime: r.transaction_time === null ? null : iso(r.transaction_time),
    progress: r.progress,
    error: r.error,
    part2: r.part2,
  };
}

const COLUMNS = 'id, owner, status, request, params, actor, audit, created, expires, transaction_time, progress, error, part2';

/**
 * The bulk export job table (migration 0010). Pure storage: what a job exports, and for whom, is decided by the
 * server (packages/server/src/bulk); the rows it exports are read by `exportRows` under the caller's restriction.
 */
export class BulkJobs {
  constructor(private readonly db: Db) {}

  async create(job: { id: string; owner: string; request: string; params: unknown; actor: unknown; audit: unknown; created: Date; expires: Date }): Promise<void> {
    await this.db.query(
      `INSERT INTO bulk_job (id, owner, status, request, params, actor, audit, created, expires) VALUES ($1, $2, 'queued', $3, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8)`,
      [job.id, job.owner, job.request, JSON.stringify(job.params), JSON.stringify(job.actor), JSON.stringify(job.audit), job.created.toISOString(), job.expires.toISOString()],
    );
  }

  /** The job if it exists, has not expired and belongs to `owner`; undefined otherwise (the caller answers 404). */
  async get<P, A, U>(id: string, owner: string, now: Date): Promise<BulkJob<P, A, U> | undefined> {
    const r = await this.db.query<JobRow>(`SELECT ${COLUMNS} FROM bulk_job WHERE id = $1 AND owner = $2 AND expires > $3`, [id, owner, now.toISOString()], 'bulk:get');
    return r.rows[0] ? fromRow<P, A, U>(r.rows[0]) : undefined;
  }

  /** Deletes a job with its files (cancel: Bulk Data STU2 export.html#bulk-data-delete-request). */
  async delete(id: string, owner: string, now: Date): Promise<boolean> {
    const r = await this.db.query(`DELETE FROM bulk_job WHERE id = $1 AND owner = $2 AND expires > $3`, [id, owner, now.toISOString()]);
    return r.rowCount > 0;
  }

  /**
   * Takes the oldest queued job, or a running one whose runner stopped beating for `staleMs` (a crashed or
   * stopped server process), and marks it running. `SKIP LOCKED`, so two server processes never take the same
   * job. A job taken over starts again from nothing.
   */
  async claim<P, A, U>(now: Date, staleMs: number): Promise<BulkJob<P, A, U> | undefined> {
    return this.db.transaction(async (tx) => {
      const r = await tx.query<JobRow>(
        `SELECT ${COLUMNS} FROM bulk_job WHERE expires > $1 AND (status = 'queued' OR (status = 'running' AND heartbeat < $2))
         ORDER BY created LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now.toISOString(), new Date(now.getTime() - staleMs).toISOString()],
      );
      const row = r.rows[0];
      if (!row) return undefined;
      await tx.query('DELETE FROM bulk_chunk WHERE job = $1', [row.id]);
      await tx.query('DELETE FROM bulk_file WHERE job = $1', [row.id]);
      await tx.query(`UPDATE bulk_job SET status = 'running', transaction_time = $2, heartbeat = $2, progress = NULL, part2 = false WHERE id = $1`, [row.id, now.toISOString()]);
      return { ...fromRow<P, A, U>(row), status: 'running' as const, transactionTime: now.toISOString(), progress: null, part2: false };
    });
  }

  /** Records progress (the status response's X-Progress) and beats; false when the job was cancelled meanwhile. */
  async beat(id: string, progress: string, now: Date): Promise<boolean> {
    const r = await this.db.query(`UPDATE bulk_job SET progress = $2, heartbeat = $3 WHERE id = $1 AND status = 'running'`, [id, progress, now.toISOString()], 'bulk:beat');
    return r.rowCount > 0;
  }

  /** Stores one piece of a file's NDJSON text. */
  async addChunk(q: Queryable, id: string, n: number, seq: number, body: string): Promise<void> {
    await q.query('INSERT INTO bulk_chunk (job, n, seq, body) VALUES ($1, $2, $3, $4)', [id, n, seq, body], 'bulk:chunk');
  }

  async addFile(q: Queryable, id: string, file: BulkFile): Promise<void> {
    await q.query('INSERT INTO bulk_file (job, n, kind, type, count) VALUES ($1, $2, $3, $4, $5)', [id, file.n, file.kind, file.type, file.count]);
  }

  async complete(id: string, part2: boolean): Promise<boolean> {
    const r = await this.db.query(`UPDATE bulk_job SET status = 'completed', progress = NULL, part2 = $2 WHERE id = $1 AND status = 'running'`, [id, part2]);
    return r.rowCount > 0;
  }

  /** A failed job keeps no files; `error` is a short text without request data (the status answers it as a 500). */
  async fail(id: string, error: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM bulk_chunk WHERE job = $1', [id]);
      await tx.query('DELETE FROM bulk_file WHERE job = $1', [id]);
      await tx.query(`UPDATE bulk_job SET status = 'failed', progress = NULL, error = $2 WHERE id = $1`, [id, error]);
    });
  }

  async files(id: string): Promise<BulkFile[]> {
    const r = await this.db.query<BulkFile>('SELECT n, kind, type, count FROM bulk_file WHERE job = $1 ORDER BY n', [id], 'bulk:files');
    return r.rows.map((f) => ({ n: Number(f.n), kind: f.kind, type: f.type, count: Number(f.count) }));
  }

  async file(id: string, n: number): Promise<BulkFile | undefined> {
    return (await this.files(id)).find((f) => f.n === n);
  }

  /** A file's text, piece by piece: one short statement per few pieces, so a download holds little memory. */
  async *chunks(id: string, n: number, perStatement = 4): AsyncIterable<string> {
    let after = -1;
    for (;;) {
      const r = await this.db.query<{ seq: number; body: string }>(
        `SELECT seq, body FROM bulk_chunk WHERE job = $1 AND n = $2 AND seq > $3 ORDER BY seq LIMIT ${perStatement}`,
        [id, n, after],
        'bulk:chunks',
      );
      for (const row of r.rows) yield row.body;
      if (r.rows.length < perStatement) return;
      after = Number(r.rows[r.rows.length - 1].seq);
    }
  }

  /** Deletes expired jobs and their files (Bulk Data STU2: files are available for a limited time). */
  async expire(now: Date): Promise<number> {
    const r = await this.db.query('DELETE FROM bulk_job WHERE expires <= $1', [now.toISOString()], 'bulk:expire');
    return r.rowCount;
  }
}
