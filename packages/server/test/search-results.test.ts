import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './support/harness.ts';
import { allPages, entries, expectBadRequest, follow, get, link, matchIds, post, put, searchBoth, tagged, TAG_SYSTEM } from './search-support.ts';

/**
 * Result parameters over HTTP (R4 search.html#sort, #count, #total, #summary, #elements) and paging: sort
 * orders with ties, every page walked both ways, and paging while other requests write.
 */

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

type Json = Record<string, any>;
const tag = (group: string) => `_tag=${TAG_SYSTEM}|${group}`;

describe('_sort', () => {
  beforeAll(async () => {
    await put(
      s,
      [
        { resourceType: 'Patient', id: 'sort-1', name: [{ family: 'Alpha' }], birthDate: '2000-01-01' },
        { resourceType: 'Patient', id: 'sort-2', name: [{ family: 'Beta' }], birthDate: '1990-05-05' },
        { resourceType: 'Patient', id: 'sort-3', name: [{ family: 'Alpha' }], birthDate: '1990-05-05' },
        { resourceType: 'Patient', id: 'sort-4', name: [{ family: 'Gamma' }] },
        { resourceType: 'Patient', id: 'sort-5', name: [{ family: 'beta' }], birthDate: '2000-01-01' },
        { resourceType: 'Patient', id: 'sort-6', birthDate: '1995' },
      ].map((r) => tagged('sort', r)),
    );
  });

  // Ties are broken by id ascending, in either direction; resources without a value sort last either way.
  it.each<[string, string[]]>([
    ['family', ['sort-1', 'sort-3', 'sort-2', 'sort-5', 'sort-4', 'sort-6']],
    ['-family', ['sort-4', 'sort-2', 'sort-5', 'sort-1', 'sort-3', 'sort-6']],
    ['family,-birthdate', ['sort-1', 'sort-3', 'sort-5', 'sort-2', 'sort-4', 'sort-6']],
    ['-birthdate,family', ['sort-1', 'sort-5', 'sort-6', 'sort-3', 'sort-2', 'sort-4']],
    ['birthdate', ['sort-2', 'sort-3', 'sort-6', 'sort-1', 'sort-5', 'sort-4']],
    ['-birthdate', ['sort-1', 'sort-5', 'sort-6', 'sort-2', 'sort-3', 'sort-4']],
    ['_id', ['sort-1', 'sort-2', 'sort-3', 'sort-4', 'sort-5', 'sort-6']],
    ['-_id', ['sort-6', 'sort-5', 'sort-4', 'sort-3', 'sort-2', 'sort-1']],
  ])('_sort=%s', async (sort, expected) => {
    // One page, and pages of 2 walked forward, give the same order.
    expect(await searchBoth(s, 'Patient', `${tag('sort')}&_sort=${sort}`)).toEqual(expected);
    expect(await searchBoth(s, 'Patient', `${tag('sort')}&_sort=${sort}&_count=2`)).toEqual(expected);
  });

  it('_sort on a number, ascending and descending, paged one by one (keyset on numeric keys)', async () => {
    const ra = (id: string, prediction: Json): Json =>
      tagged('sort-number', { resourceType: 'RiskAssessment', id, status: 'final', subject: { reference: 'Patient/sort-1' }, prediction: [prediction] });
    await put(s, [
      ra('sn-080b', { probabilityDecimal: 0.8 }),
      ra('sn-085', { probabilityDecimal: 0.85 }),
      ra('sn-075', { probabilityDecimal: 0.75 }),
      ra('sn-range', { probabilityRange: { low: { value: 0.7 }, high: { value: 0.9 } } }),
      ra('sn-none', { outcome: { text: 'x' } }),
      ra('sn-080a', { probabilityDecimal: 0.8 }),
      ra('sn-tiny', { probabilityDecimal: 1e-7 }),
    ]);
    const q = `${tag('sort-number')}&_count=1&_sort=`;
    expect(await searchBoth(s, 'RiskAssessment', `${q}probability`)).toEqual(['sn-tiny', 'sn-range', 'sn-075', 'sn-080a', 'sn-080b', 'sn-085', 'sn-none']);
    expect(await searchBoth(s, 'RiskAssessment', `${q}-probability`)).toEqual(['sn-085', 'sn-080a', 'sn-080b', 'sn-075', 'sn-range', 'sn-tiny', 'sn-none']);
  });

  it('_sort=_lastUpdated follows the write order (ties by id)', async () => {
    const all = await get(s, 'Patient', `${tag('sort')}&_count=100`);
    const expected = (all.body.entry as Json[])
      .map((e) => [e.resource.meta.lastUpdated as string, e.resource.id as string] as const)
      .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : Date.parse(a[0]) - Date.parse(b[0])))
      .map((x) => x[1]);
    expect(await searchBoth(s, 'Patient', `${tag('sort')}&_sort=_lastUpdated&_count=4`)).toEqual(expected);
  });

  it('an unknown _sort key is a 400 naming _sort', async () => {
    expectBadRequest(await get(s, 'Patient', '_sort=shoe-size'), '_sort');
    expectBadRequest(await post(s, 'Patient', '_sort=family,-nope'), '_sort');
    expectBadRequest(await get(s, 'Observation', '_sort=code-value-quantity'), '_sort');
  });
});

