import { expect } from 'vitest';
import { request, type FhirReply, type TestServer } from './support/harness.ts';
import { authFor } from './support/harness.ts';

/**
 * Helpers shared by the search-*.test.ts files: fixtures written with client ids, and searches run both as
 * `GET [type]?...` and as `POST [type]/_search` (form-encoded), which must agree.
 */

export const TAG_SYSTEM = 'urn:confide:search-test';

type Json = Record<string, any>;

/** Adds `meta.tag` = TAG_SYSTEM|group, so that each group's searches can be scoped with `_tag`. */
export function tagged(group: string, resource: Json): Json {
  return { ...resource, meta: { ...(resource.meta ?? {}), tag: [...(resource.meta?.tag ?? []), { system: TAG_SYSTEM, code: group }] } };
}

/** Writes resources with their own ids (update as create), in order; fails the test on any error. */
export async function put(s: TestServer, resources: Json[]): Promise<Json[]> {
  const out: Json[] = [];
  for (const r of resources) {
    const res = await request(s.base, 'PUT', `${r.resourceType}/${r.id}`, r);
    if (res.status !== 200 && res.status !== 201) throw new Error(`PUT ${r.resourceType}/${r.id}: ${res.status} ${res.text}`);
    out.push(res.body);
  }
  return out;
}

/**
 * Encodes a readable query (`name=Müller&birthdate=ge2024`) as a real query string: split on `&` and the first
 * `=`, then both sides percent-encoded, so that `+`, `|`, `$`, `%` and non-ASCII reach the server as written.
 */
export function encodeQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
    })
    .join('&');
}

export function get(s: TestServer, path: string, query: string, headers: Record<string, string> = {}): Promise<FhirReply> {
  const q = encodeQuery(query);
  return request(s.base, 'GET', q ? `${path}?${q}` : path, undefined, headers);
}

export function post(s: TestServer, type: string, query: string, headers: Record<string, string> = {}): Promise<FhirReply> {
  return request(s.base, 'POST', `${type}/_search`, encodeQuery(query), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
}

/** Follows an absolute link of a Bundle (next/previous/self). */
export async function follow(url: string, headers: Record<string, string> = {}): Promise<FhirReply> {
  const res = await fetch(url, { headers: { accept: 'application/fhir+json', ...authFor(url), ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
}

export function link(bundle: Json, relation: string): string | undefined {
  return (bundle.link as Json[] | undefined)?.find((l) => l.relation === relation)?.url;
}

export function entries(bundle: Json, mode: 'match' | 'include' | 'outcome'): Json[] {
  return ((bundle.entry ?? []) as Json[]).filter((e) => e.search?.mode === mode);
}

/** `Type/id` of the match entries, in Bundle order. */
export function matchKeys(bundle: Json): string[] {
  return entries(bundle, 'match').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
}

/** The ids of the match entries, in Bundle order. */
export function matchIds(bundle: Json): string[] {
  return entries(bundle, 'match').map((e) => e.resource.id as string);
}

export function includeKeys(bundle: Json): string[] {
  return entries(bundle, 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`);
}

/** Every page of a search from its first reply, following `next`; fails on a non-200 page. */
export async function allPages(first: FhirReply, headers: Record<string, string> = {}): Promise<Json[]> {
  expect(first.status, first.text).toBe(200);
  const pages = [first.body];
  let next = link(first.body, 'next');
  while (next) {
    const r = await follow(next, headers);
    expect(r.status, r.text).toBe(200);
    pages.push(r.body);
    next = link(r.body, 'next');
    if (pages.length > 200) throw new Error('paging does not end');
  }
  return pages;
}

/**
 * Runs one search both as GET and as POST _search and returns the match ids (every page, in order). Both
 * must answer 200 with the same ids.
 */
export async function searchBoth(s: TestServer, type: string, query: string, headers: Record<string, string> = {}): Promise<string[]> {
  const viaGet = (await allPages(await get(s, type, query, headers), headers)).flatMap(matchIds);
  const viaPost = (await allPages(await post(s, type, query, headers), headers)).flatMap(matchIds);
  expect(viaPost, `POST ${type}/_search ${query}`).toEqual(viaGet);
  return viaGet;
}

export function sorted(ids: string[]): string[] {
  return [...ids].sort();
}

/** Asserts the 400 OperationOutcome of a rejected search and that its issue names `expression`. */
export function expectBadRequest(reply: FhirReply, expression: string): void {
  expect(reply.status, reply.text).toBe(400);
  expect(reply.body.resourceType).toBe('OperationOutcome');
  const issue = (reply.body.issue as Json[])[0];
  expect(issue.severity).toBe('error');
  expect(issue.expression, JSON.stringify(issue)).toEqual([expression]);
}
