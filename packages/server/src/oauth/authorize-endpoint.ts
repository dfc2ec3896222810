import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Patient } from '@medplum/fhirtypes';
import { AccountError, PASSWORD_MIN_LENGTH, totpUri, type ValidSession } from '@confide/auth';
import { isValidId, parseSearchRequest } from '@confide/fhir';
import type { Scope } from '@confide/policy';
import { executeSearch, type Repository } from '@confide/store';
import { resolveActor } from '../identity/resolve-actor.ts';
import type { OAuthClient } from './clients.ts';
import type { OAuthContext } from './context.ts';
import type { LaunchContext } from './grants.ts';
import { cookie, parseCookies, readForm, redirect, sendHtml } from './http-util.ts';
import type { LaunchRecord } from './launches.ts';
import { OAuthError } from './oauth-error.ts';
import {
  consentPage,
  errorPage,
  passwordChangePage,
  pickerPage,
  signInPage,
  totpEnrollPage,
  type Hidden,
  type PatientChoice,
} from './pages.ts';
import { S256_CHALLENGE_PATTERN } from './pkce.ts';
import { describeScope, narrowScopes } from './scope-grant.ts';
import { randomToken, safeEqual } from './secrets.ts';
import type { ServerUrls } from './urls.ts';

export const SESSION_COOKIE = 'confide_session';
const CSRF_COOKIE = 'confide_csrf';

/** The authorization request parameters (RFC 6749 section 4.1.1, RFC 7636 section 4.3, SMART, OIDC nonce). */
const AUTH_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'aud', 'launch', 'code_challenge', 'code_challenge_method', 'nonce'];

interface Validated {
  client: OAuthClient;
  redirectUri: string;
  state: string;
  scopes: Scope[];
  codeChallenge: string;
  nonce: string | null;
  launch: LaunchRecord | undefined;
  hidden: Hidden;
}

/** Errors after the redirect URI is known go back to the app (RFC 6749 section 4.1.2.1). */
class RedirectError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * GET|POST /oauth2/authorize (RFC 6749 section 4.1.1; SMART app-launch "Obtain authorization code"; POST per
 * the `authorize-post` capability). The request is validated again on every step, so no server-side state is
 * kept between the pages: sign-in (when there is no session), what the session still owes (a new password, an
 * authenticator app, the one-time code), the patient picker (standalone `launch/patient` for staff), consent
 * (not for first-party apps), then the redirect with `code` and `state`.
 */
export async function authorizeEndpoint(ctx: OAuthContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const urls = ctx.urls(req);
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    sendHtml(res, 405, errorPage('Not allowed', 'Use GET or POST.'), { Allow: 'GET, POST' });
    return;
  }
  let params: URLSearchParams;
  try {
    params = method === 'POST' ? await readForm(req) : url.searchParams;
  } catch (e) {
    if (e instanceof OAuthError) {
      sendHtml(res, 400, errorPage('Invalid request', e.description));
      return;
    }
    throw e;
  }
  const cookies = parseCookies(req.headers.cookie);
  let csrf = cookies.get(CSRF_COOKIE);
  const setCookies: string[] = [];
  if (!csrf || csrf.length < 20) {
    csrf = randomToken(24);
    setCookies.push(cookie(CSRF_COOKIE, csrf, { secure: urls.secure, path: '/oauth2/' }));
  }

  let v: Validated;
  try {
    v = await validateRequest(ctx, urls, params);
  } catch (e) {
    if (e instanceof OAuthError) {
      // No trustworthy redirect URI: tell the user, never redirect (RFC 6749 section 4.1.2.1).
      sendHtml(res, 400, errorPage('This app cannot connect', e.description), { 'Set-Cookie': setCookies });
      return;
    }
    if (e instanceof RedirectError) {
      redirectWith(res, params.get('redirect_uri')!, { error: e.error, error_description: e.description, state: params.get('state') }, setCookies);
      return;
    }
    throw e;
  }

  try {
    await continueFlow(ctx, req, res, urls, params, v, cookies, csrf, setCookies);
  } catch (e) {
    if (e instanceof RedirectError) {
      redirectWith(res, v.redirectUri, { error: e.error, error_description: e.description, state: v.state }, setCookies);
      return;
    }
    throw e;
  }
}

