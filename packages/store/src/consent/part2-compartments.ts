import type { Queryable } from '../db/db.ts';
import { NO_DENY_RULES, PART2_SECURITY_TOKEN } from '../access/segmentation-sql.ts';
import type { RowLinks } from '../write-batch.ts';
import type { SqlParams } from '../search/sql-params.ts';

/**
 * Keeps `part2_compartment` (migration 9): every patient whose compartment has held a row labelled 42CFRPart2,
 * added in the transaction of the write that stores the row. Entries are never removed — a patient listed whose
 * Part 2 rows are gone costs only the full "withheld by consent" check (consent/withheld.ts), while a patient
 * missing from it would make that check wrongly say nothing was withheld.
 */
export async function notePart2Compartments(tx: Queryable, rows: readonly RowLinks[]): Promise<void> {
  const patients = new Set<string>();
  for (const r of rows) if (r.labels?.includes(PART2_SECURITY_TOKEN)) for (const c of r.compartments) patients.add(c);
  if (patients.size === 0) return;
  await tx.query('INSERT INTO part2_compartment (patient) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [[...patients]], 'part2-compartments');
}

/**
 * Whether "withheld by consent" can be true for this patient at all: some Consent rule denies something (a deny
 * rule of any patient can reach a row that is also in this patient's compartment), or the patient's compartment
 * has held a Part 2 row. One statement over two small tables.
 */
export async function mayBeWithheld(q: Queryable, patientId: string): Promise<boolean> {
  return (await mayBeWithheldAmong(q, [patientId])).length > 0;
}

/**
 * `mayBeWithheld` as an SQL expression over two uncorrelated sub-selects, for a statement that asks it on the way
 * (a patient's search: search/execute.ts `probe`); PostgreSQL evaluates it once per execution.
 */
export function mayBeWithheldSql(patientId: string, params: SqlParams): string {
  return `(NOT ${NO_DENY_RULES} OR EXISTS (SELECT 1 FROM part2_compartment WHERE patient = ${params.add(`Patient/${patientId}`)}::text))`;
}

/** The patients (bare ids) among `patientIds` for whom `mayBeWithheld` holds, in one statement. */
export async function mayBeWithheldAmong(q: Queryable, patientIds: readonly string[]): Promise<string[]> {
  if (patientIds.length === 0) return [];
  const r = await q.query<{ id: string }>(
    `SELECT id FROM unnest($1::text[]) AS p(id)
     WHERE NOT ${NO_DENY_RULES} OR EXISTS (SELECT 1 FROM part2_compartment WHERE patient = 'Patient/' || p.id)`,
    [patientIds],
    'may-be-withheld',
  );
  return r.rows.map((x) => x.id);
}
