import type { AuditEvent } from '@medplum/fhirtypes';
import type { Queryable } from '@confide/store';
import { buildAuditEvent, type AuditInput } from './audit-event.ts';

/** Where built AuditEvents go (AuditLog): `record` queues, `append` is the durable path. */
export interface AuditLogLike {
  record(event: AuditEvent): void;
  append?(events: AuditEvent[], tx?: Queryable): Promise<AuditEvent[]>;
}

/** Most resources one folded AuditEvent names before a new one is started. */
const MAX_ENTITIES = 200;

interface Group {
  input: AuditInput;
  first: Date;
  last: Date;
  resources: Set<string>;
  patients: Set<string>;
}

/**
 * Turns audit inputs into AuditEvents. Successful reads (read, vread, instance history) by one caller — same
 * person, app, address, purpose and interaction — that arrive within `windowMs` of each other are folded
 * into ONE AuditEvent naming every resource and patient they touched, with `period` giving the first and
 * last time (R4 AuditEvent.period: "the period during which the activity occurred"). A chart that opens
 * with twenty reads becomes one record instead of twenty, and a busy server writes a small fraction of the
 * rows (docs/audit.md, "Folded reads"); the disclosure records of such reads are folded the same way.
 * Everything else — searches (each with its own query), writes, failures, sign-ins — is recorded one event
 * per request, as it happens.
 */
export class AuditRecorder {
  private groups = new Map<string, Group>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly log: AuditLogLike,
    private readonly windowMs = 20,
  ) {}

  add(input: AuditInput): void {
    if (!foldable(input)) {
      this.log.record(buildAuditEvent(input));
      return;
    }
    const key = groupKey(input);
    let g = this.groups.get(key);
    if (g && g.resources.size + (input.resources?.length ?? 0) > MAX_ENTITIES) {
      this.emit(g);
      g = undefined;
    }
    if (!g) {
      g = { input, first: input.recorded, last: input.recorded, resources: new Set(), patients: new Set() };
      this.groups.set(key, g);
    }
    g.last = input.recorded;
    for (const r of input.resources ?? []) g.resources.add(r);
    for (const p of input.patients ?? []) g.patients.add(p);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Records every folded group now (at the end of the window, and before the log closes). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const groups = [...this.groups.values()];
    this.groups = new Map();
    for (const g of groups) this.emit(g);
  }

  private emit(g: Group): void {
    this.groups.delete(groupKey(g.input));
    const event = buildAuditEvent({ ...g.input, recorded: g.last, resources: [...g.resources], patients: [...g.patients] });
    if (g.first.getTime() !== g.last.getTime()) event.period = { start: g.first.toISOString(), end: g.last.toISOString() };
    this.log.record(event);
  }
}

const FOLDED = new Set(['read', 'vread', 'history-instance']);

function foldable(input: AuditInput): boolean {
  return (input.kind === 'rest' || input.kind === 'disclosure') && FOLDED.has(input.interaction ?? '') && input.outcome.status < 400;
}

/**
 * The fold key: the fields joined by NUL. It must be injective — two callers folded into one event would put one
 * caller's reads under the other's name — so a field that could be mistaken for another (it holds a NUL, or
 * starts with one of the markers) is written as JSON after its own marker, and an absent field has a marker of its
 * own. Concatenation rather than JSON.stringify of the whole array: this runs on every read (1% of a clinician's
 * read by id in a CPU profile).
 */
function groupKey(input: AuditInput): string {
  const a = input.actor;
  const d = input.disclosure;
  return (
    input.kind + SEP + field(input.interaction) + SEP + field(d?.recipient) + SEP + field(d?.purpose) + SEP + a.kind + SEP + field(a.username) + SEP +
    field(a.fhirUser) + SEP + field(a.clientId) + SEP + field(a.purposeOfUse) + SEP + field(input.remoteAddress) + SEP + input.outcome.status
  );
}

const SEP = '\u0000';
const ABSENT = '\u0001';
const ESCAPED = '\u0002';

function field(v: string | undefined): string {
  if (v === undefined) return ABSENT;
  return v.includes(SEP) || v.charCodeAt(0) <= 2 ? ESCAPED + JSON.stringify(v) : v;
}
