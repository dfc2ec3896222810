import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import smart from 'fhirclient';
import { totpCode } from '@confide/auth';
import type { SecurityEvent } from '../src/index.ts';
import { startTestServer, type TestServer } from './support/harness.ts';

/** A clock the test moves by hand; starts at the real time so that every party agrees on "now". */
export class Clock {
  t = Date.now();
  now = (): Date => new Date(this.t);
  advanceSeconds(s: number): void {
    this.t += s * 1000;
  }
}

export interface OAuthTestServer extends TestServer {
  clock: Clock;
  events: SecurityEvent[];
}

export async function startOAuthServer(auth: Record<string, unknown> = {}): Promise<OAuthTestServer> {
  const clock = new Clock();
  const events: SecurityEvent[] = [];
  const s = await startTestServer({ auth: { now: clock.now, onSecurityEvent: (e) => events.push(e), ...auth } });
  return { ...s, clock, events };
}

export const PASSWORD = 'lantern-Meadow-42';

export interface Fixture {
  organizationId: string;
  patientId: string;
  otherPatientId: string;
  practitionerId: string;
  encounterId: string;
  /** Staff with MFA (enrolled): sign in with `totp()`. */
  drSmith: { username: string; id: string; secret: string };
  /** Staff without MFA. */
  nurse: { username: string; id: string };
  /** A patient user, linked to `patientId`. */
  patientUser: { username: string; id: string };
}

/** A practitioner, two patients with observations, and three accounts. */
export async function makeFixture(s: OAuthTestServer): Promise<Fixture> {
  const repo = s.confide.repo;
  const org = await repo.create({ resourceType: 'Organization', name: 'Riverside Practice' });
  const managingOrganization = { reference: `Organization/${org.resource.id}` };
  const practitioner = await repo.create({ resourceType: 'Practitioner', name: [{ family: 'Smith', given: ['Jane'] }] });
  const patient = await repo.create({ resourceType: 'Patient', name: [{ family: 'Lovelace', given: ['Ada'] }], birthDate: '1985-12-10', managingOrganization });
  const other = await repo.create({ resourceType: 'Patient', name: [{ family: 'Hopper', given: ['Grace'] }], birthDate: '1956-12-09', managingOrganization });
  const encounter = await repo.create({ resourceType: 'Encounter', status: 'in-progress', class: { code: 'AMB' }, subject: { reference: `Patient/${patient.resource.id}` } });
  for (const p of [patient, other]) {
    await repo.create({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
      subject: { reference: `Patient/${p.resource.id}` },
      valueQuantity: { value: 72, unit: '/min' },
    });
  }
  const accounts = s.confide.accounts;
  const dr = await accounts.createUser({
    username: 'dr.smith',
    kind: 'staff',
    fhirUser: `Practitioner/${practitioner.resource.id}`,
    display: 'Dr Jane Smith',
    roles: ['clinician'],
    organizations: [org.resource.id],
    password: PASSWORD,
    mfaRequired: true,
  });
  const { secret } = await accounts.startTotpEnrollment('dr.smith');
  if (!(await accounts.confirmTotpEnrollment('dr.smith', totpCode(secret, s.clock.now())))) throw new Error('TOTP enrollment failed');
  // The step used at enrollment cannot be used again: move on to the next one.
  s.clock.advanceSeconds(31);
  const nurse = await accounts.createUser({ username: 'nurse.joy', kind: 'staff', roles: ['clinician'], organizations: [org.resource.id], password: PASSWORD, mfaRequired: false });
  const pu = await accounts.createUser({ username: 'ada', kind: 'patient', fhirUser: `Patient/${patient.resource.id}`, password: PASSWORD });
  return {
    organizationId: org.resource.id,
    patientId: patient.resource.id,
    otherPatientId: other.resource.id,
    practitionerId: practitioner.resource.id,
    encounterId: encounter.resource.id,
    drSmith: { username: 'dr.smith', id: dr.user.id, secret },
    nurse: { username: 'nurse.joy', id: nurse.user.id },
    patientUser: { username: 'ada', id: pu.user.id },
  };
}

// ---- a minimal browser --------------------------------------------------------------------------------

export interface Page {
  url: string;
  status: number;
  location?: string;
  text: string;
  headers: Headers;
}

