import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/harness.ts';
import { noteAuthorization as authorization, outcomes, refs, startPractice, type Practice } from './consent-support.ts';

/**
 * Release of psychotherapy notes under a specific HIPAA authorization (45 CFR 164.508(a)(2); docs/consent.md,
 * "Releasing a psychotherapy note") end to end over HTTP: without one a note does not exist for anyone but its author
 * and delegates; with one it opens to the recipient it names, and only the note it names, while it is active and in
 * its period; only the author or a privacy officer may write one.
 *
 * The practice (consent-support.ts): the therapist cs-doc-ther wrote cs-note5 for cs-p5, whose records nothing else
 * withholds, so the tests can also see that nothing ever says "withheld". cs-doc-main is the clinician the
 * authorizations name; cs-doc-p2 and cs-doc-del are other clinicians of the same clinic.
 */
let pr: Practice;
type User = keyof Practice['as'];
const NOTE = 'https://confide.health/fhir/CodeSystem/note-type';
const get = (user: User, path: string, headers: Record<string, string> = {}) => request(pr.s.base, 'GET', path, undefined, { ...pr.as[user], ...headers });
const put = (user: User, path: string, body: unknown) => request(pr.s.base, 'PUT', path, body, pr.as[user]);

/** What `user` sees of cs-p5's psychotherapy notes through every way out, and whether anything says "withheld". */
async function seen(user: User, headers: Record<string, string> = {}) {
  const search = await get(user, 'Composition?patient=cs-p5&_total=accurate', headers);
  const everything = await get(user, 'Patient/cs-p5/$everything', headers);
  const compositions = (b: any) => refs(b).filter((r) => r.startsWith('Composition/'));
  return {
    read: (await get(user, 'Composition/cs-note5', headers)).status,
    vread: (await get(user, 'Composition/cs-note5/_history/1', headers)).status,
    history: (await get(user, 'Composition/cs-note5/_history', headers)).status,
    readOther: (await get(user, 'Composition/cs-note5b', headers)).status,
    search: compositions(search.body),
    total: search.body.total,
    revinclude: compositions((await get(user, 'Patient?_id=cs-p5&_revinclude=Composition:subject', headers)).body),
    has: refs((await get(user, 'Patient?_id=cs-p5&_has:Composition:subject:_id=cs-note5', headers)).body),
    hasOther: refs((await get(user, 'Patient?_id=cs-p5&_has:Composition:subject:_id=cs-note5b', headers)).body),
    everything: compositions(everything.body),
    suppressed: [...outcomes(search.body), ...outcomes(everything.body)].some((i) => i.code === 'suppressed'),
  };
}

const HIDDEN = { read: 404, vread: 404, history: 404, readOther: 404, search: [], total: 0, revinclude: [], has: [], hasOther: [], everything: [], suppressed: false };
const RELEASED = {
  read: 200,
  vread: 200,
  history: 200,
  readOther: 404,
  search: ['Composition/cs-note5'],
  total: 1,
  revinclude: ['Composition/cs-note5'],
  has: ['Patient/cs-p5'],
  hasOther: [],
  everything: ['Composition/cs-note5'],
  suppressed: false,
};

beforeAll(async () => {
  pr = await startPractice();
  // A second note of the same author for the same patient: no authorization names it.
  const second = await pr.s.confide.handle({
    method: 'PUT',
    path: 'Composition/cs-note5b',
    body: {
      resourceType: 'Composition',
      id: 'cs-note5b',
      status: 'final',
      type: { coding: [{ system: NOTE, code: 'psychotherapy-note' }] },
      subject: { reference: 'Patient/cs-p5' },
      date: '2026-01-13',
      author: [{ reference: 'Practitioner/cs-doc-ther' }],
      title: 'Session 2',
      attester: [{ mode: 'legal', time: '2026-01-13T17:00:00Z', party: { reference: 'Practitioner/cs-doc-ther' } }],
    },
  });
  expect(second.status).toBe(201);
});
afterAll(async () => {
  await pr?.s.close();
});

