import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from './support/harness.ts';

// Real-world input: the Synthea R4 transaction Bundles in the shared data folder (see its README), one
// synthetic patient each, every entry a POST with a urn:uuid fullUrl. Each must go through the server as one
// transaction, with every urn:uuid reference turned into the Type/id the server assigned.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = process.env.SYNTHEA_R4_DIR ?? path.resolve(repoRoot, '../shared/data/synthea-r4');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
if (files.length === 0) console.warn(`synthea.test.ts: skipped, no Synthea bundles in ${dir} (set SYNTHEA_R4_DIR to run it)`);

type Json = Record<string, any>;

/** Every `reference` string in a resource, with the path where it occurs. */
function references(value: unknown, at: string, out: { at: string; reference: string }[] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => references(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Json)) {
      if (k === 'reference' && typeof v === 'string') out.push({ at: `${at}.reference`, reference: v });
      else references(v, `${at}.${k}`, out);
    }
  }
  return out;
}

/** The resource as the server should store it: urn:uuid references replaced, server-owned fields removed. */
function expectedStored(resource: Json, ids: ReadonlyMap<string, string>): Json {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value as Json).map(([k, v]) => [k, k === 'reference' && typeof v === 'string' ? (ids.get(v) ?? v) : rewrite(v)]),
    );
  };
  return withoutServerFields(rewrite(resource) as Json);
}

function withoutServerFields(resource: Json): Json {
  const { id: _id, meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...others } = (meta ?? {}) as Json;
  return Object.keys(others).length > 0 ? { ...rest, meta: others } : rest;
}

/** Every page of a search, following the `next` links. */
async function searchAll(base: string, query: string): Promise<{ total: number | undefined; resources: Json[]; pages: number }> {
  let r = await request(base, 'GET', query);
  expect(r.status, `${query}: ${r.text.slice(0, 300)}`).toBe(200);
  const total = r.body.total as number | undefined;
  const resources: Json[] = [];
  let pages = 1;
  for (;;) {
    for (const e of r.body.entry ?? []) if (e.search?.mode !== 'outcome') resources.push(e.resource);
    const next = (r.body.link ?? []).find((l: { relation: string }) => l.relation === 'next')?.url as string | undefined;
    if (!next) break;
    expect(next.startsWith(base + '/'), next).toBe(true);
    r = await request(base, 'GET', next.slice(base.length + 1));
    expect(r.status, `${next}: ${r.text.slice(0, 300)}`).toBe(200);
    pages++;
    expect(pages).toBeLessThan(100);
  }
  return { total, resources, pages };
}