describe('_count and paging', () => {
  const ids = Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(2, '0')}`);
  beforeAll(async () => {
    await put(s, ids.map((id, i) => tagged('page', { resourceType: 'Patient', id, name: [{ family: `Page${i % 4}` }], birthDate: `${1950 + (i % 7)}-01-01` })));
  });

  it('walks every page forward and back: each match once, self/next/previous links', async () => {
    const first = await get(s, 'Patient', `${tag('page')}&_count=10`);
    expect(first.status).toBe(200);
    expect(link(first.body, 'self')).toContain('_count=10');
    expect(link(first.body, 'previous')).toBeUndefined();
    const forward = await allPages(first);
    expect(forward.map((b) => matchIds(b).length)).toEqual([10, 10, 5]);
    expect(forward.flatMap(matchIds)).toEqual(ids);
    expect(link(forward[1], 'next')).toBeDefined();
    expect(link(forward[1], 'previous')).toBeDefined();
    expect(link(forward[2], 'next')).toBeUndefined();
    for (const page of forward) expect(page.type).toBe('searchset');

    // Backward from the last page, through `previous`: the same pages in reverse.
    const backward: Json[] = [forward[2]];
    let prev = link(forward[2], 'previous');
    while (prev) {
      const r = await follow(prev);
      expect(r.status).toBe(200);
      backward.push(r.body);
      prev = link(r.body, 'previous');
    }
    expect(backward.map(matchIds)).toEqual(forward.map(matchIds).reverse());
    // A page reached through `previous` can go forward again.
    const again = await follow(link(backward[2], 'next') as string);
    expect(matchIds(again.body)).toEqual(matchIds(forward[1]));
  });

  it('pages sorted on a non-unique key, descending, are complete and disjoint', async () => {
    const pages = await allPages(await get(s, 'Patient', `${tag('page')}&_sort=-birthdate,family&_count=4`));
    const walked = pages.flatMap(matchIds);
    expect(new Set(walked).size).toBe(25);
    expect(walked).toEqual(await searchBoth(s, 'Patient', `${tag('page')}&_sort=-birthdate,family&_count=100`));
  });

  it('POST _search pages the same way, and its links are usable', async () => {
    const pages = await allPages(await post(s, 'Patient', `${tag('page')}&_count=7`));
    expect(pages.flatMap(matchIds)).toEqual(ids);
  });

  it('_count=0 returns no entries; _count=1000 (the maximum) is accepted; default 20', async () => {
    const zero = await get(s, 'Patient', `${tag('page')}&_count=0&_total=accurate`);
    expect(zero.status).toBe(200);
    expect(zero.body.entry ?? []).toHaveLength(0);
    expect(zero.body.total).toBe(25);
    const max = await get(s, 'Patient', `${tag('page')}&_count=1000`);
    expect(max.status).toBe(200);
    expect(matchIds(max.body)).toHaveLength(25);
    const dflt = await get(s, 'Patient', tag('page'));
    expect(matchIds(dflt.body)).toHaveLength(20);
    expect(link(dflt.body, 'next')).toBeDefined();
  });

  it('_total=accurate|estimate|none', async () => {
    const accurate = await get(s, 'Patient', `${tag('page')}&_count=5&_total=accurate`);
    expect(accurate.body.total).toBe(25);
    const estimate = await get(s, 'Patient', `${tag('page')}&_count=5&_total=estimate`);
    expect(typeof estimate.body.total).toBe('number');
    const none = await get(s, 'Patient', `${tag('page')}&_count=5&_total=none`);
    expect(none.body.total).toBeUndefined();
    // A later page of an accurate search still carries the total.
    const second = await follow(link(accurate.body, 'next') as string);
    expect(second.body.total).toBe(25);
    expectBadRequest(await get(s, 'Patient', '_total=maybe'), '_total');
  });

  it('_summary=count gives the total and no entries', async () => {
    const r = await get(s, 'Patient', `${tag('page')}&_summary=count`);
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(25);
    expect(r.body.entry ?? []).toHaveLength(0);
    const p = await post(s, 'Patient', `${tag('page')}&family=Page1&_summary=count`);
    expect(p.body.total).toBe(6);
  });
});

describe('_summary and _elements', () => {
  beforeAll(async () => {
    await put(s, [
      tagged('summary', {
        resourceType: 'Patient',
        id: 'sum-1',
        text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Jane Doe</div>' },
        name: [{ family: 'Doe', given: ['Jane'] }],
        gender: 'female',
        birthDate: '1980-02-03',
        maritalStatus: { text: 'married' },
        contact: [{ name: { family: 'Doe', given: ['John'] } }],
      }),
    ]);
  });
  const SUBSETTED = (r: Json) => (r.meta?.tag as Json[] | undefined)?.some((t) => t.code === 'SUBSETTED') ?? false;
  const only = async (query: string): Promise<Json> => {
    const r = await get(s, 'Patient', `${tag('summary')}&${query}`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.entry).toHaveLength(1);
    return r.body.entry[0].resource;
  };

  it('_summary=true keeps the summary elements only', async () => {
    const r = await only('_summary=true');
    expect(r.name).toBeDefined();
    expect(r.birthDate).toBe('1980-02-03');
    expect(r.contact).toBeUndefined();
    expect(r.maritalStatus).toBeUndefined();
    expect(r.text).toBeUndefined();
    expect(SUBSETTED(r)).toBe(true);
  });

  it('_summary=data drops the narrative only', async () => {
    const r = await only('_summary=data');
    expect(r.text).toBeUndefined();
    expect(r.contact).toBeDefined();
    expect(SUBSETTED(r)).toBe(true);
  });

  it('_summary=text keeps the narrative, id and meta', async () => {
    const r = await only('_summary=text');
    expect(r.text?.div).toContain('Jane Doe');
    expect(r.id).toBe('sum-1');
    expect(r.name).toBeUndefined();
    expect(SUBSETTED(r)).toBe(true);
  });

  it('_summary=false returns the whole resource, untagged', async () => {
    const r = await only('_summary=false');
    expect(r.contact).toBeDefined();
    expect(SUBSETTED(r)).toBe(false);
  });

  it('_elements keeps the listed elements plus id and meta, tagged SUBSETTED', async () => {
    const r = await only('_elements=name,birthDate');
    expect(Object.keys(r).sort()).toEqual(['birthDate', 'id', 'meta', 'name', 'resourceType']);
    expect(SUBSETTED(r)).toBe(true);
    const viaPost = await post(s, 'Patient', `${tag('summary')}&_elements=gender`);
    expect(Object.keys(viaPost.body.entry[0].resource).sort()).toEqual(['gender', 'id', 'meta', 'resourceType']);
    expectBadRequest(await get(s, 'Patient', '_elements=shoeSize'), '_elements');
  });
});

describe('paging under concurrent writes', () => {
  /**
   * Keyset paging: a page link carries the sort key it continues from, so writes between page requests
   * neither repeat nor skip the resources that existed and were not changed.
   */
  const initial = Array.from({ length: 40 }, (_, i) => `conc-${String(i * 10).padStart(4, '0')}`);
  beforeAll(async () => {
    await put(s, initial.map((id, i) => tagged('conc', { resourceType: 'Patient', id, active: true, birthDate: `${1940 + (i % 20)}-06-01` })));
  });

  /** The ids matching before a walk starts (every conc resource is active). */
  async function existing(): Promise<string[]> {
    return (await get(s, 'Patient', `${tag('conc')}&_count=1000`)).body.entry.map((e: Json) => e.resource.id as string) as string[];
  }

  async function walk(first: string, between: (page: number, seen: string[]) => Promise<string[]>): Promise<{ walked: string[]; changed: Set<string>; before: string[] }> {
    const before = await existing();
    const changed = new Set<string>();
    const walked: string[] = [];
    let reply = await get(s, 'Patient', first);
    let page = 0;
    for (;;) {
      expect(reply.status, reply.text).toBe(200);
      walked.push(...matchIds(reply.body));
      const next = link(reply.body, 'next');
      if (!next) break;
      // Write while the next page is requested, and also before it.
      const [, touched] = await Promise.all([follow(next).then((r) => (reply = r)), between(page, walked)]);
      for (const id of touched) changed.add(id);
      page++;
      if (page > 100) throw new Error('paging does not end');
    }
    return { walked, changed, before };
  }

  function check(walked: string[], changed: Set<string>, before: string[]): void {
    expect(before.length).toBeGreaterThan(20);
    const stable = before.filter((id) => !changed.has(id));
    const counts = new Map<string, number>();
    for (const id of walked) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of stable) expect(counts.get(id), `${id} seen ${counts.get(id) ?? 0} times`).toBe(1);
    for (const [id, n] of counts) if (!changed.has(id)) expect(n, `${id} repeated`).toBe(1);
  }

  let round = 0;
  /** Creates new matching resources (ids falling before and after the cursor), updates and deletes others. */
  async function churn(seen: string[]): Promise<string[]> {
    round++;
    const touched: string[] = [];
    const writes: Promise<unknown>[] = [];
    for (const suffix of ['a', 'b']) {
      const idx = (round * 7 + (suffix === 'a' ? 3 : 31)) % initial.length;
      const id = `${initial[idx]}-${round}${suffix}`;
      touched.push(id);
      writes.push(request(s.base, 'PUT', `Patient/${id}`, tagged('conc', { resourceType: 'Patient', id, active: true, birthDate: '1950-06-01' })));
    }
    const current = await existing();
    const extra = current.filter((id) => !initial.includes(id));
    // Delete one created earlier, and update one not yet seen and one already seen (changing its sort key).
    if (extra.length > 0) {
      const victim = extra[round % extra.length];
      touched.push(victim);
      writes.push(request(s.base, 'DELETE', `Patient/${victim}`));
    }
    // Every third round, delete the last resource seen: the row the next page's cursor continues from.
    const last = seen[seen.length - 1];
    if (round % 3 === 0 && last) {
      touched.push(last);
      writes.push(request(s.base, 'DELETE', `Patient/${last}`));
    }
    const unseen = initial.filter((id) => !seen.includes(id));
    for (const id of [unseen[unseen.length - 1], seen[0]]) {
      if (!id) continue;
      touched.push(id);
      writes.push(request(s.base, 'PUT', `Patient/${id}`, tagged('conc', { resourceType: 'Patient', id, active: true, birthDate: `19${10 + round}-01-01` })));
    }
    await Promise.all(writes);
    return touched;
  }

  it('sorted by id (the default): no repeats, no skips', async () => {
    const { walked, changed, before } = await walk(`${tag('conc')}&active=true&_count=6`, (_p, seen) => churn(seen));
    check(walked, changed, before);
    expect(new Set(walked).size).toBe(walked.length);
  });

  it('sorted by a value the concurrent updates change', async () => {
    const { walked, changed, before } = await walk(`${tag('conc')}&active=true&_sort=birthdate&_count=5`, (_p, seen) => churn(seen));
    check(walked, changed, before);
  });

  it('sorted by -_lastUpdated (new writes go to the front)', async () => {
    const { walked, changed, before } = await walk(`${tag('conc')}&_sort=-_lastUpdated&_count=7`, (_p, seen) => churn(seen));
    check(walked, changed, before);
  });

  it('walking backward while others write', async () => {
    // Forward to the last page first, then back through `previous` while writing.
    const pages = await allPages(await get(s, 'Patient', `${tag('conc')}&_count=8`));
    const before = pages.flatMap(matchIds);
    const changed = new Set<string>();
    const walked = [...matchIds(pages[pages.length - 1])];
    let prev = link(pages[pages.length - 1], 'previous');
    while (prev) {
      const [r, touched] = await Promise.all([follow(prev), churn(walked)]);
      for (const id of touched) changed.add(id);
      expect(r.status).toBe(200);
      walked.push(...matchIds(r.body));
      prev = link(r.body, 'previous');
    }
    check(walked, changed, before);
  });
});

describe('POST _search', () => {
  it('combines parameters from the URL and the form body', async () => {
    await put(s, [
      tagged('post', { resourceType: 'Patient', id: 'post-1', gender: 'male', name: [{ family: 'Postman' }] }),
      tagged('post', { resourceType: 'Patient', id: 'post-2', gender: 'female', name: [{ family: 'Postman' }] }),
    ]);
    const r = await request(s.base, 'POST', `Patient/_search?family=postman`, `gender=male&${tag('post')}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r.status, r.text).toBe(200);
    expect(matchIds(r.body)).toEqual(['post-1']);
    const self = new URL(link(r.body, 'self') as string);
    expect(self.pathname.endsWith('/Patient')).toBe(true);
    expect(self.searchParams.get('family')).toBe('postman');
    expect(self.searchParams.get('gender')).toBe('male');
  });
});

describe('the Bundle', () => {
  it('match entries carry fullUrl and search.mode=match; links are absolute', async () => {
    await put(s, [tagged('bundle', { resourceType: 'Patient', id: 'bundle-1' })]);
    const r = await get(s, 'Patient', `${tag('bundle')}`);
    expect(r.body.resourceType).toBe('Bundle');
    expect(r.body.type).toBe('searchset');
    expect(r.body.total).toBe(1);
    expect(entries(r.body, 'match')).toHaveLength(1);
    expect(r.body.entry[0].fullUrl).toBe(`${s.base}/Patient/bundle-1`);
    expect(link(r.body, 'self')).toMatch(new RegExp(`^${s.base}/Patient\\?`));
  });
});