export interface Form {
  action: string;
  method: string;
  fields: [string, string][];
  buttons: [string, string][];
}

function unescapeHtml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeHtml(m[1]) : undefined;
}

/** The forms of a page, with their inputs (hidden and visible) and submit buttons. */
export function parseForms(html: string): Form[] {
  return [...html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)].map(([, open, body]) => ({
    action: attr(open, 'action') ?? '',
    method: (attr(open, 'method') ?? 'get').toUpperCase(),
    fields: [...body.matchAll(/<input[^>]*>/g)].filter((m) => attr(m[0], 'name')).map((m) => [attr(m[0], 'name')!, attr(m[0], 'value') ?? ''] as [string, string]),
    buttons: [...body.matchAll(/<button[^>]*>/g)].filter((m) => attr(m[0], 'name')).map((m) => [attr(m[0], 'name')!, attr(m[0], 'value') ?? ''] as [string, string]),
  }));
}

/** Follows redirects by hand, keeps cookies, submits forms: enough of a browser for the sign-in pages. */
export class Browser {
  readonly cookies = new Map<string, string>();

  async open(url: string, init: { method?: string; form?: URLSearchParams } = {}): Promise<Page> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = init.form.toString();
    }
    const res = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = res.headers.get('location') ?? undefined;
    return { url, status: res.status, location: location ? new URL(location, url).toString() : undefined, text: await res.text(), headers: res.headers };
  }

  /** Follows redirects until a page that is not one, or one whose URL starts with `stopAt`. */
  async follow(page: Page, stopAt?: string): Promise<Page> {
    let p = page;
    for (let i = 0; i < 10 && p.location && p.status >= 300 && p.status < 400; i++) {
      if (stopAt && p.location.startsWith(stopAt)) return p;
      p = await this.open(p.location);
    }
    return p;
  }

  /** Submits the form of `page` that has `marker` among its fields (e.g. `_step=signin`), with `values`. */
  async submit(page: Page, marker: [string, string], values: Record<string, string> = {}): Promise<Page> {
    const form = parseForms(page.text).find((f) => f.fields.some(([n, v]) => n === marker[0] && v === marker[1]));
    if (!form) throw new Error(`No form with ${marker.join('=')} on ${page.url}:\n${page.text.slice(0, 2000)}`);
    const data = new URLSearchParams();
    for (const [n, v] of form.fields) if (!(n in values)) data.append(n, v);
    for (const [n, v] of Object.entries(values)) data.append(n, v);
    const target = new URL(form.action, page.url);
    if (form.method === 'GET') {
      target.search = data.toString();
      return this.open(target.toString());
    }
    return this.open(target.toString(), { form: data });
  }
}

/**
 * Drives the sign-in, patient picker and consent pages from the first authorization server page until the
 * redirect back to the app (`appOrigin`). `signIn` null: the browser already has a session.
 */
export async function throughAuthorization(
  browser: Browser,
  first: Page,
  appOrigin: string,
  o: { username?: string; password?: string; totp?: () => string; patientName?: string; decision?: 'allow' | 'deny' } = {},
): Promise<Page> {
  let page = await browser.follow(first, appOrigin);
  for (let i = 0; i < 6; i++) {
    if (page.location?.startsWith(appOrigin)) return page;
    if (page.status !== 200) throw new Error(`Unexpected ${page.status} at ${page.url}: ${page.text.slice(0, 500)}`);
    if (page.text.includes('name="_step" value="signin"')) {
      page = await browser.submit(page, ['_step', 'signin'], {
        username: o.username ?? '',
        password: o.password ?? PASSWORD,
        ...(o.totp ? { totp: o.totp() } : {}),
      });
    } else if (page.text.includes('name="_q"')) {
      if (page.text.includes('name="_patient"')) page = await browser.submit(page, ['_step', 'patient']);
      else {
        const form = parseForms(page.text).find((f) => f.method === 'GET')!;
        const u = new URL(form.action, page.url);
        u.search = new URLSearchParams([...form.fields.filter(([n]) => n !== '_q'), ['_q', o.patientName ?? '']]).toString();
        page = await browser.open(u.toString());
      }
    } else if (page.text.includes('name="_step" value="consent"')) {
      page = await browser.submit(page, ['_step', 'consent'], { _decision: o.decision ?? 'allow' });
    } else {
      throw new Error(`Unexpected page at ${page.url}:\n${page.text.slice(0, 1500)}`);
    }
    page = await browser.follow(page, appOrigin);
  }
  throw new Error('Too many pages');
}

