import type { AuditEvent, AuditEventAgent, AuditEventEntity, CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { AccessContext } from '../identity/access-context.ts';

/**
 * Builds the AuditEvents of the audit trail (docs/audit.md), following FHIR R4 AuditEvent and the IHE Basic
 * Audit Log Patterns (BALP). Pure: no I/O, no clock, no randomness; the store assigns id and meta.
 *
 * An AuditEvent says who did what to which resources of which patients, when, from where, why and with what
 * outcome. It holds **references only, never resource content**: no resource bodies, no search results, no
 * error texts that could echo data.
 */

// ---- code systems ---------------------------------------------------------------------------------

export const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
export const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
export const DICOM = 'http://dicom.nema.org/resources/ontology/DCM';
export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const ROLE_CLASS = 'http://terminology.hl7.org/CodeSystem/v3-RoleClass';
export const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
export const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
export const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
/** Confide's own AuditEvent subtypes (docs/audit.md): `disclosure`. */
export const CONFIDE_AUDIT_SUBTYPE = 'https://confide.health/fhir/CodeSystem/audit-subtype';
/** `agent.who.identifier.system` of an account's login name. */
export const CONFIDE_USERNAME = 'https://confide.health/fhir/sid/username';
/** `agent.who.identifier.system` of an OAuth client id. */
export const CONFIDE_OAUTH_CLIENT = 'https://confide.health/fhir/sid/oauth-client';

/** The subtype that marks a disclosure outside the organization (accounting of disclosures). */
export const DISCLOSURE_SUBTYPE: Coding = { system: CONFIDE_AUDIT_SUBTYPE, code: 'disclosure' };

/** Confide's AuditEvent subtype code system, for a terminology endpoint or the CapabilityStatement. */
export const confideAuditSubtypeCodeSystem = {
  resourceType: 'CodeSystem',
  url: CONFIDE_AUDIT_SUBTYPE,
  name: 'ConfideAuditSubtype',
  title: 'Confide AuditEvent subtypes',
  status: 'active',
  content: 'complete',
  caseSensitive: true,
  concept: [
    {
      code: 'disclosure',
      display: 'Disclosure',
      definition:
        "Data of a patient was released to a recipient outside the patient's organization (a payer, an HIE, a " +
        'third-party app the patient authorized); listed in the accounting of disclosures.',
    },
  ],
} as const;

// ---- input ----------------------------------------------------------------------------------------

export type AuditKind = 'rest' | 'sign-in' | 'sign-out' | 'export' | 'permission-change' | 'emergency-access' | 'disclosure';

/** R4 restful-interaction codes. */
export type RestInteraction =
  | 'read'
  | 'vread'
  | 'update'
  | 'patch'
  | 'delete'
  | 'history'
  | 'history-instance'
  | 'history-type'
  | 'history-system'
  | 'create'
  | 'search'
  | 'search-type'
  | 'search-system'
  | 'capabilities'
  | 'transaction'
  | 'batch'
  | 'operation';

export interface AuditActor {
  /** As the policy's Actor; 'anonymous' when nobody is known yet (a failed sign-in of an unknown name). */
  kind: 'staff' | 'patient' | 'system' | 'anonymous';
  /** Login name (also the name tried in a failed sign-in). */
  username?: string;
  /** SMART fhirUser: `Practitioner/…`, `Patient/…`, `RelatedPerson/…`. */
  fhirUser?: string;
  /** OAuth client id; a system actor is its client. */
  clientId?: string;
  /** HL7 v3-ActReason code (TREAT, ETREAT, HPAYMT, PATRQT…). */
  purposeOfUse?: string;
}

export interface AuditInput {
  kind: AuditKind;
  /** What was done, for 'rest' (required) and 'disclosure' (when it happened through the REST API). */
  interaction?: RestInteraction;
  actor: AuditActor;
  /** The client's IP address. */
  remoteAddress?: string;
  /** The HTTP status (or its equivalent) and, for failures, a short text that must not contain PHI. */
  outcome: { status: number; text?: string };
  /**
   * References (`Type/id` or `Type/id/_history/v`) to the resources read or written. For searches, pass the
   * query and the patients whose data was returned rather than every match.
   */
  resources?: string[];
  /** Patients whose data was touched: `123` or `Patient/123`. One entity each (`AuditEvent?patient=`). */
  patients?: string[];
  /**
   * For searches, operations and exports: the request, e.g. `Observation?patient=123&code=…` or
   * `Patient/123/$everything` (stored base64 in a query entity, as BALP does).
   */
  query?: string;
  recorded: Date;
  /** kind 'disclosure': who received the data and why (a v3-ActReason code, or a short text). */
  disclosure?: { recipient: string; purpose: string };
  /** kind 'permission-change': the account whose roles or rights changed, and a summary of the change. */
  target?: { username?: string; fhirUser?: string; change?: string };
}

/** The audit actor of a request's AccessContext (its remote address goes in `AuditInput.remoteAddress`). */
export function auditActor(access: AccessContext): AuditActor {
  const kind = access.actor.kind;
  return {
    kind,
    username: access.username ?? (kind === 'system' ? undefined : access.actor.userId),
    fhirUser: access.fhirUser,
    clientId: access.clientId ?? (kind === 'system' ? access.actor.userId : undefined),
    purposeOfUse: access.purposeOfUse,
  };
}

// ---- building -------------------------------------------------------------------------------------

// Codes only, no displays: every byte of an AuditEvent is stored, indexed and hashed on the read path, and
// displays would also fill the `:text` search columns. The displays are in the comments and docs/audit.md.
const dcm = (code: string): Coding => ({ system: DICOM, code });

const TYPES = {
  rest: { system: AUDIT_EVENT_TYPE, code: 'rest' }, // Restful Operation
  authentication: dcm('110114'), // User Authentication
  export: dcm('110106'), // Export
  securityAlert: dcm('110113'), // Security Alert
} satisfies Record<string, Coding>;

const SUBTYPES = {
  login: dcm('110122'), // Login
  logout: dcm('110123'), // Logout
  rolesChanged: dcm('110136'), // Security Roles Changed
  emergencyOverride: dcm('110127'), // Emergency Override Started
} satisfies Record<string, Coding>;

const SOURCE_ROLE = dcm('110153'); // Source Role ID: the client
const DESTINATION_ROLE = dcm('110152'); // Destination Role ID: the recipient of a disclosure

/** BALP Read/Query/Create… conventions for `AuditEvent.action`: search and operations are "execute". */
function restAction(interaction: RestInteraction): AuditEvent['action'] {
  switch (interaction) {
    case 'create':
      return 'C';
    case 'update':
    case 'patch':
      return 'U';
    case 'delete':
      return 'D';
    case 'read':
    case 'vread':
    case 'history':
    case 'history-instance':
    case 'history-type':
    case 'history-system':
    case 'capabilities':
      return 'R';
    default:
      return 'E';
  }
}

/** 0 success, 4 minor failure (the request was refused: 4xx), 8 serious failure (the server failed: 5xx). */
export function auditOutcome(status: number): AuditEvent['outcome'] {
  if (status >= 500) return '8';
  if (status >= 400) return '4';
  return '0';
}

const MAX_TEXT = 256;

/**
 * Text from outside (a name tried at sign-in, an address) is stored as text, never trusted: control
 * characters become U+FFFD (FHIR strings allow none, and PostgreSQL text refuses NUL), and it is cut short.
 */
export function cleanText(s: string, max = MAX_TEXT): string {
  const clean = s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd')
    // A lone UTF-16 surrogate has no UTF-8 form.
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max - 1);
  return (/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut) + '…';
}

const REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

function patientReference(p: string): string | undefined {
  const id = p.startsWith('Patient/') ? p.slice('Patient/'.length) : p;
  return ID.test(id) ? `Patient/${id}` : undefined;
}

function reasonConcept(purpose: string): CodeableConcept {
  return /^[A-Z][A-Z0-9]*$/.test(purpose) ? { coding: [{ system: ACT_REASON, code: purpose }] } : { text: cleanText(purpose) };
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
function cleanAddress(a: string): string {
  return cleanText(a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a, 64);
}

/** BALP's type for the agent holding the user: patient, recipient of data, author, or informant (export). */
function userAgentType(actor: AuditActor, action: AuditEvent['action'], kind: AuditKind): Coding | undefined {
  if (actor.kind === 'patient') return { system: ROLE_CLASS, code: 'PAT' };
  if (kind === 'export') return { system: PARTICIPATION_TYPE, code: 'INF' };
  if (kind === 'sign-in' || kind === 'sign-out' || kind === 'permission-change') return undefined;
  if (action === 'C' || action === 'U' || action === 'D') return { system: PARTICIPATION_TYPE, code: 'AUT' };
  return { system: PARTICIPATION_TYPE, code: 'IRCP' };
}

function userAgent(input: AuditInput, action: AuditEvent['action']): AuditEventAgent {
  const { actor } = input;
  const username = actor.username ? cleanText(actor.username) : undefined;
  const clientId = actor.clientId ? cleanText(actor.clientId) : undefined;
  // A backend service (system actor) is its OAuth client; a person is their account.
  const name = actor.kind === 'system' ? (clientId ?? username) : (username ?? (actor.fhirUser ? undefined : clientId));
  const identifierSystem = actor.kind === 'system' || !username ? CONFIDE_OAUTH_CLIENT : CONFIDE_USERNAME;
  const agent: AuditEventAgent = { requestor: true };
  const type = actor.kind === 'system' ? SOURCE_ROLE : userAgentType(actor, action, input.kind);
  if (type) agent.type = { coding: [type] };
  const who: AuditEventAgent['who'] = {};
  if (actor.fhirUser && REFERENCE.test(actor.fhirUser)) who.reference = actor.fhirUser;
  if (name) {
    who.identifier = { system: identifierSystem, value: name };
    who.display = name;
  }
  if (!who.reference && !name) who.display = actor.kind === 'anonymous' ? 'anonymous' : 'unknown';
  agent.who = who;
  if (name) agent.altId = name;
  if (input.remoteAddress) agent.network = { address: cleanAddress(input.remoteAddress), type: '2' };
  const purpose = input.kind === 'emergency-access' ? 'ETREAT' : actor.purposeOfUse;
  if (purpose) agent.purposeOfUse = [reasonConcept(purpose)];
  return agent;
}

/** The app a person used (their OAuth client), when it is not the person themself. */
function clientAgent(actor: AuditActor): AuditEventAgent | undefined {
  // A system actor is its client, and a person known by nothing but the client is recorded as the client.
  if (actor.kind === 'system' || !actor.clientId || !(actor.username || actor.fhirUser)) return undefined;
  const clientId = cleanText(actor.clientId);
  if (clientId === actor.username) return undefined;
  return {
    type: { coding: [SOURCE_ROLE] },
    who: { identifier: { system: CONFIDE_OAUTH_CLIENT, value: clientId }, display: clientId },
    requestor: false,
  };
}

function entities(input: AuditInput): AuditEventEntity[] {
  const out: AuditEventEntity[] = [];
  const seen = new Set<string>();
  for (const p of input.patients ?? []) {
    const ref = patientReference(p);
    if (!ref || seen.has(ref)) continue;
    seen.add(ref);
    out.push({
      what: { reference: ref },
      type: { system: ENTITY_TYPE, code: '1' },
      role: { system: OBJECT_ROLE, code: '1' },
    });
  }
  for (const r of input.resources ?? []) {
    if (!REFERENCE.test(r) || seen.has(r)) continue;
    seen.add(r);
    out.push({
      what: { reference: r },
      type: { system: ENTITY_TYPE, code: '2' },
      role: { system: OBJECT_ROLE, code: '4' },
    });
  }
  if (input.query) {
    out.push({
      type: { system: ENTITY_TYPE, code: '2' },
      role: { system: OBJECT_ROLE, code: '24' },
      query: Buffer.from(input.query, 'utf8').toString('base64'),
    });
  }
  if (input.kind === 'permission-change' && input.target) {
    const t = input.target;
    const entity: AuditEventEntity = {
      type: { system: ENTITY_TYPE, code: '2' },
      role: { system: OBJECT_ROLE, code: '11' },
    };
    const what: AuditEventEntity['what'] = {};
    if (t.fhirUser && REFERENCE.test(t.fhirUser)) what.reference = t.fhirUser;
    if (t.username) what.identifier = { system: CONFIDE_USERNAME, value: cleanText(t.username) };
    if (what.reference || what.identifier) entity.what = what;
    if (t.change) entity.description = cleanText(t.change, 1000);
    out.push(entity);
  }
  return out;
}

/** The AuditEvent for one audited happening. Throws on input the server should never produce. */
export function buildAuditEvent(input: AuditInput): AuditEvent {
  if (input.kind === 'rest' && !input.interaction) throw new Error('A REST audit event needs its interaction');
  if (input.kind === 'disclosure' && !input.disclosure) throw new Error('A disclosure audit event needs its recipient and purpose');
  if (Number.isNaN(input.recorded.getTime())) throw new Error('The audit event needs a valid time');

  let type: Coding;
  const subtype: Coding[] = [];
  let action: AuditEvent['action'];
  if (input.interaction && (input.kind === 'rest' || input.kind === 'disclosure')) {
    type = TYPES.rest;
    subtype.push({ system: RESTFUL_INTERACTION, code: input.interaction });
    action = restAction(input.interaction);
  } else {
    switch (input.kind) {
      case 'sign-in':
      case 'sign-out':
        type = TYPES.authentication;
        subtype.push(input.kind === 'sign-in' ? SUBTYPES.login : SUBTYPES.logout);
        action = 'E';
        break;
      case 'export':
      case 'disclosure':
        type = TYPES.export;
        action = 'R';
        break;
      case 'permission-change':
        type = TYPES.securityAlert;
        subtype.push(SUBTYPES.rolesChanged);
        action = 'E';
        break;
      case 'emergency-access':
        type = TYPES.securityAlert;
        subtype.push(SUBTYPES.emergencyOverride);
        action = 'E';
        break;
      default:
        throw new Error(`Unknown audit event kind: ${String(input.kind)}`);
    }
  }
  if (input.kind === 'disclosure') subtype.push(DISCLOSURE_SUBTYPE);

  const agents: AuditEventAgent[] = [userAgent(input, action)];
  const client = clientAgent(input.actor);
  if (client) agents.push(client);
  if (input.kind === 'disclosure' && input.disclosure) {
    const recipient = cleanText(input.disclosure.recipient) || 'unknown';
    agents.push({
      type: { coding: [DESTINATION_ROLE] },
      who: { display: recipient },
      name: recipient,
      requestor: false,
      purposeOfUse: [reasonConcept(input.disclosure.purpose)],
    });
  }

  const outcome = auditOutcome(input.outcome.status);
  const purposeOfEvent =
    input.kind === 'disclosure' && input.disclosure
      ? [reasonConcept(input.disclosure.purpose)]
      : input.kind === 'emergency-access'
        ? [reasonConcept('ETREAT')]
        : undefined;
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    type,
    ...(subtype.length ? { subtype } : {}),
    action,
    recorded: input.recorded.toISOString(),
    outcome,
    ...(outcome !== '0' ? { outcomeDesc: input.outcome.text ? cleanText(input.outcome.text, 500) : `HTTP ${input.outcome.status}` } : {}),
    ...(purposeOfEvent ? { purposeOfEvent } : {}),
    agent: agents,
    source: {
      observer: { display: 'Confide' },
      type: [{ system: SOURCE_TYPE, code: '4' }],
    },
  };
  const entity = entities(input);
  if (entity.length) event.entity = entity;
  return event;
}

