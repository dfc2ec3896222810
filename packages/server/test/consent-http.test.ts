import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/harness.ts';
import { ACT, CONF, labelCodes, outcomes, refs, startPractice, type Practice } from './consent-support.ts';

/**
 * Consent and segmentation end to end over HTTP (issue #5, docs/consent.md): write-time labels, psychotherapy
 * notes, 42 CFR Part 2, patient consents, purpose of use, break-the-glass, the redisclosure notice and the
 * withheld-by-consent signal — through read, search (with _total, _include, chains, _has), $everything, history and
 * vread. Each rule has a permit and a deny case.
 */
let pr: Practice;
type User = keyof Practice['as'];
const get = (user: User, path: string, headers: Record<string, string> = {}) => request(pr.s.base, 'GET', path, undefined, { ...pr.as[user], ...headers });

beforeAll(async () => {
  pr = await startPractice();
});
afterAll(async () => {
  await pr?.s.close();
});

describe('labels at write time', () => {
  it('the rules label content, psychotherapy notes and everything a designated Part 2 program keeps', async () => {
    // Read by whom may see each: the program's clinician, the note's author, a client the HIV consent does not name.
    const oud = await get('p2', 'Condition/cs-oud');
    expect(labelCodes(oud.body)).toEqual(['42CFRPart2', 'NORDSCLCD', 'R', 'SUD']);
    expect(oud.body.meta.tag).toEqual(expect.arrayContaining([{ system: 'https://confide.health/fhir/CodeSystem/part2-program', code: 'Organization/cs-prog' }]));
    expect(labelCodes((await get('p2', 'Encounter/cs-enc-p2')).body)).toEqual(['42CFRPart2', 'NORDSCLCD', 'R']);
    expect(labelCodes((await get('therapist', 'Composition/cs-note')).body)).toEqual(['HIPAAPsyNotes', 'PSYTHPN', 'V']);
    expect(labelCodes((await get('system', 'Condition/cs-hiv')).body)).toEqual(['HIV', 'R']);
    // Not every record: a plain observation has none; the patient of the program's patient is not a program record.
    expect((await get('system', 'Observation/cs-obs1')).body.meta.security).toBeUndefined();
    expect((await get('system', 'Patient/cs-p1')).body.meta.security).toBeUndefined();
  });

  it('a client may add labels; an update without meta.security keeps them; lowering needs the privacy officer', async () => {
    const created = await request(pr.s.base, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'mood' }, subject: { reference: 'Patient/cs-p1' }, meta: { security: [{ system: ACT, code: 'MH' }] } }, pr.as.main);
    expect(created.status).toBe(201);
    expect(labelCodes(created.body)).toEqual(['MH']);
    const id = created.body.id;
    const { meta: _meta, ...plain } = created.body;
    const kept = await request(pr.s.base, 'PUT', `Observation/${id}`, { ...plain, status: 'amended' }, pr.as.main);
    expect(kept.status).toBe(200);
    expect(labelCodes(kept.body)).toEqual(['MH']);
    // Deny: a clinician removing the label (an update that sends meta.security says which labels it keeps).
    const normal = { security: [{ system: CONF, code: 'N' }] };
    const lowered = await request(pr.s.base, 'PUT', `Observation/${id}`, { ...plain, meta: normal }, pr.as.main);
    expect(lowered.status).toBe(403);
    expect(lowered.body.resourceType).toBe('OperationOutcome');
    expect(lowered.body.issue[0].expression).toEqual(['Observation.meta.security']);
    expect(labelCodes((await get('system', `Observation/${id}`)).body)).toEqual(['MH']);
    // Permit: the privacy officer may.
    const po = await request(pr.s.base, 'PUT', `Observation/${id}`, { ...plain, meta: normal }, pr.as.privacy);
    expect(po.status).toBe(200);
    expect(labelCodes(po.body)).toEqual(['N']);
    // Rule-derived labels come back whoever removes them.
    const hiv = { resourceType: 'Condition', id: 'cs-hiv1', subject: { reference: 'Patient/cs-p1' }, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'Z21' }] } };
    expect(labelCodes((await request(pr.s.base, 'PUT', 'Condition/cs-hiv1', hiv, pr.as.privacy)).body)).toEqual(['HIV', 'R']);
    const back = await request(pr.s.base, 'PUT', 'Condition/cs-hiv1', { ...hiv, meta: normal }, pr.as.privacy);
    expect(back.status).toBe(200);
    expect(labelCodes(back.body)).toEqual(['HIV', 'R']);
  });

  it("designating a Part 2 program needs the privacy officer; a client cannot forge a program tag", async () => {
    const org = (await get('system', 'Organization/cs-main')).body;
    const tag = { system: 'https://confide.health/fhir/CodeSystem/organization-designation', code: 'part2-program' };
    const denied = await request(pr.s.base, 'PUT', 'Organization/cs-main', { ...org, meta: { tag: [tag] } }, { ...pr.as.main });
    // A clinician may not write the directory at all; a front-desk user would be refused by the designation rule.
    expect([403]).toContain(denied.status);
    const forged = await request(
      pr.s.base,
      'POST',
      'Observation',
      { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/cs-p1' }, meta: { tag: [{ system: 'https://confide.health/fhir/CodeSystem/part2-program', code: 'Organization/cs-main' }] } },
      pr.as.main,
    );
    expect(forged.status).toBe(201);
    expect(forged.body.meta.tag).toBeUndefined();
  });
});

