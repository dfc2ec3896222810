import { errors, isValidId } from '@confide/fhir';

/**
 * The parameters of the break-the-glass review queue (docs/consent.md "Reviewing break-the-glass"), checked and
 * parsed. Pure: each mistake is a 400 OperationOutcome naming the parameter (`expression`), as FHIR search answers.
 */
export const REVIEW_OUTCOMES = ['appropriate', 'inappropriate', 'needs-follow-up'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export interface GrantFilter {
  status: 'unreviewed' | 'reviewed' | 'all';
  /** Grants started at or after this instant. */
  since?: Date;
  /** Grants started before this instant. */
  until?: Date;
  /** The login name of the user who broke the glass. */
  user?: string;
  /** Bare Patient id. */
  patient?: string;
  count: number;
  /** Keyset: the grants after this one (newest first). */
  after?: { started: Date; id: string };
}

export interface ReviewInput {
  outcome: ReviewOutcome;
  comment?: string;
}

const PARAMS = ['status', 'since', 'until', 'user', 'patient', 'count', 'cursor'];
const MAX_COUNT = 100;
const MAX_COMMENT = 2000;

export function parseGrantFilter(query: URLSearchParams): GrantFilter {
  for (const key of query.keys()) {
    if (!PARAMS.includes(key)) throw errors.badRequest(`Unknown parameter: ${key} (known: ${PARAMS.join(', ')})`, key);
    if (query.getAll(key).length > 1) throw errors.badRequest(`The parameter ${key} is repeated`, key);
  }
  const status = query.get('status') ?? 'unreviewed';
  if (status !== 'unreviewed' && status !== 'reviewed' && status !== 'all') throw errors.badRequest('status is unreviewed, reviewed or all', 'status');
  const filter: GrantFilter = { status, count: 50 };
  for (const key of ['since', 'until'] as const) {
    const v = query.get(key);
    if (v !== null) filter[key] = instant(v, key);
  }
  const user = query.get('user');
  if (user !== null) filter.user = user;
  const patient = query.get('patient');
  if (patient !== null) {
    const id = patient.replace(/^Patient\//, '');
    if (!isValidId(id)) throw errors.badRequest('patient is a Patient id or Patient/<id>', 'patient');
    filter.patient = id;
  }
  const count = query.get('count');
  if (count !== null) {
    if (!/^\d{1,3}$/.test(count) || Number(count) > MAX_COUNT) throw errors.badRequest(`count is 0 to ${MAX_COUNT}`, 'count');
    filter.count = Number(count);
  }
  const cursor = query.get('cursor');
  if (cursor !== null) filter.after = parseCursor(cursor);
  return filter;
}

/** The `cursor` of the page after a grant: its start and id, base64url. */
export function cursorOf(grant: { started: Date; id: string }): string {
  return Buffer.from(`${grant.started.toISOString()}|${grant.id}`, 'utf8').toString('base64url');
}

function parseCursor(cursor: string): { started: Date; id: string } {
  const [started, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(started ?? '');
  if (extra !== undefined || !id || Number.isNaN(at.getTime())) throw errors.badRequest('cursor is not one this server gave', 'cursor');
  return { started: at, id };
}

function instant(v: string, key: string): Date {
  // A date (2026-12-01) or a date-time with a zone, as FHIR's date search takes them.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw errors.badRequest(`${key} is a date (YYYY-MM-DD) or a date-time with a time zone`, key);
  }
  return new Date(v);
}

export function parseReview(body: unknown): ReviewInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.badRequest('The body is a JSON object { "outcome": ..., "comment": ... }');
  const { outcome, comment, ...rest } = body as Record<string, unknown>;
  for (const key of Object.keys(rest)) throw errors.badRequest(`Unknown field: ${key}`, key);
  if (typeof outcome !== 'string' || !(REVIEW_OUTCOMES as readonly string[]).includes(outcome)) {
    throw errors.badRequest(`outcome is one of ${REVIEW_OUTCOMES.join(', ')}`, 'outcome');
  }
  if (comment !== undefined && typeof comment !== 'string') throw errors.badRequest('comment is text', 'comment');
  const text = comment?.trim() || undefined;
  if (text && text.length > MAX_COMMENT) throw errors.badRequest(`comment is limited to ${MAX_COMMENT} characters`, 'comment');
  // A finding that the access was not (or not clearly) justified says why: the record of the review is the point.
  if (outcome !== 'appropriate' && !text) throw errors.badRequest(`A ${outcome} review needs a comment`, 'comment');
  return { outcome: outcome as ReviewOutcome, comment: text };
}