async function validateRequest(ctx: OAuthContext, urls: ServerUrls, params: URLSearchParams): Promise<Validated> {
  for (const name of AUTH_PARAMS) {
    if (params.getAll(name).length > 1) throw new OAuthError('invalid_request', `The parameter ${name} is repeated.`);
  }
  const clientId = params.get('client_id') ?? '';
  const client = await ctx.clients.get(clientId);
  if (!client || client.disabled || client.internal || !client.grantTypes.includes('authorization_code')) {
    throw new OAuthError('invalid_request', 'The app is not registered with this Confide (unknown client_id).');
  }
  const redirectUri = params.get('redirect_uri') ?? '';
  // Exact match against a registered URI (RFC 6749 section 3.1.2.3; OAuth 2.0 Security BCP section 4.1.3).
  const registered = client.redirectUris.map((r) => (r.startsWith('/') ? urls.issuer + r : r));
  if (!registered.includes(redirectUri)) throw new OAuthError('invalid_request', 'The redirect URI is not registered for this app.');

  if (params.get('response_type') !== 'code') throw new RedirectError('unsupported_response_type', 'response_type must be code');
  const state = params.get('state');
  // SMART app-launch, "Obtain authorization code": state is required.
  if (!state) throw new RedirectError('invalid_request', 'state is required');
  // SMART app-launch: aud names the FHIR resource server; an app sent to a look-alike must not get a code.
  if (params.get('aud') !== urls.fhirBase) throw new RedirectError('invalid_request', `aud must be this server's FHIR base URL (${urls.fhirBase})`);
  // PKCE for every client (SMART 2.0: S256 required, plain refused; RFC 7636 section 4.4.1: invalid_request).
  if (params.get('code_challenge_method') !== 'S256') throw new RedirectError('invalid_request', 'PKCE is required: code_challenge_method must be S256');
  const codeChallenge = params.get('code_challenge') ?? '';
  if (!S256_CHALLENGE_PATTERN.test(codeChallenge)) throw new RedirectError('invalid_request', 'code_challenge is missing or malformed');
  const requested = params.get('scope') ?? '';
  if (!requested.trim()) throw new RedirectError('invalid_scope', 'scope is required');
  const narrowed = narrowScopes(requested, client.scope, 'user');
  if (narrowed.scopes.length === 0) throw new RedirectError('invalid_scope', 'None of the requested scopes can be granted to this app');
  const nonce = params.get('nonce');
  if (nonce !== null && nonce.length > 255) throw new RedirectError('invalid_request', 'nonce is too long');
  let launch: LaunchRecord | undefined;
  const launchId = params.get('launch');
  if (launchId) {
    launch = await ctx.launches.findUsable(launchId);
    if (!launch) throw new RedirectError('invalid_request', 'The launch is unknown, expired or already used');
  }
  const hidden: [string, string][] = [];
  for (const name of AUTH_PARAMS) {
    const value = params.get(name);
    if (value !== null) hidden.push([name, value]);
  }
  return { client, redirectUri, state, scopes: narrowed.scopes, codeChallenge, nonce, launch, hidden };
}

