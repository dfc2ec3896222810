import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './support/harness.ts';
import { allPages, expectBadRequest, get, includeKeys, link, matchIds, post, put, searchBoth, sorted, tagged, TAG_SYSTEM } from './search-support.ts';

/**
 * Searches across references over HTTP: _include (and :iterate, `*`), _revinclude, chained parameters,
 * _has (nested, and ending in a chain) and Patient compartment search (R4 search.html#include, #chaining,
 * #has; compartmentdefinition-patient).
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  const LOINC = 'http://loinc.org';
  const obs = (id: string, code: string, extra: Record<string, unknown>) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code }] },
    ...extra,
  });
  await put(
    s,
    [
      { resourceType: 'Organization', id: 'g-org1', name: 'Acme Health' },
      { resourceType: 'Organization', id: 'g-org2', name: 'Acme Child', partOf: { reference: 'Organization/g-org1' } },
      { resourceType: 'Organization', id: 'g-cyc1', name: 'Cycle One', partOf: { reference: 'Organization/g-cyc2' } },
      { resourceType: 'Organization', id: 'g-cyc2', name: 'Cycle Two', partOf: { reference: 'Organization/g-cyc1' } },
      { resourceType: 'Practitioner', id: 'g-pr1', name: [{ family: 'Who', given: ['Doctor'] }] },
      { resourceType: 'Practitioner', id: 'g-pr-gone', name: [{ family: 'Gone' }] },
      { resourceType: 'Patient', id: 'g-p1', name: [{ family: 'Chainfam' }], managingOrganization: { reference: 'Organization/g-org2' }, generalPractitioner: [{ reference: 'Practitioner/g-pr1' }] },
      { resourceType: 'Patient', id: 'g-p2', name: [{ family: 'Other' }], managingOrganization: { reference: 'Organization/g-org2' } },
      { resourceType: 'Patient', id: 'g-p3', name: [{ family: 'Chainfam' }] },
      { resourceType: 'Encounter', id: 'g-e1', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/g-p1' } },
      obs('g-o1', '1234-5', { subject: { reference: 'Patient/g-p1' }, encounter: { reference: 'Encounter/g-e1' }, performer: [{ reference: 'Practitioner/g-pr1' }] }),
      obs('g-o2', '9999-9', { subject: { reference: 'Patient/g-p1' } }),
      obs('g-o3', '9999-9', { subject: { reference: 'Patient/g-p2' } }),
      obs('g-o4', '1234-5', { subject: { reference: 'Patient/g-p3' }, performer: [{ reference: 'Practitioner/g-nowhere' }] }),
      obs('g-o5', '5555-5', { subject: { reference: 'Patient/g-p3' }, performer: [{ reference: 'Practitioner/g-pr-gone' }] }),
    ].map((r) => tagged('graph', r)),
  );
  const gone = await request(s.base, 'DELETE', 'Practitioner/g-pr-gone');
  expect(gone.status).toBeLessThan(300);
});
afterAll(async () => {
  await s?.close();
});

const scope = `_tag=${TAG_SYSTEM}|graph`;

/** Runs GET and POST; returns matches and the include entries (each must be search.mode=include, no repeats). */
async function searchWithIncludes(type: string, query: string): Promise<{ matches: string[]; included: string[] }> {
  const results = [];
  for (const reply of [await get(s, type, query), await post(s, type, query)]) {
    expect(reply.status, reply.text).toBe(200);
    const matches = matchIds(reply.body);
    const included = includeKeys(reply.body);
    const all = [...matches.map((id) => `${type}/${id}`), ...included];
    expect(new Set(all).size, `duplicates in ${all.join(', ')}`).toBe(all.length);
    for (const e of reply.body.entry ?? []) expect(['match', 'include']).toContain(e.search.mode);
    results.push({ matches: sorted(matches), included: sorted(included) });
  }
  expect(results[1]).toEqual(results[0]);
  return results[0];
}

