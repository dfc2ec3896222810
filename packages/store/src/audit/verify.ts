import { ident, type Queryable } from '../db/db.ts';
import { searchIndexer } from '../search/indexer.ts';
import type { SearchIndexer } from '../write-batch.ts';
import { AUDIT_GENESIS_HASH, auditHash } from './audit-log.ts';
import { AuditSearchColumns } from './search-columns.ts';

export interface AuditChainProblem {
  /** The record the problem was found at (the head's seq for problems with the head). */
  seq: number;
  problem: string;
}

export interface AuditChainReport {
  /** True when the chain is intact from seq 1 to the head. */
  ok: boolean;
  /** Records checked. */
  count: number;
  /** The head's seq and hash when the check started (the records after it, appended meanwhile, are not checked). */
  headSeq: number;
  headHash: string;
  problems: AuditChainProblem[];
  /** More problems were found than `maxProblems`; only the first are listed. */
  truncated: boolean;
}

export interface VerifyOptions {
  /** Rows read per query (default 1,000). */
  batchSize?: number;
  /** Stop listing problems after this many (default 1,000); the check still runs to the end. */
  maxProblems?: number;
  /**
   * Also check that each intact record's search columns are the ones its content gives (default true), with
   * the indexer the audit log writes them with (default `searchIndexer`). They are outside the hash; a changed
   * column could hide a record from the audit report or put it in the wrong one.
   */
  searchColumns?: boolean;
  indexer?: SearchIndexer;
}

interface ChainRow {
  seq: string | number;
  id: string;
  deleted: boolean;
  content: string | null;
  prev_hash: string;
  hash: string;
}

const MIN_BIGINT = '-9223372036854775808';

/**
 * Checks the audit trail's hash chain (docs/audit.md): the records 1…head are all there and contiguous,
 * each one's `prev_hash` is the hash of the one before (the genesis hash for the first), each hash is the
 * sha256 of what is stored, no record is marked deleted, and the last one is the head. Any change, deletion,
 * reordering or truncation of stored records shows up here, whoever made it.
 *
 * Reads in seq order, a page at a time with keyset paging (`seq > last`), so the cost is linear in the size
 * of the trail on both backends and a running server may keep appending meanwhile: the check covers the
 * records up to the head as it was when the check started.
 */
