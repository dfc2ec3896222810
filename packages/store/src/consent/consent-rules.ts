import type { Consent } from '@medplum/fhirtypes';
import { compileConsent, compileNoteRelease, type ConsentRule } from '@confide/policy';
import type { Queryable } from '../db/db.ts';
import { securityToken } from '../access/segmentation-sql.ts';
import type { PendingWrite } from '../write-batch.ts';

const COLUMNS = [
  'consent',
  'patient',
  'path',
  'depth',
  'effect',
  'actors',
  'purposes',
  'classes',
  'labels_covered',
  'labels_uncovered',
  'conf_above',
  'conf_within',
  'conf_normal_within',
  'starts',
  'ends',
  'part2',
] as const;

/**
 * Keeps `consent_rule` (migration 0008) and `note_release` (migration 0013) in step with the Consents of a batch, in
 * the batch's transaction: the rules and releases of every Consent written (or deleted) are replaced by those of its
 * new version, so a query never sees a Consent without its rules or rules of a Consent that changed (a revoked
 * authorization closes its notes in the same commit).
 */
export async function syncConsentRules(tx: Queryable, writes: readonly PendingWrite[]): Promise<void> {
  const consents = writes.filter((w) => w.resourceType === 'Consent');
  if (consents.length === 0) return;
  const keys = consents.map((w) => `Consent/${w.id}`);
  await tx.query('DELETE FROM consent_rule WHERE consent = ANY($1::text[])', [keys]);
  await syncNoteReleases(tx, consents, keys);
  const rules = consents.flatMap((w) => (w.deleted || !w.resource ? [] : compileConsent(w.resource as Consent)));
  if (rules.length === 0) return;
  const params: unknown[] = [];
  const rows = rules.map((r) => {
    const values = ruleValues(r);
    const refs = values.map((v) => {
      params.push(v);
      return `$${params.length}`;
    });
    return `(${refs.join(', ')})`;
  });
  await tx.query(`INSERT INTO consent_rule (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`, params);
}

function ruleValues(r: ConsentRule): unknown[] {
  const tokens = (keys: string[] | undefined) => (keys ? keys.map(securityToken) : null);
  return [
    r.consent,
    r.patient,
    r.path,
    r.depth,
    r.effect,
    r.actors,
    r.purposes,
    r.classes,
    tokens(r.labels?.covered),
    tokens(r.labels?.uncovered),
    tokens(r.confidentiality?.above),
    tokens(r.confidentiality?.within),
    r.confidentiality ? r.confidentiality.normalWithin : null,
    r.start === null ? null : new Date(r.start).toISOString(),
    r.end === null ? null : new Date(r.end).toISOString(),
    r.part2,
  ];
}

/** The psychotherapy-note releases (@confide/policy `compileNoteRelease`) of the batch's Consents: one row per note. */
async function syncNoteReleases(tx: Queryable, consents: readonly PendingWrite[], keys: string[]): Promise<void> {
  await tx.query('DELETE FROM note_release WHERE consent = ANY($1::text[])', [keys]);
  const rows = consents.flatMap((w) => {
    const r = w.deleted || !w.resource ? undefined : compileNoteRelease(w.resource as Consent);
    if (!r) return [];
    const period = { starts: r.start === null ? null : new Date(r.start).toISOString(), ends: new Date(r.end).toISOString() };
    return r.notes.map((note) => ({ note, consent: r.consent, patient: r.patient, recipients: r.recipients, purposes: r.purposes, ...period }));
  });
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO note_release (note, consent, patient, recipients, purposes, starts, ends)
     SELECT note, consent, patient, recipients, purposes, starts, ends
     FROM jsonb_to_recordset($1::jsonb) AS x(note text, consent text, patient text, recipients text[], purposes text[], starts timestamptz, ends timestamptz)`,
    [JSON.stringify(rows)],
  );
}
