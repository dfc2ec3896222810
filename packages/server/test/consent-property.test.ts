import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/harness.ts';
import { noteAuthorization, refs, startPractice, type Practice } from './consent-support.ts';

/**
 * Property: no combination of search parameters returns a resource the policy denies. For each user, the
 * resources they must never see (by the rules of docs/consent.md, worked out by hand for the fixture of
 * consent-support.ts) are checked against the matches and includes of random searches — type, patient, chains,
 * _has, _include/_revinclude, _sort, _count, _total, paging — drawn from a seeded generator (same queries on every
 * run), a bounded number per user.
 */
let pr: Practice;
type User = keyof Practice['as'];

beforeAll(async () => {
  pr = await startPractice();
});
afterAll(async () => {
  await pr?.s.close();
});

/** What each user may never see, whatever the query. */
const DENIED: Partial<Record<User, string[]>> = {
  main: ['Composition/cs-note', 'Composition/cs-note5', 'Condition/cs-oud', 'Encounter/cs-enc-p2', 'Condition/cs-hiv'],
  delegate: ['Composition/cs-note5', 'Condition/cs-oud', 'Encounter/cs-enc-p2', 'Condition/cs-oud2', 'Encounter/cs-enc-p2b', 'Condition/cs-hiv'],
  p2: ['Composition/cs-note', 'Composition/cs-note5', 'Condition/cs-oud2', 'Encounter/cs-enc-p2b', 'Condition/cs-hiv'],
  therapist: ['Condition/cs-oud', 'Encounter/cs-enc-p2', 'Condition/cs-oud2', 'Encounter/cs-enc-p2b', 'Condition/cs-hiv'],
  patient: ['Composition/cs-note', 'Condition/cs-oud2', 'Condition/cs-hiv', 'Observation/cs-obs3'],
  system: ['Composition/cs-note', 'Composition/cs-note5', 'Condition/cs-oud', 'Encounter/cs-enc-p2', 'Condition/cs-oud2', 'Encounter/cs-enc-p2b'],
};

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATIENTS = ['cs-p1', 'cs-p2', 'cs-p3', 'cs-p4', 'cs-p5'];
const PARAMS: Record<string, string[]> = {
  Condition: ['code=F11.20', 'code=B20', 'code=http://hl7.org/fhir/sid/icd-10-cm|F11.20', 'encounter.service-provider=Organization/cs-prog', '_security=SUD', '_security=42CFRPart2', '_security=HIV', '_include=Condition:encounter', '_include=Condition:subject', '_revinclude=Observation:focus', '_has:Observation:focus:status=final', '_sort=-_lastUpdated', '_tag=https://confide.health/fhir/CodeSystem/part2-program|Organization/cs-prog'],
  Observation: ['status=final', 'focus:Condition.code=B20', '_include=Observation:focus', '_include=Observation:patient', '_security:not=HIV', 'code:text=heart', '_sort=_id'],
  Composition: ['type=psychotherapy-note', 'type=https://confide.health/fhir/CodeSystem/note-type|psychotherapy-note', 'author=Practitioner/cs-doc-ther', '_security=PSYTHPN', '_security:not=PSYTHPN', 'title=Session', '_include=Composition:author', '_include=Composition:subject'],
  Encounter: ['service-provider=Organization/cs-prog', '_security=42CFRPart2', '_revinclude=Condition:encounter', '_has:Condition:encounter:code=F11.20', 'status=finished'],
  Patient: ['_has:Condition:patient:code=F11.20', '_has:Composition:subject:type=psychotherapy-note', '_has:Condition:patient:code=B20', '_revinclude=Condition:patient', '_revinclude=Composition:subject', '_revinclude=Encounter:patient', 'organization=Organization/cs-main'],
};

function randomQuery(next: () => number): string {
  const types = Object.keys(PARAMS);
  const type = types[Math.floor(next() * types.length)];
  const parts: string[] = [];
  const options = PARAMS[type];
  const n = 1 + Math.floor(next() * 3);
  for (let i = 0; i < n; i++) parts.push(options[Math.floor(next() * options.length)]);
  if (type !== 'Patient' && next() < 0.6) parts.push(`patient=${PATIENTS[Math.floor(next() * PATIENTS.length)]}`);
  if (type === 'Patient' && next() < 0.5) parts.push(`_id=${PATIENTS[Math.floor(next() * PATIENTS.length)]}`);
  if (next() < 0.5) parts.push('_total=accurate');
  parts.push(`_count=${1 + Math.floor(next() * 4)}`);
  return `${type}?${[...new Set(parts)].join('&')}`;
}

/** Everything some user was shown, over all users. */
const seen = new Set<string>();

/** Runs a user's seeded random queries (following up to three pages each); fails on any denied resource. */
async function checkUser(user: User, denied: Set<string>, seed: number, shown: Set<string>): Promise<void> {
  const next = rng(seed);
  let checked = 0;
  for (let q = 0; q < 30; q++) {
    let path: string | undefined = randomQuery(next);
    const asked = path;
    // Follow up to three pages: paging must not reveal what the first page hides.
    for (let page = 0; path && page < 3; page++) {
      const r: { status: number; body: any } = await request(pr.s.base, 'GET', path, undefined, pr.as[user]);
      expect([200, 403], `${user} ${path}`).toContain(r.status);
      if (r.status !== 200) break;
      const leaked = refs(r.body).filter((x) => denied.has(x));
      expect(leaked, `${user} ${asked}`).toEqual([]);
      checked += refs(r.body).length;
      for (const x of refs(r.body)) shown.add(x);
      const nextUrl: string | undefined = r.body.link?.find((l: any) => l.relation === 'next')?.url;
      path = nextUrl?.slice(pr.s.base.length + 1);
    }
  }
  // The queries did find things (the property is not vacuous).
  expect(checked).toBeGreaterThan(0);
}

const seedOf = (user: User) => 0xc0ffee + user.length * 7919 + user.charCodeAt(0);

describe('no search returns what the policy denies (seeded random queries)', () => {
  it.each(Object.keys(DENIED) as User[])('for %s', { timeout: 240_000 }, async (user) => {
    await checkUser(user, new Set(DENIED[user]), seedOf(user), seen);
  });

  it('the same queries do reach the protected records for the users allowed to see them', () => {
    expect([...seen]).toEqual(expect.arrayContaining(['Composition/cs-note', 'Condition/cs-oud', 'Condition/cs-oud2', 'Condition/cs-hiv', 'Encounter/cs-enc-p2']));
  });
});

describe('with an authorization releasing cs-note5 to the main clinician (45 CFR 164.508(a)(2))', () => {
  const shown = new Set<string>();
  beforeAll(async () => {
    expect((await request(pr.s.base, 'PUT', 'Consent/cs-auth-prop', noteAuthorization('cs-auth-prop'), pr.as.therapist)).status).toBe(201);
  });
  it.each(['main', 'p2', 'delegate', 'patient', 'system'] as User[])('for %s', { timeout: 240_000 }, async (user) => {
    const denied = new Set((DENIED[user] ?? []).filter((r) => user !== 'main' || r !== 'Composition/cs-note5'));
    await checkUser(user, denied, seedOf(user) + 1, user === 'main' ? shown : new Set());
  });
  it('the main clinician did find the released note', () => {
    expect([...shown]).toContain('Composition/cs-note5');
  });
});
