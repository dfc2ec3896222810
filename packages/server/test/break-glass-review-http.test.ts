import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/harness.ts';
import { startPractice, type Practice } from './consent-support.ts';

/**
 * The privacy officer's break-the-glass review queue (docs/consent.md "Reviewing break-the-glass") over HTTP, on the
 * backend the run selects: grants with their reasons, who may list and review, filters, paging, errors, the audit.
 */
let pr: Practice;
let auditor: Record<string, string>;
const api = (path: string, headers: Record<string, string>, method = 'GET', body?: unknown) => request(pr.s.url, method, `api/break-glass${path}`, body, { 'content-type': 'application/json', ...headers });
const breakGlass = (patient: string, reason: string, as: Record<string, string>) =>
  request(pr.s.base, 'POST', `Patient/${patient}/$break-the-glass`, { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: reason }] }, as);
const expectOutcome = (r: { status: number; body: any }, status: number, expression?: string) => {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.resourceType).toBe('OperationOutcome');
  if (expression) expect(r.body.issue[0].expression).toEqual([expression]);
};

beforeAll(async () => {
  pr = await startPractice();
  await pr.s.confide.accounts.createUser({ username: 'bg.auditor', kind: 'staff', roles: ['auditor'], password: 'a long enough passphrase 2026', mfaRequired: false });
  auditor = { authorization: `Bearer ${(await pr.s.confide.oauth.issueToken({ username: 'bg.auditor', scope: 'user/*.rs', ttlSeconds: 3600 })).access_token}` };
  expect((await breakGlass('cs-p3', 'overdose, patient unresponsive', pr.as.main)).status).toBe(200);
  expect((await breakGlass('cs-p1', 'seizure in the waiting room', pr.as.p2)).status).toBe(200);
});
afterAll(async () => {
  await pr?.s.close();
});

