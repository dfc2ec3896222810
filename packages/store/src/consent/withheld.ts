import { ident, type Queryable } from '../db/db.ts';
import type { Access } from '../access/access.ts';
import { restrictionSql } from '../access/restriction-sql.ts';
import { NO_DENY_RULES, PART2_SECURITY_TOKEN, segmentationParts } from '../access/segmentation-sql.ts';
import { SqlParams, statementName } from '../search/sql-params.ts';
import { mayBeWithheld, mayBeWithheldAmong, mayBeWithheldSql } from './part2-compartments.ts';

/**
 * Whether the patient's compartment holds rows of `types` that the caller's access table lets through but Part 2
 * or the patient's consents withhold — for the "withheld by consent" signal (an OperationOutcome issue `suppressed`
 * in the Bundle). Psychotherapy notes the caller may not see are left out of the question entirely: their existence
 * is never revealed, not even as "something was withheld". One statement, stopping at the first such row — after
 * a cheaper one that answers for most patients: no Part 2 row in their compartment and no rule denying anything
 * means nothing can be withheld (part2-compartments.ts). The full statement is a union over every type the caller
 * asked for and costs PostgreSQL milliseconds to plan.
 */
export async function withheldByConsent(q: Queryable, access: Access, patientId: string, types: readonly string[], mayBe?: boolean): Promise<boolean> {
  if (access.segmentation.kind === 'patient' || mayBe === false) return false;
  if (mayBe === undefined && !(await mayBeWithheld(q, patientId))) return false;
  return anyWithheld(q, access, patientId, types);
}

/**
 * The pre-check of `withheldByConsent` as an SQL expression for a statement the caller runs anyway (a patient's
 * search asks it as its `probe`), so that most searches need no statement of their own for it; its answer is
 * `withheldByConsent`'s `mayBe`. Undefined when nothing can be withheld from this caller (a patient user).
 */
export function withheldProbe(access: Access, patientId: string): ((params: SqlParams) => string) | undefined {
  if (access.segmentation.kind === 'patient') return undefined;
  return (params) => mayBeWithheldSql(patientId, params);
}

/**
 * The patients of a bulk export some of whose records of `types` Part 2 or their consents withheld from the caller
 * (docs/bulk-export.md, "Withheld by consent"), by the same question as `withheldByConsent`, sorted. The export's
 * patients are those it names (`named`: a Group's members, the `patient` parameter) or, without names, every patient
 * the caller may search; and always those whose records are in its files (`exported`). Patients for whom nothing can
 * be withheld (part2-compartments.ts) are set aside first, in one statement.
 */
export async function withheldPatients(q: Queryable, access: Access, types: readonly string[], patients: { named?: readonly string[]; exported: Iterable<string> }): Promise<string[]> {
  if (access.segmentation.kind === 'patient') return [];
  const candidates = new Set([...patients.exported, ...(patients.named ?? [])]);
  if (!patients.named) for (const p of await visiblePatients(q, access)) candidates.add(p);
  const out: string[] = [];
  for (const p of (await mayBeWithheldAmong(q, [...candidates])).sort()) if (await anyWithheld(q, access, p, types)) out.push(p);
  return out;
}

/** Ids of the Patients the caller may search that something may be withheld of (no rule denies: only Part 2 patients). */
async function visiblePatients(q: Queryable, access: Access): Promise<string[]> {
  const params = new SqlParams();
  const r = access.restrict('search')('Patient', 't', params);
  if (r === 'false') return [];
  const sql = `SELECT t.id FROM "Patient" t WHERE NOT t.deleted${r ? ` AND ${r}` : ''}
    AND (NOT ${NO_DENY_RULES} OR EXISTS (SELECT 1 FROM part2_compartment c WHERE c.patient = 'Patient/' || t.id))`;
  return (await q.query<{ id: string }>(sql, params.values)).rows.map((x) => x.id);
}

/** The union over `types` of `withheldByConsent`, without its pre-check. */
async function anyWithheld(q: Queryable, access: Access, patientId: string, types: readonly string[]): Promise<boolean> {
  const params = new SqlParams();
  const patient = params.textArray([`Patient/${patientId}`]);
  const part2 = params.textArray([PART2_SECURITY_TOKEN]);
  const parts: string[] = [];
  for (const type of types) {
    if (!access.decide('search', type).allowed) continue;
    const base = restrictionSql(access.restriction('search', type), type, 't', params);
    if (base === 'false') continue;
    const seg = segmentationParts(access.segmentation, type, 't', params);
    if (!seg?.consent) continue;
    // Only a Part 2 row, or any row while some Consent denies something, can be withheld. So one branch looks at
    // the patient's Part 2 rows alone (both conditions are served by the table's GIN indexes), and the other, for
    // every row, runs only while some rule denies (an uncorrelated condition PostgreSQL checks once, up front).
    const rest = `NOT t.deleted${base ? ` AND ${base}` : ''} AND ${seg.notes} AND NOT ${seg.consent}`;
    parts.push(`(SELECT 1 FROM ${ident(type)} t WHERE t.compartments @> ${patient} AND t.search_tokens @> ${part2} AND ${rest} LIMIT 1)`);
    parts.push(`(SELECT 1 FROM ${ident(type)} t WHERE NOT ${NO_DENY_RULES} AND t.compartments @> ${patient} AND ${rest} LIMIT 1)`);
  }
  if (parts.length === 0) return false;
  // Named: the text is the same for every patient of one caller shape, so PostgreSQL plans it once per connection.
  const sql = `SELECT EXISTS (${parts.join(' UNION ALL ')}) AS w`;
  const r = await q.query<{ w: boolean }>(sql, params.values, statementName(sql));
  return r.rows[0]?.w === true;
}