describe('psychotherapy notes: their author and delegates only; to everyone else they do not exist', () => {
  it.each([
    ['therapist', 200],
    ['delegate', 200],
    ['main', 404],
    ['p2', 404],
    ['patient', 404],
    ['system', 404],
  ] as [User, number][])('read by %s → %i', async (user, status) => {
    expect((await get(user, 'Composition/cs-note')).status).toBe(status);
    expect((await get(user, 'Composition/cs-note/_history/1')).status).toBe(status);
    expect((await get(user, 'Composition/cs-note/_history')).status).toBe(status);
  });

  it('never in search, _total, _revinclude, _has, $everything or type history for others', async () => {
    for (const [user, sees] of [['therapist', true], ['main', false], ['patient', false], ['system', false]] as [User, boolean][]) {
      const search = await get(user, 'Composition?patient=cs-p1&_total=accurate');
      expect(refs(search.body).includes('Composition/cs-note'), `${user} search`).toBe(sees);
      expect(search.body.total).toBe(sees ? 1 : 0);
      const rev = await get(user, 'Patient?_id=cs-p1&_revinclude=Composition:subject');
      expect(refs(rev.body).includes('Composition/cs-note'), `${user} _revinclude`).toBe(sees);
      const has = await get(user, 'Patient?_has:Composition:subject:type=psychotherapy-note');
      expect(refs(has.body).includes('Patient/cs-p1'), `${user} _has`).toBe(sees);
      const everything = await get(user, 'Patient/cs-p1/$everything');
      expect(everything.status).toBe(200);
      expect(refs(everything.body).includes('Composition/cs-note'), `${user} $everything`).toBe(sees);
      // Not even "withheld": a psychotherapy note's existence is not revealed (cs-p5 has nothing else withheld).
      const p5 = await get(user, 'Patient/cs-p5/$everything');
      expect(refs(p5.body).includes('Composition/cs-note5'), `${user} $everything cs-p5`).toBe(sees);
      expect(outcomes(p5.body).some((i) => i.code === 'suppressed'), `${user} suppressed`).toBe(false);
      expect(outcomes((await get(user, 'Composition?patient=cs-p5')).body).some((i) => i.code === 'suppressed')).toBe(false);
      const history = await get(user, 'Composition/_history');
      expect(refs({ entry: (history.body.entry ?? []).filter((e: any) => e.resource) }).includes('Composition/cs-note'), `${user} history`).toBe(sees);
    }
  });

  it('break-the-glass does not open psychotherapy notes', async () => {
    const btg = await request(pr.s.base, 'POST', 'Patient/cs-p1/$break-the-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'unconscious in the ED' }] }, pr.as.main);
    expect(btg.status).toBe(200);
    expect((await get('main', 'Composition/cs-note')).status).toBe(404);
    // …while it opens the Part 2 record of the same patient.
    expect((await get('main', 'Condition/cs-oud')).status).toBe(200);
  });
});

describe('42 CFR Part 2: within the program, under a sufficient consent, or in an emergency', () => {
  it.each([
    ['p2', 'Condition/cs-oud', 200, 'within the program, for treatment'],
    ['delegate', 'Condition/cs-oud', 404, 'outside the program, no consent'],
    ['patient', 'Condition/cs-oud', 200, 'the patient themself (2.23)'],
    ['system', 'Condition/cs-oud', 404, 'a backend service: no consent names it'],
    ['main', 'Condition/cs-oud2', 200, "outside the program, under the patient's consent naming the clinician, TREAT and SUD"],
    ['delegate', 'Condition/cs-oud2', 404, 'the consent names someone else'],
    ['p2', 'Condition/cs-oud2', 404, "the patient's consent denies everyone else, the program included"],
  ] as [User, string, number, string][])('%s reads %s → %i (%s)', async (user, path, status) => {
    expect((await get(user, path)).status).toBe(status);
  });

  it('purpose of use: the consent permits treatment only; within-program access needs TPO', async () => {
    expect((await get('main', 'Condition/cs-oud2', { 'x-purpose-of-use': 'HOPERAT' })).status).toBe(404);
    expect((await get('main', 'Condition/cs-oud2', { 'x-purpose-of-use': 'TREAT' })).status).toBe(200);
    expect((await get('p2', 'Condition/cs-oud', { 'x-purpose-of-use': 'HPAYMT' })).status).toBe(200);
    const bad = await get('main', 'Condition/cs-oud2', { 'x-purpose-of-use': 'NOT-A-PURPOSE' });
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].expression).toEqual(['http.header.X-Purpose-Of-Use']);
    expect((await get('main', 'Condition/cs-oud2', { 'x-purpose-of-use': 'ETREAT' })).status).toBe(403);
    expect((await get('patient', 'Condition/cs-oud', { 'x-purpose-of-use': 'TREAT' })).status).toBe(403);
  });

  it('searches, chains and includes hide what the read hides, and Part 2 results carry the 2.32 notice', async () => {
    const inside = await get('p2', 'Condition?patient=cs-p1&code=F11.20&_total=accurate');
    expect(refs(inside.body)).toEqual(['Condition/cs-oud']);
    expect(inside.body.total).toBe(1);
    expect(inside.body.meta.security).toEqual(expect.arrayContaining([expect.objectContaining({ code: '42CFRPart2' }), expect.objectContaining({ code: 'NORDSCLCD' })]));
    const notice = outcomes(inside.body).find((i) => i.details?.coding?.[0]?.code === 'NORDSCLCD');
    expect(notice?.details.text).toBe('42 CFR part 2 prohibits unauthorized use or disclosure of these records.');
    const outside = await get('delegate', 'Condition?patient=cs-p1&code=F11.20&_total=accurate');
    expect(refs(outside.body)).toEqual([]);
    expect(outside.body.total).toBe(0);
    expect(outcomes(outside.body).some((i) => i.details?.coding?.[0]?.code === 'NORDSCLCD')).toBe(false);
    // Chained through a hidden Encounter, _include of it, _has from it.
    expect(refs((await get('delegate', 'Condition?encounter.service-provider=Organization/cs-prog')).body)).toEqual([]);
    expect(refs((await get('p2', 'Condition?encounter.service-provider=Organization/cs-prog&patient=cs-p1')).body)).toEqual(['Condition/cs-oud']);
    expect(refs((await get('delegate', 'Patient?_has:Condition:patient:code=F11.20&_id=cs-p1')).body)).toEqual([]);
    expect(refs((await get('p2', 'Patient?_has:Condition:patient:code=F11.20&_id=cs-p1')).body)).toEqual(['Patient/cs-p1']);
    expect(refs((await get('delegate', 'Patient?_id=cs-p1&_revinclude=Encounter:patient')).body)).toEqual(['Patient/cs-p1']);
    expect(refs((await get('p2', 'Patient?_id=cs-p1&_revinclude=Encounter:patient')).body)).toEqual(['Encounter/cs-enc-p2', 'Patient/cs-p1']);
  });

  it('$everything: the program sees it with the notice; outside, it is withheld and says so', async () => {
    const inside = await get('p2', 'Patient/cs-p1/$everything');
    expect(refs(inside.body)).toEqual(expect.arrayContaining(['Condition/cs-oud', 'Encounter/cs-enc-p2', 'Observation/cs-obs1']));
    expect(outcomes(inside.body).some((i) => i.details?.coding?.[0]?.code === 'NORDSCLCD')).toBe(true);
    const outside = await get('delegate', 'Patient/cs-p1/$everything');
    expect(refs(outside.body)).not.toContain('Condition/cs-oud');
    expect(refs(outside.body)).toContain('Observation/cs-obs1');
    expect(outcomes(outside.body).some((i) => i.code === 'suppressed')).toBe(true);
    // The patient's own export: Part 2 records with the notice, never psychotherapy notes.
    const own = await get('patient', 'Patient/cs-p1/$everything');
    expect(refs(own.body)).toEqual(expect.arrayContaining(['Condition/cs-oud', 'Observation/cs-obs1']));
    expect(refs(own.body)).not.toContain('Composition/cs-note');
    expect(outcomes(own.body).some((i) => i.details?.coding?.[0]?.code === 'NORDSCLCD')).toBe(true);
  });
});

