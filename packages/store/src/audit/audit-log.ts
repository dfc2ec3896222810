import { createHash, randomUUID } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Db, Queryable } from '../db/db.ts';
import { AUDIT_GENESIS_HASH } from '../migrations/0004-audit.ts';
import { searchIndexer } from '../search/indexer.ts';
import type { SearchIndexer } from '../write-batch.ts';
import { AuditSearchColumns } from './search-columns.ts';
import { withRetry } from '../retry.ts';
import { textArrayLiteral } from '../db/text-array.ts';

export { AUDIT_GENESIS_HASH };

const TYPE = 'AuditEvent';

/** The chain link of one record: sha256 over the previous hash, the sequence number and the stored JSON text. */
export function auditHash(prevHash: string, seq: number, content: string): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${content}`, 'utf8').digest('hex');
}

export interface AuditLogOptions {
  /** Fills the search columns of `"AuditEvent"`, as the repository does (default: `searchIndexer`). */
  indexer?: SearchIndexer;
  /**
   * How long `record` lets events gather before they are written (default 100 ms: a batch has a fixed cost,
   * about a millisecond of CPU, that at 40 batches a second was a tenth of a read's cost; docs/audit.md).
   */
  flushMs?: number;
  /** Most events per transaction; a queue this long is written at once (default 500). */
  maxBatch?: number;
  /** Clock, for tests. */
  now?: () => Date;
  /**
   * Background flush failures (the events are kept and retried) and events dropped because the database
   * refuses them whatever happens (they are named in the error). Default: a line on stderr.
   */
  onError?: (e: unknown) => void;
}

/** An event the database refused for its data (not for a passing failure): it is dropped and reported. */
export class AuditEventRejectedError extends Error {
  constructor(
    readonly eventJson: string,
    readonly reason: unknown,
  ) {
    super(`An AuditEvent was refused by the database and dropped: ${reason instanceof Error ? reason.message : String(reason)}`);
    this.name = 'AuditEventRejectedError';
  }
}

/** One event ready to be inserted; everything but its place in the chain is final. */
interface Prepared {
  id: string;
  lastUpdated: string;
  json: string;
  /** The search column values (indexer order). */
  values: unknown[];
}

interface Batch {
  rows: Prepared[];
  /** A failed attempt may have committed after all (e.g. the connection broke during COMMIT). */
  retried: boolean;
  /** Write one row per transaction, to find the rows the database refuses. */
  isolate: boolean;
}

const MAX_BACKOFF_MS = 5_000;
/**
 * What JSON.stringify writes for a NUL or a lone UTF-16 surrogate, characters PostgreSQL text cannot hold:
 * a cheap test, then the exact pattern (an escape, not an escaped backslash followed by `u…`).
 */
const UNSTORABLE_HINT = /\\u(?:d[89a-f]|0000)/i;
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:d[89a-f][0-9a-f]{2}|0000)/gi;

/**
 * The append-only, hash-chained audit trail (docs/audit.md).
 *
 * - `record(event)` is for the request path: it queues the event and returns at once. A timer (`flushMs`) or
 *   a full batch (`maxBatch`) writes the queue in one transaction with one statement (the search columns
 *   in one JSON parameter, each row's text in its own; the database numbers, hashes and inserts them,
 *   migration 0011); on PostgreSQL that transaction
 *   commits with `synchronous_commit = off`, so a read never waits for a WAL flush. The CPU work (JSON text,
 *   search values) happens at flush time, once per batch, not in `record`.
 * - `append(events, tx?)` is the durable path: awaited, committed synchronously, and with `tx` written inside
 *   the caller's transaction so that a write and its audit record commit together.
 *
 * Every append locks the chain head row, so appends from any number of processes on one database form one
 * contiguous chain. Call `append(…, tx)` last in the caller's transaction: the head stays locked until it ends.
 */
export class AuditLog {
  private readonly search: AuditSearchColumns;
  private readonly insertSqls = new Map<number, string>();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly now: () => Date;
  private readonly onError: (e: unknown) => void;

  private queue: AuditEvent[] = [];
  /** Batches taken from the queue that have not been written yet (a failed flush leaves them here). */
  private unwritten: Batch[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  /** Consecutive failed background flushes. */
  private failures = 0;
  /** A flush without delay is scheduled (the queue reached maxBatch). */
  private urgent = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    options: AuditLogOptions = {},
  ) {
    this.search = new AuditSearchColumns(options.indexer ?? searchIndexer);
    this.flushMs = options.flushMs ?? 100;
    this.maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.now = options.now ?? (() => new Date());
    this.onError = options.onError ?? ((e) => process.stderr.write(`audit log: ${e instanceof Error ? e.message : String(e)}\n`));
  }

  /** Events recorded but not yet committed (queued, or kept after a failed flush). */
  get pending(): number {
    return this.queue.length + this.unwritten.reduce((n, b) => n + b.rows.length, 0);
  }

  /**
   * Queues an event; never waits for the database. The event must not be changed afterwards. `recorded` is
   * set to now when absent; `id`, `meta.versionId` and `meta.lastUpdated` are assigned when it is written.
   */
  record(event: AuditEvent): void {
    checkEvent(event);
    if (this.closed) throw new Error('The audit log is closed');
    this.queue.push(event.recorded ? event : { ...event, recorded: this.now().toISOString() });
    if (this.queue.length >= this.maxBatch && this.failures === 0) {
      if (!this.urgent) {
        this.urgent = true;
        this.flushInBackground(0);
      }
    } else if (!this.timer) {
      this.flushInBackground(this.retryDelay());
    }
  }

  /**
   * Appends events durably and returns when they are committed (or, with `tx`, written in the caller's
   * transaction, committing with it). Returns the stored events (id and meta assigned).
   */
  async append(events: AuditEvent[], tx?: Queryable): Promise<AuditEvent[]> {
    for (const e of events) checkEvent(e);
    if (events.length === 0) return [];
    const lastUpdated = this.now().toISOString();
    const rows = events.map((e) => this.prepare(e, lastUpdated));
    if (tx) await this.insert(tx, rows, false);
    else await withRetry(() => this.db.transaction((t) => this.insert(t, rows, false)));
    return rows.map((r) => JSON.parse(r.json) as AuditEvent);
  }

  /** Writes everything recorded so far; rejects if the database refuses (the events are kept for a retry). */
  async flush(): Promise<void> {
    this.clearTimer();
    try {
      await this.drain();
      this.failures = 0;
    } catch (e) {
      this.failures++;
      if (!this.closed && !this.timer && this.pending) this.flushInBackground(this.retryDelay());
      throw e;
    }
  }

  /** Flushes and stops accepting events. */
  async close(): Promise<void> {
    if (this.closed && !this.pending) return;
    this.closed = true;
    await this.flush();
  }

  // ---- internals ---------------------------------------------------------------------------------

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.urgent = false;
  }

  /** flushMs normally; after failed flushes, doubling up to MAX_BACKOFF_MS while the database is away. */
  private retryDelay(): number {
    return this.failures === 0 ? this.flushMs : Math.min(MAX_BACKOFF_MS, Math.max(1, this.flushMs) * 2 ** this.failures);
  }

  private flushInBackground(delayMs: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.urgent = false;
      this.drain(false).then(
        () => {
          this.failures = 0;
          // What was recorded while the batch was written waits for the next timer (record() set it).
          if (!this.timer && this.pending) this.flushInBackground(this.retryDelay());
        },
        (e) => {
          this.failures++;
          this.onError(e);
          // Try again later even if nothing else is recorded; back off while the database is away.
          if (!this.timer && this.pending) this.flushInBackground(this.retryDelay());
        },
      );
    }, delayMs);
    this.timer.unref?.();
  }

  /**
   * One drain at a time: a caller arriving during a drain waits for it, then drains what is left. `all` false
   * (the timer's drain): only the events queued when it starts. Draining until the queue is empty turned the
   * 100 ms batches into back-to-back appends of the few events each write let in (75 appends a second for 620
   * searches a second, ~0.5 ms of PostgreSQL per search: docs/benchmarks.md).
   */
  private drain(all = true): Promise<void> {
    const previous = this.draining ?? Promise.resolve();
    const run: Promise<void> = previous
      .catch(() => undefined)
      .then(() => this.drainNow(all ? Infinity : this.queue.length))
      .finally(() => {
        if (this.draining === run) this.draining = undefined;
      });
    this.draining = run;
    return run;
  }

  private async drainNow(budget: number): Promise<void> {
    for (;;) {
      if (this.unwritten.length === 0) {
        if (this.queue.length === 0 || budget <= 0) return;
        const events = this.queue.splice(0, Math.min(this.maxBatch, budget));
        budget -= events.length;
        const rows = this.prepareAll(events);
        if (rows.length) this.unwritten.push({ rows, retried: false, isolate: false });
        continue;
      }
      const batch = this.unwritten[0];
      try {
        await this.writeBatch(batch);
        this.unwritten.shift();
      } catch (e) {
        batch.retried = true;
        if (isDataError(e) && batch.rows.length > 1) batch.isolate = true;
        throw e;
      }
    }
  }

  private async writeBatch(batch: Batch): Promise<void> {
    if (!batch.isolate) {
      await withRetry(() => this.db.transaction((tx) => this.insert(tx, batch.rows, true, batch.retried)));
      return;
    }
    // A batch the database refused for its data: write the rows one by one and drop only those refused.
    while (batch.rows.length) {
      const row = batch.rows[0];
      try {
        await withRetry(() => this.db.transaction((tx) => this.insert(tx, [row], true, true)));
      } catch (e) {
        if (!isDataError(e)) throw e;
        this.onError(new AuditEventRejectedError(row.json, e));
      }
      batch.rows.shift();
    }
  }

  /** Prepares queued events; one that cannot be serialized or indexed is reported and left out. */
  private prepareAll(events: AuditEvent[]): Prepared[] {
    const lastUpdated = this.now().toISOString();
    const out: Prepared[] = [];
    for (const e of events) {
      try {
        out.push(this.prepare(e, lastUpdated));
      } catch (err) {
        this.onError(new AuditEventRejectedError(safeJson(e), err));
      }
    }
    return out;
  }

  /** Assigns id, meta and recorded, and makes the JSON text (the hashed content) and search values once. */
  private prepare(event: AuditEvent, lastUpdated: string): Prepared {
    const { resourceType, id: _ignored, meta, ...rest } = event;
    const id = randomUUID();
    let stored = { resourceType, id, meta: { ...meta, versionId: '1', lastUpdated }, ...rest } as AuditEvent;
    if (!stored.recorded) stored.recorded = lastUpdated;
    let json = JSON.stringify(stored);
    if (UNSTORABLE_HINT.test(json)) {
      // PostgreSQL refuses NUL and lone surrogates (no UTF-8 form) in the search columns: store U+FFFD
      // instead, as a UTF-8 encoder would for a lone surrogate, rather than lose the event.
      json = json.replace(UNSTORABLE_ESCAPE, '$1\\ufffd');
      stored = JSON.parse(json) as AuditEvent;
    }
    const values = this.search.values(stored);
    return { id, lastUpdated, json, values };
  }

  /**
   * Appends rows to the chain in the given transaction: lock the head (`FOR UPDATE`, so appends from any number
   * of processes queue up behind it), number and hash the rows here (auditHash, the formula `verify` checks),
   * insert them (insertSql: at most 1,000 rows a statement) and move the head, whose trigger checks that it points
   * at an inserted row. Three statements for a batch of up to 1,000, besides BEGIN and COMMIT. `relaxed`: commit
   * without waiting for the WAL flush (PostgreSQL only). `retried`: leave out rows an earlier attempt whose COMMIT
   * was lost stored after all.
   *
   * Until session 12 the database numbered, hashed and inserted the rows in one call (confide_audit_append,
   * migration 11), which turned each row's columns into jsonb, added the content to it and read it back with
   * jsonb_populate_record. Measured (bench/audit-append.ts, median of 4): PostgreSQL 113 → 88 µs per record of one
   * entity (a search's), 224 → 172 per record of 80 (a folded read's); Node, which now hashes, 80 → 84 and 347 → 377
   * (docs/benchmarks.md, "Session 12").
   */
  private async insert(tx: Queryable, rows: Prepared[], relaxed: boolean, retried = false): Promise<void> {
    const relax = relaxed && this.db.kind === 'postgres';
    const head = await tx.query<{ seq: string | number; hash: string }>(
      `SELECT h.seq, h.hash${relax ? ", set_config('synchronous_commit', 'off', true) AS relaxed" : ''} FROM audit_chain_head h WHERE h.id = 1 FOR UPDATE`,
      [],
      relax ? 'audit:head-relaxed' : 'audit:head',
    );
    if (head.rows.length === 0) throw new Error('The audit chain head is missing: run confide migrate');
    let seq = Number(head.rows[0].seq);
    let hash = head.rows[0].hash;
    let todo = rows;
    if (retried) {
      const present = await tx.query<{ id: string }>('SELECT id FROM "AuditEvent" WHERE id = ANY($1::text[])', [rows.map((r) => r.id)]);
      const stored = new Set(present.rows.map((r) => r.id));
      todo = rows.filter((r) => !stored.has(r.id));
    }
    if (todo.length === 0) return;
    for (let at = 0; at < todo.length; at += MAX_ROWS_PER_STATEMENT) {
      const chunk = todo.slice(at, at + MAX_ROWS_PER_STATEMENT);
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const row of chunk) {
        seq += 1;
        prevs.push(hash);
        hash = auditHash(hash, seq, row.json);
        hashes.push(hash);
      }
      const columns = chunk.map((row) => this.rowObject(row));
      const params = [JSON.stringify(columns), seq - chunk.length, textArrayLiteral(prevs), textArrayLiteral(hashes), ...chunk.map((r) => r.json)];
      await tx.query(this.insertSql(chunk.length), params);
    }
    await tx.query('UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1', [seq, hash], 'audit:move-head');
  }

  /** One row's search columns as an object for json_populate_recordset (its content travels apart). */
  private rowObject(row: Prepared): Record<string, unknown> {
    const o = { id: row.id, version_id: 1, last_updated: row.lastUpdated, deleted: false };
    return this.search.addTo(o, row.values);
  }

  /**
   * The INSERT of `n` rows: their search columns from one JSON parameter ($1, json_populate_recordset: one pass,
   * no jsonb), each one's JSON text as a parameter of its own ($5…, sent as it is: no escaping, no parsing), and
   * their chain links (seq from $2 + 1 on, prev_hash from $3, hash from $4).
   */
  private insertSql(n: number): string {
    let sql = this.insertSqls.get(n);
    if (sql) return sql;
    const cols = ['id', 'version_id', 'last_updated', 'deleted', ...this.search.names].map((c) => `"${c}"`);
    const contents = Array.from({ length: n }, (_, i) => `$${i + 5}`).join(', ');
    sql =
      `INSERT INTO "${TYPE}" (${cols.join(', ')}, content, seq, prev_hash, hash)` +
      ` SELECT ${cols.map((c) => `r.${c}`).join(', ')}, c.content, $2::bigint + c.n, c.prev, c.hash` +
      ` FROM ROWS FROM (json_populate_recordset(NULL::"${TYPE}", $1::json)) WITH ORDINALITY AS r` +
      ` JOIN unnest(ARRAY[${contents}]::text[], $3::text[], $4::text[]) WITH ORDINALITY AS c(content, prev, hash, n) ON c.n = r.ordinality` +
      ` ORDER BY c.n`;
    if (this.insertSqls.size < 64) this.insertSqls.set(n, sql);
    return sql;
  }
}

/** Rows per INSERT: each JSON text is a parameter, and a statement takes at most 65,535 (the protocol's limit). */
const MAX_ROWS_PER_STATEMENT = 1000;

function checkEvent(event: AuditEvent): void {
  if (!event || (event as { resourceType?: unknown }).resourceType !== TYPE) {
    throw new TypeError('The audit log only takes AuditEvent resources');
  }
}

/** SQLSTATE classes that say "this data will never be accepted": data exceptions and integrity violations. */
function isDataError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || (code.startsWith('23') && code !== '23505') || code === '54000');
}

function safeJson(e: unknown): string {
  try {
    return JSON.stringify(e);
  } catch {
    return '(not serializable)';
  }
}