describe('_include and _revinclude', () => {
  it.each<[string, string, string[], string[]]>([
    ['Observation', '_id=g-o1,g-o2&_include=Observation:subject', ['g-o1', 'g-o2'], ['Patient/g-p1']],
    ['Observation', '_id=g-o1&_include=Observation:subject&_include=Observation:performer', ['g-o1'], ['Patient/g-p1', 'Practitioner/g-pr1']],
    ['Observation', '_id=g-o1&_include=Observation:*', ['g-o1'], ['Encounter/g-e1', 'Patient/g-p1', 'Practitioner/g-pr1']],
    ['Observation', '_id=g-o1&_include=*', ['g-o1'], ['Encounter/g-e1', 'Patient/g-p1', 'Practitioner/g-pr1']],
    ['Observation', '_id=g-o1&_include=Observation:subject:Patient', ['g-o1'], ['Patient/g-p1']],
    ['Observation', '_id=g-o1&_include=Observation:subject:Group', ['g-o1'], []],
    [
      'Observation',
      '_id=g-o1&_include=Observation:subject&_include:iterate=Patient:organization&_include:iterate=Organization:partof',
      ['g-o1'],
      ['Organization/g-org1', 'Organization/g-org2', 'Patient/g-p1'],
    ],
    // Without :iterate, Patient:organization is not followed from the included Patient.
    ['Observation', '_id=g-o1&_include=Observation:subject&_include:iterate=Patient:organization', ['g-o1'], ['Organization/g-org2', 'Patient/g-p1']],
    // A reference to nothing, and to a deleted resource, includes nothing.
    ['Observation', '_id=g-o4,g-o5&_include=Observation:performer', ['g-o4', 'g-o5'], []],
    ['Patient', '_id=g-p1&_revinclude=Observation:subject', ['g-p1'], ['Observation/g-o1', 'Observation/g-o2']],
    [
      'Patient',
      '_id=g-p1,g-p2&_revinclude=Observation:subject&_revinclude=Observation:patient',
      ['g-p1', 'g-p2'],
      ['Observation/g-o1', 'Observation/g-o2', 'Observation/g-o3'],
    ],
    ['Patient', '_id=g-p1&_revinclude=Encounter:subject&_revinclude:iterate=Observation:encounter', ['g-p1'], ['Encounter/g-e1', 'Observation/g-o1']],
    ['Patient', '_id=g-p1,g-p2&_include=Patient:organization', ['g-p1', 'g-p2'], ['Organization/g-org2']],
    ['Patient', '_id=g-p1&_include=Patient:general-practitioner&_revinclude=Observation:performer', ['g-p1'], ['Practitioner/g-pr1']],
    ['Practitioner', '_id=g-pr1&_revinclude=Observation:performer&_include:iterate=Observation:subject', ['g-pr1'], ['Observation/g-o1', 'Patient/g-p1']],
    // A resource that is a match is not repeated as an include.
    ['Organization', '_id=g-org1,g-org2&_include=Organization:partof', ['g-org1', 'g-org2'], []],
    // A reference cycle followed with :iterate ends, each resource once.
    ['Organization', '_id=g-cyc1&_include:iterate=Organization:partof', ['g-cyc1'], ['Organization/g-cyc2']],
    ['Organization', '_id=g-cyc1&_revinclude:iterate=Organization:partof', ['g-cyc1'], ['Organization/g-cyc2']],
  ])('%s?%s', async (type, query, matches, included) => {
    const r = await searchWithIncludes(type, query);
    expect(r.matches).toEqual(sorted(matches));
    expect(r.included).toEqual(sorted(included));
  });

  it('an _include that does not start from the searched type needs :iterate (400 naming _include)', async () => {
    expectBadRequest(await get(s, 'Observation', '_include=Patient:organization'), '_include');
    expectBadRequest(await get(s, 'Observation', '_include=Observation:code'), '_include');
    expectBadRequest(await get(s, 'Observation', '_include=Observation'), '_include');
    expectBadRequest(await get(s, 'Observation', '_revinclude=Nope:subject'), '_revinclude');
  });

  it('includes come with every page, for that page only', async () => {
    const pages = await allPages(await get(s, 'Observation', `${scope}&subject=Patient/g-p1,Patient/g-p2&_include=Observation:subject&_count=1`));
    expect(pages.map((p) => [matchIds(p), includeKeys(p)])).toEqual([
      [['g-o1'], ['Patient/g-p1']],
      [['g-o2'], ['Patient/g-p1']],
      [['g-o3'], ['Patient/g-p2']],
    ]);
  });
});

