import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAddendum, cosignNote, newNote, signNote, SOAP, withSectionText } from '@confide/notes';
import { request, startTestServer, type TestServer, putEntry } from './support/harness.ts';

/**
 * The note lifecycle over HTTP with real accounts (docs/notes.md): draft, autosave, sign, refused edits on every
 * write path, co-sign, addendum.
 */
let s: TestServer;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
let ther1: Record<string, string>;
let ther2: Record<string, string>;
let sup: Record<string, string>;
const T = '2026-03-02T15:00:00Z';

beforeAll(async () => {
  s = await startTestServer();
  const put = putEntry;
  const role = (id: string) => put({ resourceType: 'PractitionerRole', id: `nh-role-${id}`, practitioner: { reference: `Practitioner/nh-${id}` }, organization: { reference: 'Organization/nh-org' } });
  const setup = await request(s.base, 'POST', '', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      put({ resourceType: 'Organization', id: 'nh-org', name: 'Clinic' }),
      ...['ther1', 'ther2', 'sup'].flatMap((id) => [put({ resourceType: 'Practitioner', id: `nh-${id}` }), role(id)]),
      put({ resourceType: 'Patient', id: 'nh-p1', managingOrganization: { reference: 'Organization/nh-org' } }),
      put({ resourceType: 'Patient', id: 'nh-p2', managingOrganization: { reference: 'Organization/nh-org' } }),
      put({ resourceType: 'Encounter', id: 'nh-e1', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: 'Patient/nh-p1' } }),
    ],
  });
  expect(setup.status).toBe(200);
  const password = 'a long enough passphrase 2026';
  for (const id of ['ther1', 'ther2', 'sup']) {
    await s.confide.accounts.createUser({ username: `nh.${id}`, kind: 'staff', fhirUser: `Practitioner/nh-${id}`, roles: ['clinician'], password, mfaRequired: false });
  }
  const token = async (username: string) => auth((await s.confide.oauth.issueToken({ username, scope: 'user/*.cruds', ttlSeconds: 900 })).access_token);
  ther1 = await token('nh.ther1');
  ther2 = await token('nh.ther2');
  sup = await token('nh.sup');
});
afterAll(async () => {
  await s?.close();
});

const draftNote = () => newNote(SOAP, { patient: 'Patient/nh-p1', encounter: 'Encounter/nh-e1', author: 'Practitioner/nh-ther1', date: T });
const refusal = (r: { status: number; body: any }) => [r.status, r.body.issue?.[0]?.code, r.body.issue?.[0]?.expression?.[0]];

async function signedNote(): Promise<any> {
  const created = await request(s.base, 'POST', 'Composition', withSectionText(draftNote(), 0, 'Feels better this week.'), ther1);
  expect(created.status).toBe(201);
  const signed = await request(s.base, 'PUT', `Composition/${created.body.id}`, signNote(created.body, 'Practitioner/nh-ther1', T), { ...ther1, 'if-match': 'W/"1"' });
  expect(signed.status).toBe(200);
  return signed.body;
}

