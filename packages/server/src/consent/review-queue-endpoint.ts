import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, OperationOutcomeError } from '@confide/fhir';
import { auditActor } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/fhir-audit.ts';
import { readBody } from '../http/read-body.ts';
import type { AccessContext } from '../identity/access-context.ts';
import { challengeOf } from '../oauth/bearer-error.ts';
import { sendJson } from '../oauth/http-util.ts';
import type { BreakGlassReviews, GrantRow } from './break-glass-reviews.ts';
import { cursorOf, parseGrantFilter, parseReview } from './review-queue-params.ts';

/** Where the review queue is served: an API of Confide's own, not FHIR (docs/consent.md "Reviewing break-the-glass"). */
export const REVIEW_QUEUE_PATH = '/api/break-glass';
const REVIEW = /^\/([A-Za-z0-9\-.]{1,64})\/review$/;
const NO_STORE = { 'Cache-Control': 'no-store' };

export interface ReviewQueueOptions {
  reviews: BreakGlassReviews;
  /** The bearer authentication of the FHIR API (a 401 OperationOutcomeError without a valid token). */
  authenticate: (req: IncomingMessage) => Promise<AccessContext>;
  audit?: AuditSink;
}

/**
 * The privacy officer's break-the-glass review queue (issue 5: emergency access is "reported to the privacy officer
 * role"): `GET /api/break-glass` lists grants with their reasons, newest first; `POST /api/break-glass/{id}/review`
 * records the review of one. Only staff with the `privacy-officer` role: anyone else signed in gets 403, as the
 * other role-gated reports answer (`$disclosures`, the audit trail). Answers and errors are JSON (errors as
 * OperationOutcome); every call is audited like a FHIR operation — the query and the patients, never a reason or
 * comment. Resolves false for paths it does not serve.
 */
export function createReviewQueue(options: ReviewQueueOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    const rest = url.pathname.startsWith(REVIEW_QUEUE_PATH) ? url.pathname.slice(REVIEW_QUEUE_PATH.length) : undefined;
    if (rest === undefined || (rest !== '' && !rest.startsWith('/'))) return false;
    let access: AccessContext | undefined;
    const query = `${url.pathname.slice(1)}${url.search}`;
    try {
      access = await options.authenticate(req);
      const method = (req.method ?? 'GET').toUpperCase();
      const review = REVIEW.exec(rest);
      if (rest === '/summary') {
        // For the navigation of every staff member: whether they review, and (if so) how many wait. It names no
        // patient and no grant, so others get a plain "no" rather than a 403 on every page (each one a browser
        // console error and an audit record), and it is not audited itself.
        if (method !== 'GET') throw errors.methodNotAllowed('The review summary takes GET');
        req.resume();
        const reviewer = isOfficer(access);
        sendJson(res, 200, reviewer ? { reviewer, unreviewed: await options.reviews.unreviewed() } : { reviewer }, NO_STORE);
      } else if (rest === '' || rest === '/') {
        if (method !== 'GET') throw errors.methodNotAllowed('The review queue takes GET');
        req.resume();
        officer(access);
        const filter = parseGrantFilter(url.searchParams);
        const page = await options.reviews.list(filter);
        const body: Record<string, unknown> = { grants: page.grants.map(grantJson), unreviewed: await options.reviews.unreviewed() };
        if (page.more) {
          const next = new URLSearchParams(url.searchParams);
          next.set('cursor', cursorOf(page.grants[page.grants.length - 1]));
          body.next = `${REVIEW_QUEUE_PATH}?${next}`;
        }
        audit(access, query, 200, page.grants.map((g) => g.patient));
        sendJson(res, 200, body, NO_STORE);
      } else if (review) {
        if (method !== 'POST') throw errors.methodNotAllowed('A review is recorded with POST');
        officer(access);
        const input = parseReview(await readJson(req));
        const grant = await options.reviews.get(review[1]);
        if (!grant) throw errors.notFound(`No break-the-glass grant ${review[1]}`);
        // Separation of duties: nobody signs off their own emergency access.
        if (grant.user === (access.username ?? access.actor.userId)) throw errors.forbidden('A privacy officer does not review their own emergency access');
        const reviewed = await options.reviews.review(grant.id, access.username ?? access.actor.userId, input);
        if (!reviewed) throw errors.notFound(`No break-the-glass grant ${review[1]}`);
        audit(access, query, 200, [grant.patient]);
        sendJson(res, 200, grantJson(reviewed), NO_STORE);
      } else {
        req.resume();
        throw errors.notFound(`Nothing at ${url.pathname}`);
      }
    } catch (err) {
      if (!(err instanceof OperationOutcomeError)) throw err;
      req.resume();
      if (access) audit(access, query, err.status, [], err.outcome.issue?.[0]?.code);
      sendJson(res, err.status, err.outcome, err.status === 401 ? { ...NO_STORE, 'WWW-Authenticate': challengeOf(err) } : NO_STORE);
    }
    return true;
  };

  function audit(access: AccessContext, query: string, status: number, patients: string[], failure?: string): void {
    options.audit?.add({
      kind: 'rest',
      interaction: 'operation',
      actor: auditActor(access),
      remoteAddress: access.remoteAddress,
      outcome: { status, text: failure },
      patients: [...new Set(patients)],
      query,
      recorded: new Date(),
    });
  }
}

function isOfficer(access: AccessContext): boolean {
  return access.actor.kind === 'staff' && access.actor.roles.includes('privacy-officer');
}

function officer(access: AccessContext): void {
  if (!isOfficer(access)) throw errors.forbidden('The break-the-glass review queue is for the privacy officer');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const mime = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mime !== 'application/json' && mime !== 'application/fhir+json') {
    req.resume();
    throw errors.unsupportedMediaType('Send the review as application/json');
  }
  const raw = await readBody(req, 64 * 1024);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw errors.badRequest('The body is not valid JSON');
  }
}

function grantJson(g: GrantRow): Record<string, unknown> {
  return {
    id: g.id,
    user: g.user,
    ...(g.practitioner ? { practitioner: g.practitioner } : {}),
    patient: `Patient/${g.patient}`,
    reason: g.reason,
    started: g.started.toISOString(),
    expires: g.expires.toISOString(),
    review: g.review ? { outcome: g.review.outcome, ...(g.review.comment ? { comment: g.review.comment } : {}), reviewer: g.review.reviewer, reviewed: g.review.reviewed.toISOString() } : null,
  };
}
