import { parseArgs } from 'node:util';
import type { AuditEvent } from '@medplum/fhirtypes';
import { parseSearchRequest } from '@confide/fhir';
import { executeSearch, openDb, schemaVersion, verifyAuditChain, type Db } from '@confide/store';
import { dbOptions } from '../config.ts';

const USAGE = `Usage: confide audit <verify|list> [options]

  verify   Check the audit trail's hash chain; exits 1 when it is broken (--batch 1000)
  list     Show audit events, newest first: --patient ID  --user NAME  --since DATE  --action C|R|U|D|E  --limit 50

The embedded database lives in --data (default ./data); set DATABASE_URL to use PostgreSQL instead.
`;

/** The schema step that created the audit trail (migrations/0004-audit.ts). */
const AUDIT_SCHEMA = 4;

/** `confide audit verify` and `confide audit list` (docs/audit.md). */
export async function auditCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'verify' && sub !== 'list') {
    (sub ? process.stderr : process.stdout).write(sub && sub !== 'help' && sub !== '--help' ? `Unknown audit command: ${sub}\n\n${USAGE}` : USAGE);
    return sub === 'help' || sub === '--help' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      data: { type: 'string' },
      batch: { type: 'string' },
      patient: { type: 'string' },
      user: { type: 'string' },
      since: { type: 'string' },
      action: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  // Read-only: no migration here, so that an auditor's read-only database account can run it.
  const db = await openDb(dbOptions(values));
  try {
    const version = await schemaVersion(db);
    if (version < AUDIT_SCHEMA) throw new Error(`The database schema is at version ${version}, before the audit trail; run \`confide migrate\` first`);
    return sub === 'verify' ? await verify(db, values) : await list(db, values);
  } finally {
    await db.close();
  }
}

async function verify(db: Db, values: { batch?: string }): Promise<number> {
  const batchSize = values.batch ? positive(values.batch, '--batch') : undefined;
  const r = await verifyAuditChain(db, { batchSize });
  const events = `${r.count.toLocaleString('en-US')} event${r.count === 1 ? '' : 's'}`;
  if (r.ok) {
    process.stdout.write(`Audit trail intact: ${events}, head #${r.headSeq} sha256 ${r.headHash}\n`);
    return 0;
  }
  for (const p of r.problems) process.stdout.write(`#${p.seq}: ${p.problem}\n`);
  if (r.truncated) process.stdout.write('… more problems not listed\n');
  process.stdout.write(`Audit trail BROKEN: ${r.problems.length}${r.truncated ? '+' : ''} problem(s) in ${events}, head #${r.headSeq} sha256 ${r.headHash}\n`);
  return 1;
}

async function list(db: Db, values: { patient?: string; user?: string; since?: string; action?: string; limit?: string }): Promise<number> {
  const limit = values.limit ? positive(values.limit, '--limit') : 50;
  const q = new URLSearchParams({ _sort: '-date', _count: String(limit) });
  if (values.patient) q.set('patient', values.patient.startsWith('Patient/') ? values.patient : `Patient/${values.patient}`);
  if (values.user) {
    // A FHIR reference (Practitioner/…) is the agent; anything else is a login name or client id (altId).
    if (/^[A-Z][A-Za-z]+\/[^/]+$/.test(values.user)) q.set('agent', values.user);
    else q.set('altid', values.user);
  }
  if (values.since) q.set('date', `ge${values.since}`);
  if (values.action) q.set('action', values.action.toUpperCase());
  const req = parseSearchRequest('AuditEvent', q, { maxCount: Math.max(limit, 1000) }).request;
  const r = await executeSearch(db, req);
  const rows = r.matches.map((m) => describe(JSON.parse(m.json ?? '{}') as AuditEvent));
  printTable(['TIME', 'USER', 'ACTION', 'OUTCOME', 'PATIENT', 'WHAT'], rows);
  process.stdout.write(`${rows.length} event${rows.length === 1 ? '' : 's'}${r.next ? ` (more: raise --limit or narrow with --since)` : ''}\n`);
  return 0;
}

function positive(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
}

/** One line of the listing: time, user, action, outcome, patients, and what was done to what. */
function describe(e: AuditEvent): string[] {
  const user = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  const who = user?.altId ?? user?.who?.display ?? user?.who?.reference ?? '?';
  const patients: string[] = [];
  const what: string[] = [];
  for (const x of e.entity ?? []) {
    const ref = x.what?.reference;
    if (ref && x.role?.code === '1' && ref.startsWith('Patient/')) patients.push(ref.slice('Patient/'.length));
    else if (ref) what.push(ref);
    else if (x.query) what.push(Buffer.from(x.query, 'base64').toString('utf8'));
    else if (x.what?.identifier?.value) what.push(x.what.identifier.value);
  }
  const kind = (e.subtype ?? []).map(label).filter(Boolean).join('+') || label(e.type) || '';
  const recipient = e.agent?.find((a) => !a.requestor && a.type?.coding?.some((c) => c.code === '110152'));
  const shown = what.slice(0, 3).join(' ') + (what.length > 3 ? ` +${what.length - 3}` : '');
  return [
    e.recorded?.replace('T', ' ').replace(/(\.\d+)?Z$/, '') ?? '',
    who,
    e.action ?? '',
    e.outcome === '0' ? 'ok' : (e.outcomeDesc ?? `failed (${e.outcome})`),
    patients.join(','),
    [kind, shown, recipient ? `→ ${recipient.who?.display ?? recipient.name}` : ''].filter(Boolean).join(' '),
  ];
}

/** Names for the DICOM codes the server uses (packages/server/src/audit/audit-event.ts); others as they are. */
const DICOM_LABELS: Record<string, string> = {
  '110106': 'export',
  '110113': 'security-alert',
  '110114': 'authentication',
  '110122': 'login',
  '110123': 'logout',
  '110127': 'emergency-access',
  '110136': 'roles-changed',
};

function label(c: { system?: string; code?: string; display?: string } | undefined): string | undefined {
  if (!c) return undefined;
  return (c.system === 'http://dicom.nema.org/resources/ontology/DCM' && c.code ? DICOM_LABELS[c.code] : undefined) ?? c.display ?? c.code;
}

function printTable(header: string[], rows: string[][]): void {
  const max = [20, 24, 6, 24, 40, Infinity];
  const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
  const all = [header, ...rows].map((r) => r.map((c, i) => cut(c, max[i])));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  for (const r of all) process.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd() + '\n');
}