// ---- accounting of disclosures --------------------------------------------------------------------

export interface DisclosureRow {
  /** When the disclosure happened (FHIR instant). */
  date: string;
  recipient: string;
  /** References to what was disclosed; the query for a search or an export. */
  what: string[];
  /** v3-ActReason code, or the text given. */
  purpose: string;
}

const hasCoding = (cs: Coding[] | undefined, system: string, code: string) => !!cs?.some((c) => c.system === system && c.code === code);

/** Is this AuditEvent a disclosure outside the organization? */
export function isDisclosure(e: AuditEvent): boolean {
  return hasCoding(e.subtype, CONFIDE_AUDIT_SUBTYPE, 'disclosure');
}

function conceptText(c: CodeableConcept | undefined): string | undefined {
  return c?.coding?.[0]?.code ?? c?.text;
}

/**
 * The accounting of disclosures (45 CFR 164.528 style) for `Patient/{id}/$disclosures`: one row per
 * disclosure event, oldest first. With `patientId`, only the events naming that patient.
 */
export function disclosureRows(events: AuditEvent[], patientId?: string): DisclosureRow[] {
  const patientRef = patientId ? patientReference(patientId) : undefined;
  const rows: DisclosureRow[] = [];
  for (const e of events) {
    if (e.resourceType !== 'AuditEvent' || !isDisclosure(e)) continue;
    if (patientRef && !e.entity?.some((x) => x.what?.reference === patientRef)) continue;
    const recipientAgent = e.agent?.find((a) => hasCoding(a.type?.coding, DICOM, '110152'));
    const what: string[] = [];
    for (const x of e.entity ?? []) {
      const isPatient = hasCoding([x.role ?? {}], OBJECT_ROLE, '1');
      if (x.what?.reference && !isPatient) what.push(x.what.reference);
      else if (x.query) what.push(Buffer.from(x.query, 'base64').toString('utf8'));
    }
    // A disclosure of the patient's record as a whole names only the patient.
    if (what.length === 0) {
      for (const x of e.entity ?? []) if (x.what?.reference) what.push(x.what.reference);
    }
    rows.push({
      date: e.recorded,
      recipient: recipientAgent?.who?.display ?? recipientAgent?.name ?? 'unknown',
      what,
      purpose: conceptText(e.purposeOfEvent?.[0]) ?? conceptText(recipientAgent?.purposeOfUse?.[0]) ?? 'unknown',
    });
  }
  return rows.sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
}