describe('notes over HTTP', () => {
  it('draft → autosave → sign → edit refused → co-sign → addendum', async () => {
    const created = await request(s.base, 'POST', 'Composition', draftNote(), ther1);
    expect(created.status).toBe(201);
    const id = created.body.id;
    // Autosave: PUT with If-Match, twice.
    let note = created.body;
    for (const [i, text] of ['Feels better this week.', 'Calm, good eye contact.'].entries()) {
      const saved = await request(s.base, 'PUT', `Composition/${id}`, withSectionText(note, i, text), { ...ther1, 'if-match': `W/"${note.meta.versionId}"` });
      expect(saved.status).toBe(200);
      note = saved.body;
    }
    // A stale autosave is a 412, not an overwrite.
    expect((await request(s.base, 'PUT', `Composition/${id}`, note, { ...ther1, 'if-match': 'W/"1"' })).status).toBe(412);
    // Another clinician may not edit the draft.
    expect(refusal(await request(s.base, 'PUT', `Composition/${id}`, withSectionText(note, 2, 'x'), ther2))).toEqual([422, 'business-rule', 'Composition.author']);
    // Nor sign it in their own name, nor in the author's.
    expect(refusal(await request(s.base, 'PUT', `Composition/${id}`, signNote(note, 'Practitioner/nh-ther2', T), ther2))[0]).toBe(422);
    expect(refusal(await request(s.base, 'PUT', `Composition/${id}`, signNote(note, 'Practitioner/nh-ther1', T), ther2))[0]).toBe(422);
    const signed = await request(s.base, 'PUT', `Composition/${id}`, signNote(note, 'Practitioner/nh-ther1', T), { ...ther1, 'if-match': `W/"${note.meta.versionId}"` });
    expect(signed.status).toBe(200);
    expect(signed.body.status).toBe('final');
    note = signed.body;

    // Every way of changing a signed note is refused, and nothing is written.
    const edit = withSectionText(note, 3, 'Changed.');
    expect(refusal(await request(s.base, 'PUT', `Composition/${id}`, edit, ther1))).toEqual([422, 'business-rule', 'Composition.status']);
    const patch = [{ op: 'replace', path: '/title', value: 'Other' }];
    expect(refusal(await request(s.base, 'PATCH', `Composition/${id}`, patch, { ...ther1, 'content-type': 'application/json-patch+json' }))).toEqual([422, 'business-rule', 'Composition.status']);
    // Clinicians may not delete notes at all (the role table); the system client may delete drafts only.
    expect((await request(s.base, 'DELETE', `Composition/${id}`, undefined, ther1)).status).toBe(403);
    expect(refusal(await request(s.base, 'DELETE', `Composition/${id}`))).toEqual([422, 'business-rule', 'Composition.status']);
    expect(refusal(await request(s.base, 'PUT', `Composition?_id=${id}`, edit, ther1))).toEqual([422, 'business-rule', 'Composition.status']);
    expect(refusal(await request(s.base, 'DELETE', `Composition?_id=${id}`))[0]).toBe(422);
    // The unrestricted system client (import) is held to the same rules.
    expect(refusal(await request(s.base, 'PUT', `Composition/${id}`, edit))).toEqual([422, 'business-rule', 'Composition.status']);
    expect((await request(s.base, 'GET', `Composition/${id}`, undefined, ther1)).body.meta.versionId).toBe(note.meta.versionId);

    // Co-sign by the supervisor: the one change a signed note takes (besides entered-in-error).
    expect(refusal(await request(s.base, 'PUT', `Composition/${id}`, cosignNote(note, 'Practitioner/nh-sup', T), ther2))).toEqual([422, 'business-rule', 'Composition.attester[1].party']);
    const cosigned = await request(s.base, 'PUT', `Composition/${id}`, cosignNote(note, 'Practitioner/nh-sup', T), sup);
    expect(cosigned.status).toBe(200);
    expect(cosigned.body.attester.map((a: any) => a.mode)).toEqual(['legal', 'professional']);

    // Addendum: a new note that appends to the signed one, with its own draft → signed lifecycle.
    const add = await request(s.base, 'POST', 'Composition', withSectionText(asAddendum(draftNote(), cosigned.body), 0, 'Late entry: called the pharmacy.'), ther1);
    expect(add.status).toBe(201);
    const addSigned = await request(s.base, 'PUT', `Composition/${add.body.id}`, signNote(add.body, 'Practitioner/nh-ther1', T), ther1);
    expect(addSigned.status).toBe(200);
    const found = await request(s.base, 'GET', `Composition?subject=Patient/nh-p1&_count=100`, undefined, ther1);
    expect(found.body.entry.map((e: any) => e.resource.id)).toEqual(expect.arrayContaining([id, add.body.id]));
  });

  it('an addendum to a draft, to another patient’s note or to an unknown note is refused', async () => {
    const draft = await request(s.base, 'POST', 'Composition', draftNote(), ther1);
    expect(refusal(await request(s.base, 'POST', 'Composition', asAddendum(draftNote(), draft.body), ther1))).toEqual([422, 'business-rule', 'Composition.relatesTo[0].targetReference']);
    const signed = await signedNote();
    const wrongPatient = { ...asAddendum(draftNote(), signed), subject: { reference: 'Patient/nh-p2' } };
    expect(refusal(await request(s.base, 'POST', 'Composition', wrongPatient, ther1))).toEqual([422, 'business-rule', 'Composition.subject']);
    const unknown = asAddendum(draftNote(), { ...signed, id: 'no-such-note' });
    expect(refusal(await request(s.base, 'POST', 'Composition', unknown, ther1))).toEqual([422, 'business-rule', 'Composition.relatesTo[0].targetReference']);
  });

  it('a transaction with one refused entry writes nothing; a batch refuses only that entry', async () => {
    const signed = await signedNote();
    const marker = `tx-${Date.now()}`;
    const entries = [
      { resource: { ...draftNote(), title: marker }, request: { method: 'POST', url: 'Composition' } },
      { resource: withSectionText(signed, 2, 'Edited'), request: { method: 'PUT', url: `Composition/${signed.id}` } },
    ];
    const tx = await request(s.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: entries }, ther1);
    expect(tx.status).toBe(422);
    expect(tx.body.issue[0].code).toBe('business-rule');
    expect(tx.body.issue[0].expression[0]).toMatch(/^Bundle\.entry\[1\]/);
    const written = await request(s.base, 'GET', `Composition?title=${marker}&_total=accurate`, undefined, ther1);
    expect(written.body.total).toBe(0);
    const batch = await request(s.base, 'POST', '', { resourceType: 'Bundle', type: 'batch', entry: entries }, ther1);
    expect(batch.status).toBe(200);
    expect(batch.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '422 Unprocessable Entity']);
    expect(batch.body.entry[1].response.outcome.issue[0].expression[0]).toBe('Bundle.entry[1].resource.status');
  });

  it('a signed note is marked entered-in-error, and then it is frozen', async () => {
    const signed = await signedNote();
    const retracted = await request(s.base, 'PUT', `Composition/${signed.id}`, { ...signed, status: 'entered-in-error' }, ther1);
    expect(retracted.status).toBe(200);
    expect(refusal(await request(s.base, 'PUT', `Composition/${signed.id}`, { ...retracted.body, status: 'final' }, ther1))).toEqual([422, 'business-rule', 'Composition.status']);
  });

  it('a draft can be deleted (by a client allowed to delete); a note signed by someone who is not an author is refused on create', async () => {
    const draft = await request(s.base, 'POST', 'Composition', draftNote(), ther1);
    expect((await request(s.base, 'DELETE', `Composition/${draft.body.id}`)).status).toBe(200);
    const forged = signNote(draftNote(), 'Practitioner/nh-ther2', T);
    expect(refusal(await request(s.base, 'POST', 'Composition', forged))).toEqual([422, 'business-rule', 'Composition.attester[0].party']);
  });
});