async function continueFlow(
  ctx: OAuthContext,
  req: IncomingMessage,
  res: ServerResponse,
  urls: ServerUrls,
  params: URLSearchParams,
  v: Validated,
  cookies: Map<string, string>,
  csrf: string,
  setCookies: string[],
): Promise<void> {
  const step = req.method === 'POST' ? params.get('_step') : null;
  const csrfOk = step !== null && safeEqual(params.get('_csrf') ?? '', csrf);
  const action = '/oauth2/authorize';
  const remoteAddress = req.socket.remoteAddress;
  const html = (status: number, body: string) => sendHtml(res, status, body, { 'Set-Cookie': setCookies });

  // ---- who is the user? -------------------------------------------------------------------------------
  if (step === 'signin') {
    if (!csrfOk) {
      html(400, signInPage({ action, hidden: v.hidden, csrf, clientName: v.client.name, message: 'The form had expired. Please sign in again.' }));
      return;
    }
    const username = params.get('username') ?? '';
    // An account that must change its password or set up an authenticator app is signed in with those steps
    // pending; the session can do nothing else until they are done (below).
    const r = await ctx.accounts.signIn({
      username,
      password: params.get('password') ?? '',
      totp: params.get('totp') || undefined,
      remoteAddress,
      allowEnrollment: true,
      allowPasswordChange: true,
    });
    if (r.ok) {
      ctx.emit({ type: 'sign-in', outcome: 'success', username: r.user.username, userId: r.user.id, clientId: v.client.clientId, remoteAddress });
      const maxAge = Math.max(0, Math.floor((r.session.expiresAt.getTime() - ctx.now().getTime()) / 1000));
      setCookies.push(cookie(SESSION_COOKIE, r.session.token, { secure: urls.secure, maxAgeSeconds: maxAge }));
      // Post/redirect/get: continue with the authorization request itself, now with a session.
      const next = new URLSearchParams(v.hidden as [string, string][]);
      redirect(res, `${action}?${next}`, 303, { 'Set-Cookie': setCookies });
      return;
    }
    ctx.emit({ type: 'sign-in-failed', outcome: 'failure', username: username.slice(0, 64), clientId: v.client.clientId, reason: r.reason, remoteAddress });
    html(200, signInPage({ action, hidden: v.hidden, csrf, clientName: v.client.name, username, ...signInMessage(r.reason) }));
    return;
  }

  const sessionToken = cookies.get(SESSION_COOKIE);
  const session = sessionToken ? await ctx.accounts.validateSession(sessionToken) : undefined;
  if (!session) {
    html(200, signInPage({ action, hidden: v.hidden, csrf, clientName: v.client.name }));
    return;
  }
  if (session.pending.length > 0) {
    await owedStep(ctx, res, params, v, session, sessionToken!, step, csrfOk, csrf, setCookies, remoteAddress);
    return;
  }
  if (step === 'password' || step === 'enrol') {
    // A repeated submit of a step already done (double click, back button): carry on with the request.
    redirect(res, `${action}?${new URLSearchParams(v.hidden as [string, string][])}`, 303, { 'Set-Cookie': setCookies });
    return;
  }
  const user = session.user;

  // ---- launch context ---------------------------------------------------------------------------------
  const wanted = new Set(v.scopes.map((s) => s.text));
  let context: LaunchContext | null = null;
  let patientLabel: string | undefined;
  const chosenPatient = step === 'patient' || step === 'consent' ? params.get('_patient') : null;
  if ((step === 'patient' || step === 'consent') && !csrfOk) throw new RedirectError('access_denied', 'The form had expired; start again');
  if (v.launch) {
    // EHR launch: the context is the EHR's, and only the user who launched may use it.
    if (v.launch.userId !== user.id) throw new RedirectError('invalid_request', 'This launch was made for another user');
    context = { need_patient_banner: false };
    if (v.launch.patient) context.patient = v.launch.patient;
    if (v.launch.encounter) context.encounter = v.launch.encounter;
  } else if (user.kind === 'patient') {
    // A patient user's app is always about that patient (SMART context-standalone-patient).
    const own = user.fhirUser?.startsWith('Patient/') ? user.fhirUser.slice(8) : undefined;
    if (own && (wanted.has('launch/patient') || v.scopes.some((s) => s.kind === 'resource' && s.context === 'patient'))) {
      context = { patient: own };
    }
  } else if (wanted.has('launch/patient')) {
    if (!chosenPatient) {
      const query = (params.get('_q') ?? '').trim();
      const results = query ? await searchPatients(ctx, user, query) : undefined;
      html(200, pickerPage({ action, hidden: v.hidden, csrf, clientName: v.client.name, query, results }));
      return;
    }
    const p = await loadPatient(ctx, user, chosenPatient);
    if (!p) throw new RedirectError('invalid_request', 'The chosen patient does not exist');
    context = { patient: chosenPatient, need_patient_banner: true };
    patientLabel = p.label;
  }
  if (context && ctx.config.smartStyleUrl) context.smart_style_url = ctx.config.smartStyleUrl;

  // Scopes that cannot be honoured in this launch are not granted (the token response says what was).
  const granted = v.scopes.filter((s) => {
    if (s.text === 'launch') return v.launch !== undefined;
    if (s.text === 'launch/patient') return context?.patient !== undefined;
    if (s.text === 'launch/encounter') return context?.encounter !== undefined;
    return true;
  });
  const scope = granted.map((s) => s.text).join(' ');
  if (!scope) throw new RedirectError('invalid_scope', 'None of the requested scopes can be granted');

  // ---- consent ----------------------------------------------------------------------------------------
  if (!v.client.firstParty) {
    if (step !== 'consent') {
      const hidden: Hidden = chosenPatient ? [...v.hidden, ['_patient', chosenPatient]] : v.hidden;
      if (!patientLabel && context?.patient) patientLabel = (await loadPatient(ctx, user, context.patient))?.label;
      html(
        200,
        consentPage({
          action,
          hidden,
          csrf,
          clientName: v.client.name,
          username: user.display ?? user.username,
          permissions: granted.map((s) => describeScope(s, user.kind === 'patient')),
          patientLabel,
        }),
      );
      return;
    }
    if (params.get('_decision') !== 'allow') {
      ctx.emit({ type: 'grant-denied', outcome: 'failure', username: user.username, userId: user.id, clientId: v.client.clientId, scope, reason: 'user-denied', remoteAddress });
      throw new RedirectError('access_denied', 'The user denied access');
    }
  }

  // ---- the code ---------------------------------------------------------------------------------------
  if (v.launch && !(await ctx.launches.consume(v.launch.id))) throw new RedirectError('invalid_request', 'The launch was already used');
  const code = await ctx.codes.create({
    clientId: v.client.clientId,
    userId: user.id,
    redirectUri: v.redirectUri,
    scope,
    codeChallenge: v.codeChallenge,
    launchContext: context,
    nonce: v.nonce,
    authTime: session.session.createdAt.getTime(),
  });
  redirectWith(res, v.redirectUri, { code, state: v.state }, setCookies, step ? 303 : 302);
}