describe("patient consents: permit and deny by recipient, purpose, type, label and period", () => {
  it.each([
    ['main', 'Condition/cs-hiv', {}, 404, 'denied: HIV to the main clinic'],
    ['main', 'Observation/cs-obs3', {}, 200, 'permitted: not HIV'],
    ['main', 'Observation/cs-obs4', {}, 200, 'permitted: treatment'],
    ['main', 'Observation/cs-obs4', { 'x-purpose-of-use': 'HOPERAT' }, 404, 'denied: Observations for operations'],
    ['main', 'Observation/cs-obs4', { 'x-purpose-of-use': 'CAREMGT' }, 404, 'denied: CAREMGT is a kind of HOPERAT'],
    ['main', 'Observation/cs-obs5', {}, 200, 'permitted: the deny expired in 2020'],
    ['main', 'Consent/cs-consent-p3', {}, 200, 'the directive itself is never hidden by consent'],
    ['main', 'Patient/cs-p3', {}, 200, 'nor the patient'],
  ] as [User, string, Record<string, string>, number, string][])('%s reads %s %j → %i (%s)', async (user, path, headers, status) => {
    expect((await get(user, path, headers)).status).toBe(status);
  });

  it('search, chain, _include, _has and $everything follow the consent, and say when it withheld something', async () => {
    const conds = await get('main', 'Condition?patient=cs-p3&_total=accurate');
    expect(refs(conds.body)).toEqual([]);
    expect(conds.body.total).toBe(0);
    expect(outcomes(conds.body).some((i) => i.code === 'suppressed')).toBe(true);
    const compartment = await get('main', 'Patient/cs-p3/Condition');
    expect(refs(compartment.body)).toEqual([]);
    expect(outcomes(compartment.body).some((i) => i.code === 'suppressed')).toBe(true);
    // Nothing withheld for a patient without consent-hidden records.
    expect(outcomes((await get('main', 'Observation?patient=cs-p5')).body).some((i) => i.code === 'suppressed')).toBe(false);
    expect(refs((await get('main', 'Observation?focus:Condition.code=B20')).body)).toEqual([]);
    expect(refs((await get('main', 'Observation?patient=cs-p3&_include=Observation:focus')).body)).toEqual(['Observation/cs-obs3']);
    expect(refs((await get('main', 'Condition?_has:Observation:focus:status=final')).body)).toEqual([]);
    const ev = await get('main', 'Patient/cs-p3/$everything');
    expect(refs(ev.body)).toEqual(expect.arrayContaining(['Observation/cs-obs3', 'Patient/cs-p3']));
    expect(refs(ev.body)).not.toContain('Condition/cs-hiv');
    expect(outcomes(ev.body).some((i) => i.code === 'suppressed')).toBe(true);
    // The same searches by the program's clinician, whom the consent does not name: permitted.
    expect(refs((await get('p2', 'Observation?focus:Condition.code=B20')).body)).toEqual([]); // p2 is in the main clinic too
    const ops = await get('main', 'Observation?patient=cs-p4&_total=accurate', { 'x-purpose-of-use': 'HOPERAT' });
    expect(ops.body.total).toBe(0);
    expect((await get('main', 'Observation?patient=cs-p4&_total=accurate')).body.total).toBe(1);
  });

  it('a page with rows says whether consent withheld others of the same search, and a page without withheld rows does not', async () => {
    // cs-p3's HIV diagnosis is denied to the main clinic; a second, plain Condition of cs-p3 stays visible.
    const plain = { resourceType: 'Condition', subject: { reference: 'Patient/cs-p3' }, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I10' }] } };
    const created: string[] = [];
    try {
      const p3 = await request(pr.s.base, 'POST', 'Condition', plain, pr.as.main);
      expect(p3.status).toBe(201);
      created.push(p3.body.id);
      for (const path of ['Condition?patient=cs-p3', 'Patient/cs-p3/Condition', 'Condition?subject=Patient/cs-p3&_sort=-recorded-date']) {
        const page = await get('main', path);
        expect(refs(page.body), path).toEqual([`Condition/${p3.body.id}`]);
        expect(outcomes(page.body).some((i) => i.code === 'suppressed'), path).toBe(true);
      }
      // cs-p1 has Part 2 rows, so something may be withheld from someone; not from the program's clinician.
      const inside = await get('p2', 'Condition?patient=cs-p1');
      expect(refs(inside.body)).toContain('Condition/cs-oud');
      expect(outcomes(inside.body).some((i) => i.code === 'suppressed')).toBe(false);
      // Outside the program the diagnosis is withheld from a page that still has another Condition of cs-p1.
      const p1 = await request(pr.s.base, 'POST', 'Condition', { ...plain, subject: { reference: 'Patient/cs-p1' } }, pr.as.main);
      expect(p1.status).toBe(201);
      created.push(p1.body.id);
      const outside = await get('delegate', 'Condition?patient=cs-p1');
      expect(refs(outside.body)).toContain(`Condition/${p1.body.id}`);
      expect(refs(outside.body)).not.toContain('Condition/cs-oud');
      expect(outcomes(outside.body).some((i) => i.code === 'suppressed')).toBe(true);
    } finally {
      for (const id of created) expect((await request(pr.s.base, 'DELETE', `Condition/${id}`, undefined, pr.as.system)).status).toBeLessThan(300);
    }
  });

  it('a new consent applies at once, a revoked one stops applying (same transaction as its write)', async () => {
    const c = {
      resourceType: 'Consent',
      id: 'cs-consent-p5b',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ text: 'privacy' }],
      patient: { reference: 'Patient/cs-p5' },
      provision: { type: 'deny', actor: [{ role: { coding: [{ code: 'PRCP' }] }, reference: { reference: 'Practitioner/cs-doc-main' } }] },
    };
    expect((await request(pr.s.base, 'PUT', 'Consent/cs-consent-p5b', c, pr.as.privacy)).status).toBe(201);
    expect((await get('main', 'Observation/cs-obs5')).status).toBe(404);
    expect((await get('delegate', 'Observation/cs-obs5')).status).toBe(200);
    expect((await request(pr.s.base, 'PUT', 'Consent/cs-consent-p5b', { ...c, status: 'inactive' }, pr.as.privacy)).status).toBe(200);
    expect((await get('main', 'Observation/cs-obs5')).status).toBe(200);
  });
});