describe('chained parameters', () => {
  it.each<[string, string[]]>([
    ['subject:Patient.family=chainfam', ['g-o1', 'g-o2', 'g-o4', 'g-o5']],
    ['subject.family=chainfam', ['g-o1', 'g-o2', 'g-o4', 'g-o5']],
    ['patient.family=chainfam', ['g-o1', 'g-o2', 'g-o4', 'g-o5']],
    ['subject:Patient.family=nobody', []],
    ['subject:Patient._id=g-p2', ['g-o3']],
    ['subject:Patient.organization:Organization.name=acme child', ['g-o1', 'g-o2', 'g-o3']],
    ['subject:Patient.organization.name=acme child', ['g-o1', 'g-o2', 'g-o3']],
    ['subject:Patient.organization:Organization.name=acme health', []],
    ['subject:Patient.organization:Organization.partof:Organization.name=acme health', ['g-o1', 'g-o2', 'g-o3']],
    ['encounter:Encounter.subject:Patient.family=chainfam', ['g-o1']],
    ['subject:Patient.general-practitioner:Practitioner.family=who', ['g-o1', 'g-o2']],
    ['performer:Practitioner.family=who&subject:Patient.family=chainfam', ['g-o1']],
    ['subject:Patient.family=chainfam&code=http://loinc.org|1234-5', ['g-o1', 'g-o4']],
    // A deleted resource does not satisfy a chain.
    ['performer:Practitioner.family=gone', []],
    ['subject:Patient.organization:missing=true', ['g-o4', 'g-o5']],
    ['subject:Patient.organization:missing=false', ['g-o1', 'g-o2', 'g-o3']],
    ['subject:Patient.family:exact=Chainfam', ['g-o1', 'g-o2', 'g-o4', 'g-o5']],
    ['subject:Patient.family:exact=chainfam', []],
  ])('Observation?%s', async (query, expected) => {
    expect(sorted(await searchBoth(s, 'Observation', `${query}&${scope}`))).toEqual(sorted(expected));
  });

  it('a chain through a non-reference parameter, or to an unknown parameter, is a 400', async () => {
    expectBadRequest(await get(s, 'Observation', 'code.name=x'), 'code.name');
    expectBadRequest(await get(s, 'Observation', 'subject:Patient.shoe=x'), 'subject:Patient.shoe');
    expectBadRequest(await get(s, 'Observation', 'subject:Medication.code=x'), 'subject:Medication.code');
  });
});

describe('_has (reverse chaining)', () => {
  it.each<[string, string, string[]]>([
    ['Patient', '_has:Observation:subject:code=http://loinc.org|1234-5', ['g-p1', 'g-p3']],
    ['Patient', '_has:Observation:patient:_id=g-o3', ['g-p2']],
    ['Patient', '_has:Observation:subject:code=http://loinc.org|1234-5&_has:Observation:subject:code=http://loinc.org|9999-9', ['g-p1']],
    ['Patient', '_has:Observation:subject:code=http://loinc.org|1234-5,http://loinc.org|9999-9', ['g-p1', 'g-p2', 'g-p3']],
    ['Patient', '_has:Observation:subject:code=http://loinc.org|0000-0', []],
    ['Patient', '_has:Encounter:subject:_has:Observation:encounter:code=http://loinc.org|1234-5', ['g-p1']],
    ['Patient', '_has:Observation:subject:performer:Practitioner.family=who', ['g-p1']],
    ['Organization', '_has:Patient:organization:_has:Observation:subject:code=http://loinc.org|9999-9', ['g-org2']],
    ['Practitioner', '_has:Observation:performer:subject:Patient.family=chainfam', ['g-pr1']],
  ])('%s?%s', async (type, query, expected) => {
    expect(sorted(await searchBoth(s, type, `${query}&${scope}`))).toEqual(sorted(expected));
  });

  it('a malformed _has is a 400 naming it', async () => {
    expectBadRequest(await get(s, 'Patient', '_has:Observation:subject=x'), '_has:Observation:subject');
    expectBadRequest(await get(s, 'Patient', '_has:Observation:code:code=x'), '_has:Observation:code:code');
    expectBadRequest(await get(s, 'Patient', '_has:Nope:subject:code=x'), '_has:Nope:subject:code');
  });
});

describe('Patient compartment search', () => {
  it.each<[string, string, string[]]>([
    ['Patient/g-p1/Observation', '', ['g-o1', 'g-o2']],
    ['Patient/g-p1/Observation', 'code=http://loinc.org|1234-5', ['g-o1']],
    ['Patient/g-p2/Observation', 'code=http://loinc.org|1234-5', []],
    ['Patient/g-p1/Encounter', '', ['g-e1']],
    ['Patient/g-nobody/Observation', '', []],
    ['Patient/g-p1/Observation', 'subject:Patient.family=chainfam', ['g-o1', 'g-o2']],
  ])('%s?%s', async (path, query, expected) => {
    const r = await get(s, path, query);
    expect(r.status, r.text).toBe(200);
    expect(sorted(matchIds(r.body))).toEqual(sorted(expected));
  });

  it('pages and includes within the compartment', async () => {
    const first = await get(s, 'Patient/g-p1/Observation', '_count=1&_include=Observation:performer');
    expect(link(first.body, 'self')).toContain('/Patient/g-p1/Observation?');
    const pages = await allPages(first);
    expect(pages.map((p) => [matchIds(p), includeKeys(p)])).toEqual([
      [['g-o1'], ['Practitioner/g-pr1']],
      [['g-o2'], []],
    ]);
  });
});