/** A TOTP secret as `startTotpEnrollment` makes them (Base32), as posted back by the set-up page. */
const TOTP_SECRET_PATTERN = /^[A-Z2-7]{16,128}$/;

/**
 * A session that signed in but still owes a step: the one-time code (an enrolled account whose session has
 * not passed MFA) comes first, then a new password, then setting up the authenticator app. Each step, once
 * done, sends the browser back to the authorization request, which looks again at what is still owed.
 */
async function owedStep(
  ctx: OAuthContext,
  res: ServerResponse,
  params: URLSearchParams,
  v: Validated,
  session: ValidSession,
  sessionToken: string,
  step: string | null,
  csrfOk: boolean,
  csrf: string,
  setCookies: string[],
  remoteAddress: string | undefined,
): Promise<void> {
  const action = '/oauth2/authorize';
  const html = (status: number, body: string) => sendHtml(res, status, body, { 'Set-Cookie': setCookies });
  const back = () => redirect(res, `${action}?${new URLSearchParams(v.hidden as [string, string][])}`, 303, { 'Set-Cookie': setCookies });
  const username = session.user.username;
  const base = { action, hidden: v.hidden, csrf, clientName: v.client.name };
  const expired = 'The form had expired. Please try again.';
  const pending = session.pending;

  if (pending.includes('mfa')) {
    html(200, signInPage({ ...base, username, ...signInMessage('mfa-required') }));
    return;
  }

  if (pending.includes('password-change')) {
    const page = (status: number, message?: string) =>
      html(status, passwordChangePage({ ...base, username, minLength: PASSWORD_MIN_LENGTH, message }));
    if (step !== 'password') return page(200);
    if (!csrfOk) return page(400, expired);
    const current = params.get('current_password') ?? '';
    const next = params.get('new_password') ?? '';
    if (next !== (params.get('confirm_password') ?? '')) return page(200, 'The two new passwords are not the same. Type the new password twice.');
    try {
      // Ends every other session of the account; this one goes on.
      await ctx.accounts.changePassword(username, current, next, { keepSession: sessionToken, remoteAddress });
    } catch (e) {
      // The messages are written for people and never contain a password (policy problems, wrong current password, locked).
      if (e instanceof AccountError) return page(200, e.message);
      throw e;
    }
    return back();
  }

  // pending: mfa-enrollment
  const page = (status: number, secret: string, message?: string) =>
    html(status, totpEnrollPage({ ...base, username, secret, uri: totpUri(secret, username), message }));
  /**
   * A new secret for the account. Accounts cannot show a pending secret again, so every display of the page
   * outside a failed confirmation (a reload, an expired form) starts over with a new one.
   */
  const start = async (status: number, message?: string) => {
    let secret: string;
    try {
      ({ secret } = await ctx.accounts.startTotpEnrollment(username));
    } catch (e) {
      // Enrolled meanwhile (another window): this session now owes the code instead.
      if (e instanceof AccountError && e.code === 'mfa-already-enrolled') {
        html(200, signInPage({ ...base, username, ...signInMessage('mfa-required') }));
        return;
      }
      throw e;
    }
    page(status, secret, message);
  };
  if (step !== 'enrol') return start(200);
  if (!csrfOk) return start(400, `${expired} A new key is shown below.`);
  let done: boolean;
  try {
    done = await ctx.accounts.confirmTotpEnrollment(username, params.get('totp') ?? '', sessionToken);
  } catch (e) {
    // Enrolled meanwhile, or the enrollment was reset: start again from what the account now needs.
    if (e instanceof AccountError) return back();
    throw e;
  }
  if (done) return back();
  const wrong = 'That code is not right. Check that the key below is the one in your app and that the time on your device is correct, then type the code it shows now.';
  // The key this page showed is still the one pending: show it again rather than a new one the app does not have.
  const shown = (params.get('_secret') ?? '').toUpperCase();
  if (TOTP_SECRET_PATTERN.test(shown)) return page(200, shown, wrong);
  return start(200, `${wrong} A new key is shown below.`);
}