let s: TestServer;
beforeAll(async () => {
  if (files.length > 0) s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

describe.skipIf(files.length === 0)('Synthea R4 bundles through the server', () => {
  it.each(files)('%s', { timeout: 120_000 }, async (file) => {
    const bundle = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Json;
    const entries = bundle.entry as Json[];
    expect(bundle.type).toBe('transaction');

    // 1. One transaction; every entry created.
    const tx = await request(s.base, 'POST', '', bundle);
    expect(tx.status, tx.text.slice(0, 500)).toBe(200);
    expect(tx.body.type).toBe('transaction-response');
    expect(tx.body.entry).toHaveLength(entries.length);
    const statuses = new Set<string>(tx.body.entry.map((e: Json) => e.response.status));
    expect([...statuses]).toEqual(['201 Created']);

    // fullUrl -> Type/id the server assigned, from each entry's Location.
    const ids = new Map<string, string>();
    entries.forEach((e, i) => {
      const location: string = tx.body.entry[i].response.location;
      const m = /\/fhir\/R4\/([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})\/_history\/1$/.exec(location);
      expect(m, `entry ${i}: Location ${location}`).not.toBeNull();
      const [, type, id] = m as RegExpExecArray;
      expect(type).toBe(e.resource.resourceType);
      expect(tx.body.entry[i].resource.id).toBe(id);
      ids.set(e.fullUrl, `${type}/${id}`);
    });
    expect(new Set(ids.values()).size).toBe(entries.length);

    // 2. Every urn:uuid reference was rewritten to the Type/id of the entry it named; apart from that (and
    // meta.versionId/lastUpdated), each resource is stored as sent.
    const problems: string[] = [];
    entries.forEach((e, i) => {
      const stored = tx.body.entry[i].resource as Json;
      for (const ref of references(stored, `entry[${i}].resource`)) {
        if (ref.reference.startsWith('urn:')) problems.push(`${ref.at}: ${ref.reference} was not rewritten`);
      }
      if (!isDeepStrictEqual(withoutServerFields(stored), expectedStored(e.resource, ids))) {
        problems.push(`entry[${i}] (${e.resource.resourceType}): stored content differs from the resource sent`);
      }
    });
    expect(problems).toEqual([]);

    const patientEntry = entries.findIndex((e) => e.resource.resourceType === 'Patient');
    const patientRef = ids.get(entries[patientEntry].fullUrl) as string;
    const patientId = patientRef.split('/')[1];
    const observations = entries.flatMap((e, i) => (e.resource.resourceType === 'Observation' ? [i] : []));
    expect(observations.length).toBeGreaterThan(0);
    for (const i of observations) {
      expect(tx.body.entry[i].resource.subject.reference).toBe(patientRef);
    }

    // 3. Every resource a reference points to can be read, and is what the transaction answered.
    const targets = new Set<string>();
    for (const e of tx.body.entry as Json[]) {
      for (const ref of references(e.resource, '')) if (!ref.reference.startsWith('#')) targets.add(ref.reference);
    }
    const created = new Map<string, Json>((tx.body.entry as Json[]).map((e) => [`${e.resource.resourceType}/${e.resource.id}`, e.resource]));
    const unreadable: string[] = [];
    const queue = [...targets];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
          const r = await request(s.base, 'GET', t);
          if (r.status !== 200) unreadable.push(`${t}: ${r.status}`);
          else if (!created.has(t)) unreadable.push(`${t}: not one of this bundle's resources`);
          else if (!isDeepStrictEqual(r.body, created.get(t))) unreadable.push(`${t}: GET differs from the transaction response`);
        }
      }),
    );
    expect(unreadable).toEqual([]);
    expect(targets.has(patientRef)).toBe(true);

    // 4. Searching by the rewritten reference finds exactly the bundle's Observations, over several pages.
    const obsIds = new Set(observations.map((i) => tx.body.entry[i].resource.id as string));
    const found = await searchAll(s.base, `Observation?subject=${encodeURIComponent(patientRef)}&_total=accurate&_count=50`);
    expect(found.total).toBe(observations.length);
    expect(found.resources.length).toBe(observations.length);
    expect(new Set(found.resources.map((r) => r.id))).toEqual(obsIds);
    expect(found.pages).toBe(Math.max(1, Math.ceil(observations.length / 50)));
    for (const r of found.resources) expect(r.subject.reference).toBe(patientRef);
    // The same through the Patient compartment and through the id alone.
    const byId = await request(s.base, 'GET', `Observation?subject=${patientId}&_summary=count`);
    expect(byId.body.total).toBe(observations.length);
    const compartment = await request(s.base, 'GET', `Patient/${patientId}/Observation?_summary=count`);
    expect(compartment.body.total).toBe(observations.length);

    // 5. The patient is found by family name (names such as O'Hara included).
    const family: string = entries[patientEntry].resource.name[0].family;
    const byName = await request(s.base, 'GET', `Patient?name=${encodeURIComponent(family)}`);
    expect(byName.status).toBe(200);
    expect(byName.body.entry?.map((e: Json) => e.resource.id)).toContain(patientId);
    // `name` matches the start of any part of any name (R4 search.html#string).
    for (const e of byName.body.entry) {
      const parts = (e.resource.name as Json[]).flatMap((n) => [n.text, n.family, ...(n.given ?? []), ...(n.prefix ?? []), ...(n.suffix ?? [])]);
      expect(parts.some((p) => typeof p === 'string' && p.toLowerCase().startsWith(family.toLowerCase())), JSON.stringify(e.resource.name)).toBe(true);
    }
  });
});