describe('psychotherapy-note authorizations (45 CFR 164.508(a)(2))', () => {
  it('without one, a clinician who is not the author finds nothing, and nothing says something was withheld', async () => {
    expect(await seen('main')).toEqual(HIDDEN);
    // The author sees both notes.
    const author = await seen('therapist');
    expect(author.search).toEqual(['Composition/cs-note5', 'Composition/cs-note5b']);
  });

  it('a clinician who is not the author cannot authorize the release of the note — nor tell whether it exists', async () => {
    const own = await put('main', 'Consent/cs-auth-self', authorization('cs-auth-self'));
    expect(own.status).toBe(403);
    const none = await put('main', 'Consent/cs-auth-none', authorization('cs-auth-none', { notes: ['Composition/no-such-note'] }));
    expect(none.status).toBe(403);
    expect(none.body.issue[0].details.text.replace('no-such-note', 'X')).toBe(own.body.issue[0].details.text.replace('cs-note5', 'X'));
    // A delegate may read the note, not release it.
    expect((await put('delegate', 'Consent/cs-auth-del', { ...authorization('cs-auth-del', { notes: ['Composition/cs-note'] }), patient: { reference: 'Patient/cs-p1' } })).status).toBe(403);
    // Nor through a transaction Bundle: the write rule runs on every write path.
    const bundle = await request(pr.s.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: authorization('cs-auth-tx'), request: { method: 'PUT', url: 'Consent/cs-auth-tx' } }] }, pr.as.main);
    expect(bundle.status).toBe(403);
    expect(await seen('main')).toEqual(HIDDEN);
  });

  it('an active authorization must count: an expiry, a recipient, notes named by reference (422 otherwise)', async () => {
    const noEnd = authorization('cs-auth-bad', { period: { start: '2026-02-01' } });
    const r = await put('therapist', 'Consent/cs-auth-bad', noEnd);
    expect(r.status).toBe(422);
    expect(r.body.issue[0].expression).toEqual(['Consent.provision.period.end']);
    const noRecipient = await put('therapist', 'Consent/cs-auth-bad', authorization('cs-auth-bad', { recipients: [] }));
    expect(noRecipient.status).toBe(422);
    expect(noRecipient.body.issue[0].expression).toEqual(['Consent.provision.actor']);
  });

  it('the author authorizes one note to one clinician: that clinician sees that note everywhere, and nobody else does', async () => {
    const created = await put('therapist', 'Consent/cs-auth1', authorization('cs-auth1'));
    expect(created.status).toBe(201);
    expect(await seen('main')).toEqual(RELEASED);
    // An authorization naming someone else does not help the other clinicians of the clinic.
    expect(await seen('p2')).toEqual(HIDDEN);
    expect((await get('delegate', 'Composition/cs-note5')).status).toBe(404);
    // The patient: no right of access to psychotherapy notes (164.524(a)(1)(i)), authorization or not.
    expect((await get('patient', 'Composition/cs-note5')).status).toBe(404);
  });

  it('a purpose in the authorization is the only purpose it opens the note for', async () => {
    expect((await put('therapist', 'Consent/cs-auth1', authorization('cs-auth1', { purpose: ['TREAT'] }))).status).toBe(200);
    expect((await get('main', 'Composition/cs-note5')).status).toBe(200);
    expect(await seen('main', { 'x-purpose-of-use': 'HOPERAT' })).toEqual(HIDDEN);
  });

  it('revoked (status inactive, 164.508(b)(5)), it closes the note again at once', async () => {
    expect((await put('therapist', 'Consent/cs-auth1', authorization('cs-auth1', { status: 'inactive' }))).status).toBe(200);
    expect(await seen('main')).toEqual(HIDDEN);
  });

  it('an expired authorization opens nothing', async () => {
    expect((await put('therapist', 'Consent/cs-auth-old', authorization('cs-auth-old', { period: { start: '2025-01-01', end: '2025-06-30' } }))).status).toBe(201);
    expect(await seen('main')).toEqual(HIDDEN);
  });

  it('a privacy officer may record one, naming a PractitionerRole; revoking or deleting it closes the note', async () => {
    const byRole = authorization('cs-auth-po', { recipients: ['PractitionerRole/cs-role-del'] });
    expect((await put('privacy', 'Consent/cs-auth-po', byRole)).status).toBe(201);
    expect((await get('delegate', 'Composition/cs-note5')).status).toBe(200);
    expect((await get('delegate', 'Composition/cs-note5b')).status).toBe(404);
    expect((await get('main', 'Composition/cs-note5')).status).toBe(404);
    // The author may revoke an authorization a privacy officer recorded; a clinician who is not the author may not.
    expect((await put('main', 'Consent/cs-auth-po', { ...byRole, status: 'inactive' })).status).toBe(403);
    expect((await get('delegate', 'Composition/cs-note5')).status).toBe(200);
    expect((await put('therapist', 'Consent/cs-auth-po', { ...byRole, status: 'inactive' })).status).toBe(200);
    expect((await get('delegate', 'Composition/cs-note5')).status).toBe(404);
    // In force again, then deleted (the access table lets no user delete a Consent: the server's own work does).
    expect((await put('privacy', 'Consent/cs-auth-po', byRole)).status).toBe(200);
    expect((await get('delegate', 'Composition/cs-note5')).status).toBe(200);
    expect((await pr.s.confide.handle({ method: 'DELETE', path: 'Consent/cs-auth-po' })).status).toBe(200);
    expect((await get('delegate', 'Composition/cs-note5')).status).toBe(404);
  });
});