function signInMessage(reason: string): { message: string; codeRequired?: boolean } {
  switch (reason) {
    case 'mfa-required':
      return { message: 'Enter your password again with the one-time code from your authenticator app.', codeRequired: true };
    default:
      // Never says whether the account exists, is locked or is disabled.
      return { message: 'Sign-in failed. Check your username, password and one-time code, and try again.' };
  }
}

function redirectWith(res: ServerResponse, redirectUri: string, values: Record<string, string | null>, setCookies: string[], status = 302): void {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined) u.searchParams.set(k, v);
  redirect(res, u.toString(), status, { 'Set-Cookie': setCookies });
}

function patientLabel(p: Patient): string {
  const n = p.name?.find((x) => x.use === 'official') ?? p.name?.[0];
  const name = n ? (n.text ?? [...(n.given ?? []), n.family].filter(Boolean).join(' ')) : `Patient ${p.id}`;
  return [name, p.birthDate ? `born ${p.birthDate}` : undefined].filter(Boolean).join(', ');
}

/**
 * The picker works as the signed-in user: it finds and accepts only patients that user may see (the same
 * access decision as the FHIR API), so it reveals no one else's name.
 */
async function asUser(ctx: OAuthContext, user: PickerUser): Promise<Repository> {
  const actor = await resolveActor(
    ctx.repo,
    { kind: user.kind, username: user.username, fhirUser: user.fhirUser ?? undefined, roles: user.roles, organizations: user.organizations },
    'user/Patient.rs',
  );
  return ctx.repo.as(actor);
}

type PickerUser = { kind: 'staff' | 'patient'; username: string; fhirUser?: string | null; roles: string[]; organizations: string[] };

async function loadPatient(ctx: OAuthContext, user: PickerUser, id: string): Promise<PatientChoice | undefined> {
  if (!isValidId(id)) return undefined;
  const r = await (await asUser(ctx, user)).readVisible('Patient', id).catch(() => undefined);
  if (!r || r.deleted || !r.json) return undefined;
  return { id, label: patientLabel(JSON.parse(r.json) as Patient) };
}

async function searchPatients(ctx: OAuthContext, user: PickerUser, name: string): Promise<PatientChoice[]> {
  const { request } = parseSearchRequest('Patient', [
    ['name', name.slice(0, 100)],
    ['_count', '20'],
  ]);
  const repo = await asUser(ctx, user);
  if (!repo.access?.decide('search', 'Patient').allowed) return [];
  const result = await executeSearch(repo.queryable, request, { restrict: repo.restrictHook('search') });
  return result.matches.filter((m) => m.json).map((m) => ({ id: m.id, label: patientLabel(JSON.parse(m.json!) as Patient) }));
}
