import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './support/harness.ts';
import { entries, expectBadRequest, get, link, matchIds, post, put, searchBoth, sorted, tagged, TAG_SYSTEM } from './search-support.ts';

/**
 * Bad search input over HTTP: 400 OperationOutcome naming the parameter (search.html#errors), the lenient
 * mode that drops bad parameters and says so in an outcome entry, and values that look like SQL.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await put(
    s,
    [
      { resourceType: 'Patient', id: 'err-1', name: [{ family: 'Keep' }], gender: 'female' },
      { resourceType: 'Patient', id: 'err-2', name: [{ family: 'Keepsake' }], gender: 'male' },
      { resourceType: 'Patient', id: 'err-pct', name: [{ family: '100% Pure_Name' }] },
    ].map((r) => tagged('errors', r)),
  );
});
afterAll(async () => {
  await s?.close();
});

const scope = `_tag=${TAG_SYSTEM}|errors`;
const cursorOf = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

describe('bad input is a 400 OperationOutcome whose expression names the parameter', () => {
  it.each<[string, string, string]>([
    ['Patient', 'foo=bar', 'foo'],
    ['Patient', 'name:foo=x', 'name:foo'],
    ['Patient', 'gender:exact=female', 'gender:exact'],
    ['Patient', 'birthdate:exact=2024', 'birthdate:exact'],
    ['Patient', 'gender:in=http://example.org/ValueSet/x', 'gender:in'],
    ['Patient', 'gender:missing=maybe', 'gender:missing'],
    ['Patient', 'birthdate=2024-13-01', 'birthdate'],
    ['Patient', 'birthdate=2023-02-29', 'birthdate'],
    ['Patient', 'birthdate=xx2024', 'birthdate'],
    ['Patient', 'birthdate=yesterday', 'birthdate'],
    ['Patient', 'birthdate=2024-01-01T25:00:00Z', 'birthdate'],
    ['Patient', '_lastUpdated=2024-01-01T10', '_lastUpdated'],
    ['Observation', 'value-quantity=abc', 'value-quantity'],
    ['Observation', 'value-quantity=5|http://unitsofmeasure.org', 'value-quantity'],
    ['Observation', 'code-value-quantity=http://loinc.org|8480-6', 'code-value-quantity'],
    ['Observation', 'subject=Nope/1', 'subject'],
    ['Observation', 'patient=Group/1', 'patient'],
    ['Patient', '_sort=shoe-size', '_sort'],
    ['Patient', '_count=1001', '_count'],
    ['Patient', '_count=-1', '_count'],
    ['Patient', '_count=ten', '_count'],
    ['Patient', '_count=5&_count=6', '_count'],
    ['Patient', '_cursor=not-a-cursor', '_cursor'],
    ['Patient', `_cursor=${cursorOf(['n'])}`, '_cursor'],
    ['Patient', `_cursor=${cursorOf(['x', 'err-1'])}`, '_cursor'],
    ['Patient', `_cursor=${cursorOf(['n', 42])}`, '_cursor'],
    ['Patient', `_cursor=${cursorOf(['n', 'a\u0000b'])}`, '_cursor'],
    // A value of the wrong kind for its sort key (a timestamp, a number) is a bad cursor, not a SQL error.
    ['Patient', `_sort=_lastUpdated&_cursor=${cursorOf(['n', 'yesterday', 'err-1'])}`, '_cursor'],
    ['Patient', `_sort=birthdate&_cursor=${cursorOf(['n', '2024-01-01 00:00:00+00; DROP', 'err-1'])}`, '_cursor'],
    ['Patient', `_sort=birthdate&_cursor=${cursorOf(['n', '2024-02-30 00:00:00+00', 'err-1'])}`, '_cursor'],
    ['RiskAssessment', `_sort=probability&_cursor=${cursorOf(['n', 'one', 'x'])}`, '_cursor'],
    ['Patient', 'name=a\u0000b', 'name'],
    ['Patient', 'identifier=urn:x|a\u0000', 'identifier'],
    ['Patient', '_summary=maybe', '_summary'],
    ['Patient', '_total=maybe', '_total'],
    ['Patient', '_elements=name;drop', '_elements'],
    ['Patient', '_type=Patient', '_type'],
    ['Patient', '_query=everything', '_query'],
    ['Patient', '_filter=name eq x', '_filter'],
    ['Patient', '_contained=true', '_contained'],
    ['Patient', '_include=Patient:name', '_include'],
  ])('%s?%s', async (type, query, expression) => {
    expectBadRequest(await get(s, type, query), expression);
    expectBadRequest(await post(s, type, query), expression);
  });

  it('a cursor from a search with another _sort is rejected, not misread', async () => {
    const sortedSearch = await get(s, 'Patient', `${scope}&_sort=family&_count=1`);
    const next = new URL(link(sortedSearch.body, 'next') as string);
    const cursor = next.searchParams.get('_cursor') as string;
    expectBadRequest(await get(s, 'Patient', `${scope}&_count=1&_cursor=${cursor}`), '_cursor');
  });

  it('the error text says what is wrong', async () => {
    const r = await get(s, 'Patient', '_count=5000');
    expect(r.body.issue[0].details.text).toMatch(/1000/);
    const d = await get(s, 'Patient', 'birthdate=2024-13');
    expect(d.body.issue[0].details.text).toMatch(/date/i);
  });
});

describe('Prefer: handling=lenient', () => {
  const lenient = { prefer: 'handling=lenient' };

  it('drops the bad parameter and reports it in an outcome entry', async () => {
    for (const send of [get, post] as const) {
      const r = await send(s, 'Patient', `${scope}&foo=bar&family=keep&birthdate=yesterday`, lenient);
      expect(r.status, r.text).toBe(200);
      expect(sorted(matchIds(r.body))).toEqual(['err-1', 'err-2']);
      const outcomes = entries(r.body, 'outcome');
      expect(outcomes).toHaveLength(1);
      const issues = outcomes[0].resource.issue as Record<string, any>[];
      expect(outcomes[0].resource.resourceType).toBe('OperationOutcome');
      expect(issues.map((i) => i.expression?.[0]).sort()).toEqual(['birthdate', 'foo']);
      expect(issues.every((i) => i.severity === 'warning')).toBe(true);
    }
  });

  it('clamps _count to the maximum with a warning', async () => {
    const r = await get(s, 'Patient', `${scope}&_count=5000`, lenient);
    expect(r.status).toBe(200);
    expect(matchIds(r.body)).toHaveLength(3);
    const issues = entries(r.body, 'outcome')[0].resource.issue as Record<string, any>[];
    expect(issues[0].expression).toEqual(['_count']);
    expect(issues[0].details.text).toMatch(/1000/);
  });

  it('the links carry only the parameters used, so later pages need no leniency', async () => {
    const r = await get(s, 'Patient', `${scope}&foo=bar&family=keep&_count=1`, lenient);
    expect(r.status).toBe(200);
    for (const relation of ['self', 'next']) {
      const url = new URL(link(r.body, relation) as string);
      expect(url.searchParams.has('foo'), relation).toBe(false);
      expect(url.searchParams.get('family')).toBe('keep');
    }
    const next = await fetch(link(r.body, 'next') as string, { headers: { accept: 'application/fhir+json', ...s.auth } });
    expect(next.status).toBe(200);
    const body = (await next.json()) as Record<string, any>;
    expect(matchIds(body)).toEqual(['err-2']);
    expect(entries(body, 'outcome')).toHaveLength(0);
    expect(link(body, 'self')).toContain('_cursor=');
    const clamped = await get(s, 'Patient', `${scope}&_count=5000`, lenient);
    expect(new URL(link(clamped.body, 'self') as string).searchParams.get('_count')).toBe('1000');
  });

  it('a clean lenient search has no outcome entry', async () => {
    const r = await get(s, 'Patient', `${scope}&family=keep`, lenient);
    expect(entries(r.body, 'outcome')).toHaveLength(0);
  });

  it('without the header, or with handling=strict, the same search is a 400', async () => {
    expectBadRequest(await get(s, 'Patient', `${scope}&foo=bar&family=keep`), 'foo');
    expectBadRequest(await get(s, 'Patient', `${scope}&foo=bar&family=keep`, { prefer: 'handling=strict' }), 'foo');
  });
});

describe('values are bind parameters, never SQL', () => {
  it.each<[string, string]>([
    ['name', `x'); DROP TABLE "Patient";--`],
    ['name:exact', `x'); DROP TABLE "Patient";--`],
    ['name:contains', `' OR '1'='1`],
    ['family', `\\'; DELETE FROM "Patient"; --`],
    ['identifier', `x'|'; DELETE FROM "Patient" WHERE '1'='1`],
    ['identifier:of-type', `a'|b'|c'); DROP TABLE "Patient";--`],
    ['general-practitioner', `http://x/Practitioner/1' OR 1=1--`],
    ['_id', `err-1' OR '1'='1`],
    ['_has:Observation:subject:code', `x'); DROP TABLE "Observation";--`],
    ['organization:Organization.name', `'; DROP TABLE "Organization";--`],
    ['_tag', `'; DROP TABLE "Patient";--|x`],
  ])('%s=%s returns 200 and nothing', async (name, value) => {
    expect(await searchBoth(s, 'Patient', `${name}=${value}`)).toEqual([]);
  });

  it('the tables still work afterwards', async () => {
    expect(sorted(await searchBoth(s, 'Patient', `${scope}&family=keep`))).toEqual(['err-1', 'err-2']);
    const created = await request(s.base, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'after' } });
    expect(created.status).toBe(201);
    const org = await get(s, 'Organization', '');
    expect(org.status).toBe(200);
  });

  it('LIKE wildcards in string values match literally', async () => {
    expect(await searchBoth(s, 'Patient', `${scope}&name=%`)).toEqual([]);
    expect(await searchBoth(s, 'Patient', `${scope}&name=_`)).toEqual([]);
    expect(await searchBoth(s, 'Patient', `${scope}&name:contains=%`)).toEqual(['err-pct']);
    expect(await searchBoth(s, 'Patient', `${scope}&name:contains=e_n`)).toEqual(['err-pct']);
    expect(await searchBoth(s, 'Patient', `${scope}&name:contains=0% p`)).toEqual(['err-pct']);
    expect(await searchBoth(s, 'Patient', `${scope}&name=100%`)).toEqual(['err-pct']);
  });

  it('a cursor carrying SQL is only a value', async () => {
    const r = await get(s, 'Patient', `${scope}&_cursor=${cursorOf(['n', `' OR '1'='1`])}`);
    expect(r.status, r.text).toBe(200);
    const all = await get(s, 'Patient', `${scope}&_cursor=${cursorOf(['n', ''])}`);
    expect(sorted(matchIds(all.body))).toEqual(['err-1', 'err-2', 'err-pct']);
  });

  it('a very long value is not a server error', async () => {
    for (const query of [`name=${'x'.repeat(5000)}`, `identifier=${'y'.repeat(5000)}`, `_has:Observation:subject:code=${'z'.repeat(5000)}`]) {
      const r = await get(s, 'Patient', query);
      expect([200, 400], `${query.slice(0, 30)}: ${r.status} ${r.text.slice(0, 200)}`).toContain(r.status);
      if (r.status === 200) expect(matchIds(r.body)).toEqual([]);
    }
  });
});