export async function verifyAuditChain(db: Queryable, options: VerifyOptions = {}): Promise<AuditChainReport> {
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const maxProblems = options.maxProblems ?? 1000;
  const problems: AuditChainProblem[] = [];
  let found = 0;
  const problem = (seq: number, text: string) => {
    found++;
    if (problems.length < maxProblems) problems.push({ seq, problem: text });
  };

  const head = await db.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
  if (!head.rows[0]) {
    problem(0, 'the chain head (audit_chain_head) is missing');
    return { ok: false, count: 0, headSeq: 0, headHash: '', problems, truncated: false };
  }
  const headSeq = Number(head.rows[0].seq);
  const headHash = head.rows[0].hash;
  const columns = options.searchColumns === false ? undefined : new AuditSearchColumns(options.indexer ?? searchIndexer);
  const compareSql = columns?.names.length ? searchColumnsMismatchSql(columns.names) : undefined;

  let count = 0;
  let lastSeq = 0;
  let prevHash = AUDIT_GENESIS_HASH;
  let after = MIN_BIGINT;
  for (;;) {
    const page = await db.query<ChainRow>(
      `SELECT seq, id, deleted, content, prev_hash, hash FROM "AuditEvent" WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT ${batchSize}`,
      [after, headSeq],
    );
    const expected: Record<string, unknown>[] = [];
    for (const row of page.rows) {
      const seq = Number(row.seq);
      count++;
      if (seq > lastSeq + 1) {
        problem(seq, seq === lastSeq + 2 ? `record ${lastSeq + 1} is missing` : `records ${lastSeq + 1} to ${seq - 1} are missing`);
      } else if (seq <= lastSeq) {
        problem(seq, `out of sequence after record ${lastSeq}`);
      } else if (row.prev_hash !== prevHash) {
        problem(seq, seq === 1 ? 'prev_hash is not the genesis hash' : `prev_hash does not match the hash of record ${lastSeq}`);
      }
      const content = row.content ?? '';
      if (auditHash(row.prev_hash, seq, content) !== row.hash) {
        problem(seq, 'the stored hash does not match the record (its content, seq or hash was changed)');
      } else if (compareSql && columns && row.content !== null) {
        const parsed = parseContent(row.content);
        if (parsed) expected.push(columns.addTo({ seq }, columns.values(parsed)));
      }
      if (row.deleted || row.content === null) problem(seq, 'the record is marked deleted');
      else if (!content.startsWith(`{"resourceType":"AuditEvent","id":${JSON.stringify(row.id)},`) && contentId(content) !== row.id) {
        problem(seq, `the id column (${row.id}) is not the record's id`);
      }
      // Carry on from what is stored, so that one changed record is reported once, not at every later one.
      lastSeq = Math.max(lastSeq, seq);
      prevHash = row.hash;
    }
    if (compareSql && expected.length) {
      const wrong = await db.query<{ seq: string | number }>(compareSql, [JSON.stringify(expected)]);
      for (const w of wrong.rows) problem(Number(w.seq), 'the search columns do not match the record (an audit report could miss it or list it wrongly)');
    }
    if (page.rows.length < batchSize) break;
    after = String(page.rows[page.rows.length - 1].seq);
  }

  if (lastSeq < headSeq) {
    problem(headSeq, lastSeq + 1 === headSeq ? `record ${headSeq} (the head) is missing` : `records ${lastSeq + 1} to ${headSeq} (the head) are missing`);
  } else if (headSeq > 0 && prevHash !== headHash) {
    problem(headSeq, 'the last record does not match the chain head');
  } else if (headSeq === 0 && headHash !== AUDIT_GENESIS_HASH) {
    problem(0, 'the chain head of an empty trail is not the genesis hash');
  }

  // Records beyond the head as it is now belong to no committed append: the head was moved back.
  // (Head and count in one statement, so an append committing meanwhile cannot be mistaken for this.)
  const beyond = await db.query<{ seq: string | number; n: string | number; first: string | number | null }>(
    `SELECT h.seq, (SELECT count(*) FROM "AuditEvent" a WHERE a.seq > h.seq) AS n, (SELECT min(a.seq) FROM "AuditEvent" a WHERE a.seq > h.seq) AS first
       FROM audit_chain_head h WHERE h.id = 1`,
  );
  const now = beyond.rows[0];
  if (!now) problem(headSeq, 'the chain head (audit_chain_head) disappeared during the check');
  else {
    if (Number(now.seq) < headSeq) problem(headSeq, `the chain head moved back from ${headSeq} to ${now.seq} during the check`);
    if (Number(now.n) > 0) problem(Number(now.first), `${now.n} record(s) after the chain head (${now.seq})`);
  }

  return { ok: found === 0, count, headSeq, headHash, problems, truncated: found > problems.length };
}

/** The records of a page whose stored search columns differ from those made again from their content. */
function searchColumnsMismatchSql(names: readonly string[]): string {
  const cols = (alias: string) => names.map((n) => `${alias}.${ident(n)}`).join(', ');
  return (
    `SELECT x.seq FROM json_populate_recordset(NULL::"AuditEvent", $1::json) x JOIN "AuditEvent" a ON a.seq = x.seq` +
    ` WHERE (${cols('a')}) IS DISTINCT FROM (${cols('x')}) ORDER BY x.seq`
  );
}

function parseContent(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return undefined;
  }
}

function contentId(content: string): string | undefined {
  try {
    const id = (JSON.parse(content) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
