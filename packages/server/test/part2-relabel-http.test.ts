import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putEntry, request } from './support/harness.ts';
import { labelCodes, startPractice, type Practice } from './consent-support.ts';

/**
 * Designating a Part 2 program through the API relabels the program's older records in the background
 * (docs/consent.md "Relabelling stored records"): over HTTP, on the backend the run selects.
 */
let pr: Practice;
let officer: Record<string, string>;
const DESIGNATION = { system: 'https://confide.health/fhir/CodeSystem/organization-designation', code: 'part2-program' };
const ICD = 'http://hl7.org/fhir/sid/icd-10-cm';

beforeAll(async () => {
  pr = await startPractice();
  // Writing the directory needs admin (or front desk); the designation needs the privacy officer: the demo's gliu.
  await pr.s.confide.accounts.createUser({ username: 'rl.officer', kind: 'staff', fhirUser: 'Practitioner/cs-doc-po', roles: ['admin', 'privacy-officer'], password: 'a long enough passphrase 2026', mfaRequired: false });
  officer = { authorization: `Bearer ${(await pr.s.confide.oauth.issueToken({ username: 'rl.officer', scope: 'user/*.cruds', ttlSeconds: 3600 })).access_token}` };
});
afterAll(async () => {
  await pr?.s.close();
});

/** The stored labels of a record (read as the server: a Part 2 record is hidden from every test client here). */
async function stored(path: string): Promise<string[]> {
  const [type, id] = path.split('/');
  return labelCodes(JSON.parse((await pr.s.confide.repo.readCurrent(type, id))!.json!));
}

/** Polls (bounded) until the record carries the Part 2 labels. */
async function labelled(path: string): Promise<string[]> {
  let codes: string[] = [];
  for (let i = 0; i < 100 && !codes.includes('42CFRPart2'); i++) {
    if (i) await new Promise((r) => setTimeout(r, 100));
    codes = await stored(path);
  }
  return codes;
}

describe('relabelling after a Part 2 designation through the API', () => {
  it("labels the program's older records and hides them from an outside clinician; ending the designation keeps them Part 2 records", async () => {
    const setup = await request(pr.s.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        putEntry({ resourceType: 'Organization', id: 'rl-late', name: 'Later program' }),
        putEntry({ resourceType: 'Encounter', id: 'rl-enc', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/cs-p4' }, serviceProvider: { reference: 'Organization/rl-late' } }),
        putEntry({ resourceType: 'Condition', id: 'rl-cond', subject: { reference: 'Patient/cs-p4' }, encounter: { reference: 'Encounter/rl-enc' }, code: { coding: [{ system: ICD, code: 'J06.9' }] } }),
        putEntry({ resourceType: 'Condition', id: 'rl-other', subject: { reference: 'Patient/cs-p4' }, code: { coding: [{ system: ICD, code: 'I10' }] } }),
      ],
    });
    expect(setup.status).toBe(200);
    const main = pr.as.main;
    expect((await request(pr.s.base, 'GET', 'Condition/rl-cond', undefined, main)).status).toBe(200);

    const org = (await request(pr.s.base, 'GET', 'Organization/rl-late')).body;
    const designated = await request(pr.s.base, 'PUT', 'Organization/rl-late', { ...org, meta: { tag: [DESIGNATION] } }, officer);
    expect(designated.status).toBe(200);

    for (const path of ['Encounter/rl-enc', 'Condition/rl-cond']) expect(await labelled(path)).toEqual(expect.arrayContaining(['42CFRPart2', 'NORDSCLCD', 'R']));
    expect(await stored('Condition/rl-other')).not.toContain('42CFRPart2');
    expect((await request(pr.s.base, 'GET', 'Condition/rl-cond', undefined, main)).status).toBe(404);
    expect((await request(pr.s.base, 'GET', 'Encounter/rl-enc', undefined, main)).status).toBe(404);
    expect((await request(pr.s.base, 'GET', 'Condition/rl-other', undefined, main)).status).toBe(200);

    // The request is done and gone (the run ends after its last page), and the run is one system AuditEvent naming the program.
    let events: any[] = [];
    for (let i = 0; i < 100 && events.length === 0; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      await pr.s.confide.audit?.flush();
      events = (await request(pr.s.base, 'GET', 'AuditEvent?entity=Organization/rl-late&altid=confide')).body.entry ?? [];
    }
    expect(events.length).toBe(1);
    expect((await pr.s.confide.db.query('SELECT program FROM relabel_request')).rows).toEqual([]);

    // Ending the designation (here by JSON Patch) does not release them: a program's records stay Part 2 records.
    const ended = await request(pr.s.base, 'PATCH', 'Organization/rl-late', JSON.stringify([{ op: 'test', path: '/meta/tag/0/code', value: 'part2-program' }, { op: 'remove', path: '/meta/tag' }]), {
      ...officer,
      'content-type': 'application/json-patch+json',
    });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect((await request(pr.s.base, 'GET', 'Condition/rl-cond', undefined, main)).status).toBe(404);
    expect(await stored('Condition/rl-cond')).toContain('42CFRPart2');
  });

  it('designating inside a transaction Bundle relabels too; a refused designation stores no request', async () => {
    await request(pr.s.base, 'POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        putEntry({ resourceType: 'Organization', id: 'rl-tx', name: 'Program by transaction' }),
        putEntry({ resourceType: 'Encounter', id: 'rl-enc-tx', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/cs-p4' }, serviceProvider: { reference: 'Organization/rl-tx' } }),
      ],
    });
    const refused = await request(pr.s.base, 'PUT', 'Organization/rl-tx', { resourceType: 'Organization', id: 'rl-tx', name: 'x', meta: { tag: [DESIGNATION] } }, pr.as.main);
    expect(refused.status).toBe(403);
    expect((await pr.s.confide.db.query('SELECT program FROM relabel_request')).rows).toEqual([]);
    const tx = await request(pr.s.base, 'POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [putEntry({ resourceType: 'Organization', id: 'rl-tx', name: 'Program by transaction', meta: { tag: [DESIGNATION] } })] }, officer);
    expect(tx.status).toBe(200);
    expect(await labelled('Encounter/rl-enc-tx')).toContain('42CFRPart2');
  });
});
