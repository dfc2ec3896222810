import { randomUUID } from 'node:crypto';
import type { Parameters } from '@medplum/fhirtypes';
import { errors, isValidId } from '@confide/fhir';
import type { Db } from '@confide/store';
import type { AuditSink } from '../audit/fhir-audit.ts';
import type { Peers } from '../cluster/peers.ts';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir/types.ts';

export interface BreakGlassOptions {
  /** How long a grant lasts (default 60 minutes). */
  minutes?: number;
  /** How long this process trusts what it loaded about a user's grants (default 5 s; grants made here are seen at once). */
  cacheMs?: number;
  now?: () => Date;
  /** The other server processes on this database: a grant made in one is effective in all at once. */
  peers?: Peers;
}

interface Loaded {
  at: number;
  grants: { patient: string; expires: number }[];
}

/**
 * Break-the-glass grants (emergency access, 42 CFR 2.51 and the HIPAA emergency-access procedure of
 * 164.312(a)(2)(ii)): kept in `break_glass` (migration 0008), looked up per user with a short cache so that a
 * request costs a map lookup. A grant made in another server process is seen here at once when the processes
 * are peers (`confide start --workers`), else within `cacheMs`.
 */
export class BreakGlass {
  private readonly loaded = new Map<string, Loaded>();
  private readonly minutes: number;
  private readonly cacheMs: number;
  private readonly now: () => Date;
  private readonly peers: Peers | undefined;
  /** Counts grants made here or announced by a peer: a load that was in flight across one is not kept. */
  private changes = 0;

  constructor(
    private readonly db: Db,
    options: BreakGlassOptions = {},
  ) {
    this.minutes = options.minutes ?? 60;
    this.cacheMs = options.cacheMs ?? 5000;
    this.now = options.now ?? (() => new Date());
    this.peers = options.peers;
    this.peers?.subscribe((m) => {
      if (m.type !== 'break-glass') return;
      this.changes++;
      this.loaded.delete(m.username);
    });
  }

  /**
   * Bare Patient ids the user holds an active grant for (sorted, no repeats). Answered without waiting while what
   * was loaded about the user is fresh (every request of a staff user asks).
   */
  activePatients(username: string): string[] | Promise<string[]> {
    const now = this.now().getTime();
    const l = this.loaded.get(username);
    if (l && now - l.at <= this.cacheMs) return patientsOf(l, now);
    return this.load(username, now).then((fresh) => patientsOf(fresh, now));
  }

  private async load(username: string, now: number): Promise<Loaded> {
    const before = this.changes;
    const r = await this.db.query<{ patient: string; expires: Date | string }>(
      'SELECT patient, expires FROM break_glass WHERE username = $1 AND expires > $2',
      [username, new Date(now).toISOString()],
      'break-glass:active',
    );
    const l: Loaded = { at: now, grants: r.rows.map((row) => ({ patient: row.patient, expires: new Date(row.expires).getTime() })) };
    if (this.changes !== before) return l;
    if (this.loaded.size > 10_000) this.loaded.clear();
    this.loaded.set(username, l);
    return l;
  }

  /** Records a grant and makes it effective in this process at once. */
  async grant(input: { username: string; practitioner?: string; patient: string; reason: string }): Promise<{ id: string; started: Date; expires: Date }> {
    const started = this.now();
    const expires = new Date(started.getTime() + this.minutes * 60_000);
    const id = randomUUID();
    await this.db.query('INSERT INTO break_glass (id, username, practitioner, patient, reason, started, expires) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      id,
      input.username,
      input.practitioner ?? null,
      input.patient,
      input.reason,
      started.toISOString(),
      expires.toISOString(),
    ]);
    this.changes++;
    const l = this.loaded.get(input.username);
    if (l) l.grants.push({ patient: input.patient, expires: expires.getTime() });
    this.peers?.publish({ type: 'break-glass', username: input.username });
    return { id, started, expires };
  }
}

const MAX_REASON = 1000;

/**
 * `POST Patient/[id]/$break-the-glass` with a Parameters body `{ reason: string }`: an authorized clinician (role
 * `clinician`, staff) who may see the patient's chart gets, for a limited time, the patient's records that Part 2
 * or the patient's consents withhold — never psychotherapy notes. The grant is an emergency-access AuditEvent
 * (DICOM 110113 / 110127, purpose ETREAT) and waits, with its reason, in the privacy officer's review queue
 * (review-queue-endpoint.ts); every access under it is audited with purpose ETREAT.
 */
export async function breakTheGlass(ctx: FhirContext, req: FhirRequest, id: string, glass: BreakGlass | undefined, sink: AuditSink | undefined): Promise<FhirResponse> {
  if (req.method !== 'POST') throw errors.methodNotAllowed('$break-the-glass takes POST');
  if (ctx.inTransaction) throw errors.badRequest('$break-the-glass cannot run inside a Bundle');
  const access = ctx.access;
  if (!glass || !access || access.via !== 'token') throw errors.forbidden('Break-the-glass needs a signed-in clinician');
  const actor = access.actor;
  if (actor.kind !== 'staff' || !actor.roles.includes('clinician')) throw errors.forbidden('Only clinicians may request emergency access');
  const reason = reasonOf(req.body);
  if (!isValidId(id)) throw errors.notFound(`Patient/${id} not found`);
  // The patient must be within what the clinician may see at all (organization): emergency access widens
  // segmentation, not the access table.
  const patient = await ctx.repo.readVisible('Patient', id);
  if (!patient || patient.deleted) throw errors.notFound(`Patient/${id} not found`);
  const g = await glass.grant({ username: access.username ?? actor.userId, practitioner: access.fhirUser, patient: id, reason });
  sink?.add({
    kind: 'emergency-access',
    actor: { kind: 'staff', username: access.username ?? actor.userId, fhirUser: access.fhirUser, clientId: access.clientId, purposeOfUse: 'ETREAT' },
    remoteAddress: access.remoteAddress,
    outcome: { status: 200 },
    patients: [id],
    resources: [`Patient/${id}`],
    recorded: g.started,
  });
  const out: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'patient', valueReference: { reference: `Patient/${id}` } },
      { name: 'start', valueInstant: g.started.toISOString() },
      { name: 'end', valueInstant: g.expires.toISOString() },
      { name: 'purposeOfUse', valueCoding: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT' } },
    ],
  };
  return { status: 200, body: out, audit: { resources: [`Patient/${id}`], patients: [id] } };
}

function reasonOf(body: unknown): string {
  const p = body as Parameters | undefined;
  if (!p || p.resourceType !== 'Parameters') throw errors.badRequest('The body must be a Parameters resource with a reason', 'Parameters');
  const entry = (p.parameter ?? []).find((x) => x.name === 'reason');
  const text = entry?.valueString ?? entry?.valueCode;
  if (typeof text !== 'string' || text.trim() === '') throw errors.badRequest('A reason for emergency access is required', 'Parameters.parameter.where(name = \'reason\')');
  if (text.length > MAX_REASON) throw errors.badRequest(`The reason is limited to ${MAX_REASON} characters`, 'Parameters.parameter.where(name = \'reason\')');
  return text.trim();
}

function patientsOf(l: Loaded, now: number): string[] {
  if (l.grants.length === 0) return [];
  return [...new Set(l.grants.filter((g) => g.expires > now).map((g) => g.patient))].sort();
}