// ---- a SMART app on fhirclient ------------------------------------------------------------------------

export interface SmartAppResult {
  tokenResponse: Record<string, any>;
  patientId?: string;
  results: Record<string, unknown>;
  error?: string;
}

export interface SmartApp {
  origin: string;
  redirectUri: string;
  /** The app's launch URL, as an EHR or a user would open it. */
  launchUrl(params: Record<string, string>): string;
  /** Set by the test: what the app does once ready() resolved. */
  onReady: (client: any) => Promise<Record<string, unknown>>;
  last?: SmartAppResult;
  close(): Promise<void>;
}

/**
 * A confidential-free SMART app in Node on the reference client library (fhirclient): `/launch` calls
 * `authorize()`, `/callback` calls `ready()` and then `onReady` with the client.
 */
export async function startSmartApp(o: { clientId: string; scope: string; iss?: string }): Promise<SmartApp> {
  const store: Record<string, unknown> = {};
  const storage = {
    get: async (k: string) => store[k],
    set: async (k: string, v: unknown) => {
      store[k] = v;
      return v;
    },
    unset: async (k: string) => {
      const had = k in store;
      delete store[k];
      return had;
    },
  };
  const app: SmartApp = {
    origin: '',
    redirectUri: '',
    launchUrl: (params) => `${app.origin}/launch?${new URLSearchParams(params)}`,
    onReady: async () => ({}),
    close: async () => undefined,
  };
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', app.origin);
    const api = smart(req, res, storage as any);
    if (url.pathname === '/launch') {
      api
        .authorize({ clientId: o.clientId, scope: o.scope, redirectUri: '/callback', iss: o.iss, pkceMode: 'required' } as any)
        .catch((e: Error) => {
          res.writeHead(500).end(String(e.message));
        });
      return;
    }
    if (url.pathname === '/callback') {
      (async () => {
        try {
          const client = await api.ready();
          const results = await app.onReady(client);
          app.last = { tokenResponse: client.state.tokenResponse as Record<string, any>, patientId: client.patient.id ?? undefined, results };
        } catch (e) {
          app.last = { tokenResponse: {}, results: {}, error: (e as Error).message };
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(app.last));
      })();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  app.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.redirectUri = `${app.origin}/callback`;
  app.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return app;
}

// ---- direct protocol helpers ----------------------------------------------------------------------------

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

export function basic(id: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}` };
}

export async function fhirGet(base: string, path: string, token?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base}/${path}`, { headers: { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/**
 * Runs the authorization code flow by hand up to the redirect (for the negative cases), as a public client
 * with a registered redirect URI. Returns the code (or the error redirect).
 */
export async function getCode(
  s: OAuthTestServer,
  o: { clientId: string; redirectUri: string; scope: string; username: string; totp?: () => string; challenge: string; extra?: Record<string, string>; browser?: Browser },
): Promise<{ code?: string; error?: string; location: string; browser: Browser }> {
  const browser = o.browser ?? new Browser();
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: o.clientId,
    redirect_uri: o.redirectUri,
    scope: o.scope,
    state: 'st-' + randomBytes(4).toString('hex'),
    aud: s.base,
    code_challenge: o.challenge,
    code_challenge_method: 'S256',
    ...o.extra,
  });
  const first = await browser.open(`${s.url}/oauth2/authorize?${params}`);
  const origin = new URL(o.redirectUri).origin;
  const page = first.location?.startsWith(origin) ? first : await throughAuthorization(browser, first, origin, { username: o.username, totp: o.totp });
  const loc = new URL(page.location!);
  return { code: loc.searchParams.get('code') ?? undefined, error: loc.searchParams.get('error') ?? undefined, location: page.location!, browser };
}

export function totpFor(s: OAuthTestServer, secret: string): () => string {
  return () => {
    // Each sign-in uses a fresh 30-second step (a step is accepted once).
    s.clock.advanceSeconds(30);
    return totpCode(secret, s.clock.now());
  };
}
