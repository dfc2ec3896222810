import type { Db } from '@confide/store';
import type { GrantFilter, ReviewInput, ReviewOutcome } from './review-queue-params.ts';

/** One emergency-access grant as the review queue shows it (docs/consent.md "Reviewing break-the-glass"). */
export interface GrantRow {
  id: string;
  /** Login name of who broke the glass. */
  user: string;
  practitioner?: string;
  patient: string;
  reason: string;
  started: Date;
  expires: Date;
  review?: { outcome: ReviewOutcome; comment?: string; reviewer: string; reviewed: Date };
}

interface Row {
  id: string;
  username: string;
  practitioner: string | null;
  patient: string;
  reason: string;
  started: Date | string;
  expires: Date | string;
  reviewed_by: string | null;
  reviewed_at: Date | string | null;
  review_outcome: ReviewOutcome | null;
  review_comment: string | null;
}

const COLUMNS = 'id, username, practitioner, patient, reason, started, expires, reviewed_by, reviewed_at, review_outcome, review_comment';

/** The privacy officer's queue of break-the-glass grants (`break_glass`, migrations 0008 and 0012). */
export class BreakGlassReviews {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A page of grants, newest first, and whether more follow. */
  async list(filter: GrantFilter): Promise<{ grants: GrantRow[]; more: boolean }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (filter.status !== 'all') where.push(filter.status === 'unreviewed' ? 'reviewed_at IS NULL' : 'reviewed_at IS NOT NULL');
    if (filter.since) where.push(`started >= ${arg(filter.since.toISOString())}`);
    if (filter.until) where.push(`started < ${arg(filter.until.toISOString())}`);
    if (filter.user) where.push(`username = ${arg(filter.user)}`);
    if (filter.patient) where.push(`patient = ${arg(filter.patient)}`);
    if (filter.after) where.push(`(started, id) < (${arg(filter.after.started.toISOString())}::timestamptz, ${arg(filter.after.id)})`);
    const sql = `SELECT ${COLUMNS} FROM break_glass ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started DESC, id DESC LIMIT ${arg(filter.count + 1)}`;
    // Not a named (prepared) statement: its text depends on the filters.
    const r = await this.db.query<Row>(sql, args);
    return { grants: r.rows.slice(0, filter.count).map(grantRow), more: r.rows.length > filter.count };
  }

  /** How many grants no privacy officer has reviewed yet (the navigation's badge). */
  async unreviewed(): Promise<number> {
    const r = await this.db.query<{ n: number | string }>('SELECT count(*) AS n FROM break_glass WHERE reviewed_at IS NULL', [], 'break-glass:unreviewed');
    return Number(r.rows[0].n);
  }

  async get(id: string): Promise<GrantRow | undefined> {
    const r = await this.db.query<Row>(`SELECT ${COLUMNS} FROM break_glass WHERE id = $1`, [id], 'break-glass:review-get');
    return r.rows[0] ? grantRow(r.rows[0]) : undefined;
  }

  /** Records (or revises) the review of a grant; undefined when there is no such grant. */
  async review(id: string, reviewer: string, input: ReviewInput): Promise<GrantRow | undefined> {
    const r = await this.db.query<Row>(
      `UPDATE break_glass SET reviewed_by = $2, reviewed_at = $3, review_outcome = $4, review_comment = $5 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, reviewer, this.now().toISOString(), input.outcome, input.comment ?? null],
      'break-glass:review',
    );
    return r.rows[0] ? grantRow(r.rows[0]) : undefined;
  }
}

function grantRow(row: Row): GrantRow {
  const g: GrantRow = {
    id: row.id,
    user: row.username,
    patient: row.patient,
    reason: row.reason,
    started: new Date(row.started),
    expires: new Date(row.expires),
  };
  if (row.practitioner) g.practitioner = row.practitioner;
  if (row.reviewed_at && row.reviewed_by && row.review_outcome) {
    g.review = { outcome: row.review_outcome, reviewer: row.reviewed_by, reviewed: new Date(row.reviewed_at) };
    if (row.review_comment) g.review.comment = row.review_comment;
  }
  return g;
}