describe('the break-the-glass review queue', () => {
  it("shows a clinician's grant, with its reason, to the privacy officer; nobody else may list", async () => {
    const r = await api('', pr.as.privacy);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body.unreviewed).toBe(2);
    expect(r.body.grants.map((g: any) => [g.user, g.patient, g.reason])).toEqual([
      ['cs.p2', 'Patient/cs-p1', 'seizure in the waiting room'],
      ['cs.main', 'Patient/cs-p3', 'overdose, patient unresponsive'],
    ]);
    const g = r.body.grants[1];
    expect(g.practitioner).toMatch(/Practitioner\/cs-doc-main$/);
    expect(Date.parse(g.expires) - Date.parse(g.started)).toBe(60 * 60_000);
    expect(g.review).toBeNull();

    expectOutcome(await api('', pr.as.main), 403);
    expectOutcome(await api('', auditor), 403);
    expectOutcome(await api('', pr.as.patient), 403);
    expectOutcome(await api('', pr.as.system), 403);
    const anonymous = await api('', { authorization: '' });
    expectOutcome(anonymous, 401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectOutcome(await api(`/${g.id}/review`, auditor, 'POST', { outcome: 'appropriate' }), 403);
  });

  it('tells every staff member whether they review, and only a privacy officer how many wait', async () => {
    expect((await api('/summary', pr.as.privacy)).body).toEqual({ reviewer: true, unreviewed: expect.any(Number) });
    for (const who of [pr.as.main, auditor]) {
      const r = await api('/summary', who);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ reviewer: false });
    }
    expectOutcome(await api('/summary', { authorization: '' }), 401);
    expectOutcome(await api('/summary', pr.as.privacy, 'POST', {}), 405);
  });

  it('records a review; filters by status, user, patient and period; pages newest first', async () => {
    const all = (await api('?status=all', pr.as.privacy)).body.grants;
    const main = all.find((g: any) => g.user === 'cs.main');
    const reviewed = await api(`/${main.id}/review`, pr.as.privacy, 'POST', { outcome: 'appropriate', comment: ' ED admission confirmed ' });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
    expect(reviewed.body.review).toMatchObject({ outcome: 'appropriate', comment: 'ED admission confirmed', reviewer: 'cs.po' });

    const unreviewed = (await api('', pr.as.privacy)).body;
    expect(unreviewed.unreviewed).toBe(1);
    expect(unreviewed.grants.map((g: any) => g.user)).toEqual(['cs.p2']);
    expect((await api('?status=reviewed', pr.as.privacy)).body.grants.map((g: any) => g.id)).toEqual([main.id]);
    expect((await api('?status=all&user=cs.main', pr.as.privacy)).body.grants.map((g: any) => g.id)).toEqual([main.id]);
    expect((await api('?status=all&patient=Patient/cs-p1', pr.as.privacy)).body.grants.map((g: any) => g.user)).toEqual(['cs.p2']);
    expect((await api('?status=all&until=2020-01-01', pr.as.privacy)).body.grants).toEqual([]);
    expect((await api(`?status=all&since=${encodeURIComponent(main.started)}`, pr.as.privacy)).body.grants).toHaveLength(2);

    const first = (await api('?status=all&count=1', pr.as.privacy)).body;
    expect(first.grants.map((g: any) => g.user)).toEqual(['cs.p2']);
    expect(first.next).toMatch(/^\/api\/break-glass\?/);
    const second = (await request(pr.s.url, 'GET', first.next.slice(1), undefined, pr.as.privacy)).body;
    expect(second.grants.map((g: any) => g.user)).toEqual(['cs.main']);
    expect(second.next).toBeUndefined();

    // A revised review replaces the earlier one.
    const revised = await api(`/${main.id}/review`, pr.as.privacy, 'POST', { outcome: 'needs-follow-up', comment: 'ask the ED for the record' });
    expect(revised.body.review.outcome).toBe('needs-follow-up');
  });

  it('answers bad input with a 4xx OperationOutcome naming what is wrong', async () => {
    const grant = (await api('?status=all', pr.as.privacy)).body.grants[0];
    expectOutcome(await api('/no-such-grant/review', pr.as.privacy, 'POST', { outcome: 'appropriate' }), 404);
    expectOutcome(await api(`/${grant.id}/review`, pr.as.privacy, 'POST', { outcome: 'fine' }), 400, 'outcome');
    expectOutcome(await api(`/${grant.id}/review`, pr.as.privacy, 'POST', { outcome: 'inappropriate' }), 400, 'comment');
    expectOutcome(await api(`/${grant.id}/review`, pr.as.privacy, 'POST', { outcome: 'appropriate', by: 'x' }), 400, 'by');
    expectOutcome(await api(`/${grant.id}/review`, pr.as.privacy, 'POST', '{not json'), 400);
    expectOutcome(await api(`/${grant.id}/review`, { ...pr.as.privacy, 'content-type': 'text/plain' }, 'POST', 'appropriate'), 415);
    expectOutcome(await api(`/${grant.id}/review`, pr.as.privacy), 405);
    expectOutcome(await api('?status=open', pr.as.privacy), 400, 'status');
    expectOutcome(await api('?since=yesterday', pr.as.privacy), 400, 'since');
    expectOutcome(await api('?count=500', pr.as.privacy), 400, 'count');
    expectOutcome(await api('?cursor=abc', pr.as.privacy), 400, 'cursor');
    expectOutcome(await api('?sort=asc', pr.as.privacy), 400, 'sort');
    expectOutcome(await api('/elsewhere', pr.as.privacy), 404);
    // Nobody reviews their own emergency access.
    expect((await breakGlass('cs-p4', 'chest pain, consent unclear', pr.as.privacy)).status).toBe(200);
    const own = (await api('?user=cs.po', pr.as.privacy)).body.grants[0];
    expectOutcome(await api(`/${own.id}/review`, pr.as.privacy, 'POST', { outcome: 'appropriate' }), 403);
  });

  it('audits every list and review with the query and the patients, never a reason or comment', async () => {
    let events: any[] = [];
    for (let i = 0; i < 50; i++) {
      await pr.s.confide.audit?.flush();
      const r = await request(pr.s.base, 'GET', 'AuditEvent?altid=cs.po&_count=200', undefined, pr.as.privacy);
      events = (r.body.entry ?? []).map((e: any) => e.resource);
      if (events.some((e) => queryOf(e)?.includes('/review'))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const reviews = events.filter((e) => queryOf(e)?.includes('/review') && e.outcome === '0');
    expect(reviews.length).toBeGreaterThanOrEqual(2);
    expect(reviews[0].entity.map((x: any) => x.what?.reference).filter(Boolean)).toEqual(['Patient/cs-p3']);
    expect(events.some((e) => queryOf(e)?.startsWith('api/break-glass?status=all') && e.outcome === '0')).toBe(true);
    expect(events.some((e) => queryOf(e) === 'api/break-glass?status=open' && e.outcome === '4')).toBe(true);
    const text = JSON.stringify(events);
    for (const secret of ['unresponsive', 'seizure', 'ED admission', 'ask the ED']) expect(text).not.toContain(secret);
  });
});

function queryOf(e: any): string | undefined {
  const q = e.entity?.find((x: any) => x.query)?.query;
  return q ? Buffer.from(q, 'base64').toString('utf8') : undefined;
}