describe('history and vread: an old version never shows what the current one hides', () => {
  it('a version labelled HIV stays hidden after the label was removed from the current version', async () => {
    const v1 = await request(pr.s.base, 'PUT', 'Observation/cs-old', { resourceType: 'Observation', id: 'cs-old', status: 'final', code: { text: 'viral load' }, subject: { reference: 'Patient/cs-p3' }, meta: { security: [{ system: ACT, code: 'HIV' }] } }, pr.as.privacy);
    expect(v1.status).toBe(201);
    expect((await get('main', 'Observation/cs-old')).status).toBe(404);
    // The privacy officer works in the main clinic, whom the consent denies HIV data: the hidden version is a 404
    // to them too, so the label is removed by the server's own work (as an import would).
    expect((await request(pr.s.base, 'PUT', 'Observation/cs-old', { resourceType: 'Observation', id: 'cs-old', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/cs-p3' } }, pr.as.privacy)).status).toBe(404);
    const v2 = await pr.s.confide.handle({
      method: 'PUT',
      path: 'Observation/cs-old',
      body: { resourceType: 'Observation', id: 'cs-old', status: 'final', code: { text: 'follow-up' }, subject: { reference: 'Patient/cs-p3' }, meta: { security: [{ system: CONF, code: 'N' }] } },
    });
    expect(v2.status).toBe(200);
    expect((await get('main', 'Observation/cs-old')).status).toBe(200);
    expect((await get('main', 'Observation/cs-old/_history/2')).status).toBe(200);
    expect((await get('main', 'Observation/cs-old/_history/1')).status).toBe(404);
    const history = await get('main', 'Observation/cs-old/_history');
    expect(history.body.entry.map((e: any) => e.resource.meta.versionId)).toEqual(['2']);
    // Permit: someone the consent does not deny sees both.
    expect((await get('delegate', 'Observation/cs-old/_history/1')).status).toBe(404); // same organization: denied too
    expect((await get('system', 'Observation/cs-old/_history/1')).status).toBe(404); // the current version lacks the label
    const typeHistory = await get('main', 'Observation/_history?_count=100');
    expect(typeHistory.body.entry.filter((e: any) => e.resource?.id === 'cs-old').map((e: any) => e.resource.meta.versionId)).toEqual(['2']);
  });

  it('counts and pages only the versions shown: full pages, and no link names a hidden version', async () => {
    // cs-old (above) has a hidden version 1; cs-old2 gets one more, so the hidden one sits between shown ones.
    const v3 = await pr.s.confide.handle({
      method: 'PUT',
      path: 'Observation/cs-old',
      body: { resourceType: 'Observation', id: 'cs-old', status: 'amended', code: { text: 'follow-up' }, subject: { reference: 'Patient/cs-p3' }, meta: { security: [{ system: CONF, code: 'N' }] } },
    });
    expect(v3.status).toBe(200);
    const instance = await get('main', 'Observation/cs-old/_history');
    expect(instance.body.entry.map((e: any) => e.resource.meta.versionId)).toEqual(['3', '2']);
    expect(instance.body.total).toBe(2);
    for (const who of ['main', 'system'] as const) {
      const seen: string[] = [];
      let path: string | undefined = 'Observation/cs-old/_history?_count=1';
      for (let pages = 0; path && pages < 10; pages++) {
        const page = await get(who, path);
        expect(page.status).toBe(200);
        expect(page.body.entry ?? []).toHaveLength(1);
        seen.push(...page.body.entry.map((e: any) => e.resource.meta.versionId));
        const next = page.body.link.find((l: any) => l.relation === 'next')?.url as string | undefined;
        if (next) {
          const cursor = new URL(next).searchParams.get('_cursor')!;
          expect(Buffer.from(cursor, 'base64url').toString('utf8')).not.toMatch(/"cs-old",1\]/);
        }
        path = next?.slice(next.indexOf('/Observation/'));
      }
      // Two pages, and after the second no link: the only version left is the hidden one.
      expect(seen).toEqual(['3', '2']);
    }
    // Type history pages the same way: every page but the last is full, and they add up to the one-page answer.
    const all = (await get('main', 'Observation/_history?_count=1000')).body.entry.map((e: any) => `${e.resource?.id ?? e.request.url}/${e.response.etag}`);
    const paged: string[] = [];
    let path: string | undefined = 'Observation/_history?_count=2';
    while (path) {
      const page = await get('main', path);
      const entries = (page.body.entry ?? []).map((e: any) => `${e.resource?.id ?? e.request.url}/${e.response.etag}`);
      const next = page.body.link.find((l: any) => l.relation === 'next')?.url as string | undefined;
      if (next) expect(entries).toHaveLength(2);
      paged.push(...entries);
      path = next?.slice(next.indexOf('/Observation/'));
    }
    expect(paged).toEqual(all);
  });
});

describe('break-the-glass', () => {
  it('refuses non-clinicians and missing reasons; grants a clinician time-limited access to restricted records', async () => {
    expect((await request(pr.s.base, 'POST', 'Patient/cs-p3/$break-the-glass', { resourceType: 'Parameters', parameter: [] }, pr.as.main)).status).toBe(400);
    expect((await request(pr.s.base, 'POST', 'Patient/cs-p3/$break-the-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'x' }] }, pr.as.patient)).status).toBe(403);
    expect((await request(pr.s.base, 'POST', 'Patient/nobody/$break-the-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'x' }] }, pr.as.delegate)).status).toBe(404);
    expect((await get('delegate', 'Condition/cs-hiv')).status).toBe(404);
    const r = await request(pr.s.base, 'POST', 'Patient/cs-p3/$break-the-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'overdose, patient unresponsive' }] }, pr.as.delegate);
    expect(r.status).toBe(200);
    const end = r.body.parameter.find((p: any) => p.name === 'end').valueInstant;
    const start = r.body.parameter.find((p: any) => p.name === 'start').valueInstant;
    expect(Date.parse(end) - Date.parse(start)).toBe(60 * 60_000);
    expect((await get('delegate', 'Condition/cs-hiv')).status).toBe(200);
    // Only for that patient.
    expect((await get('delegate', 'Condition/cs-oud2')).status).toBe(404);
  });

  it('is reported to the privacy officer, and every access under it is audited with purpose ETREAT', async () => {
    // The recorder writes in the background: poll (bounded) until the events are there.
    const until = async (path: string, ok: (events: any[]) => boolean): Promise<any[]> => {
      let events: any[] = [];
      for (let i = 0; i < 50; i++) {
        await pr.s.confide.audit?.flush();
        const r = await get('privacy', path);
        expect(r.status).toBe(200);
        events = (r.body.entry ?? []).map((e: any) => e.resource);
        if (ok(events)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return events;
    };
    const alerts = await until('AuditEvent?subtype=110127&altid=cs.del&_count=50', (e) => e.length > 0);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts[0].agent[0].purposeOfUse[0].coding[0].code).toBe('ETREAT');
    const reads = await until('AuditEvent?altid=cs.del&entity=Condition/cs-hiv&_count=50', (e) => e.length > 0);
    const purposes = reads.map((e: any) => e.agent[0].purposeOfUse?.[0]?.coding?.[0]?.code);
    expect(purposes).toContain('ETREAT');
  });
});
