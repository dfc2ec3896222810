import { ident, type Queryable } from '../db/db.ts';
import type { Access } from '../access/access.ts';
import { restrictionSql } from '../access/restriction-sql.ts';
import { NO_DENY_RULES, PART2_SECURITY_TOKEN, segmentationParts } from '../access/segmentation-sql.ts';
import { SqlParams, statementName } from '../search/sql-params.ts';

/**
 * Whether the patient's compartment holds rows of `types` that the caller's access table lets through but Part 2
 * or the patient's consents withhold — for the "withheld by consent" signal (an OperationOutcome issue `suppressed`
 * in the Bundle). Psychotherapy notes the caller may not see are left out of the question entirely: their existence
 * is never revealed, not even as "something was withheld". One statement, stopping at the first such row.
 */
export async function withheldByConsent(q: Queryable, access: Access, patientId: string, types: readonly string[]): Promise<boolean> {
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
    // Only a Part 2 row, or any row while some Consent denies something, can be withheld: that test comes first
    // and is cheap (a label in the row's tokens; an uncorrelated sub-query run once per statement), so the full
    // consent condition is evaluated only for rows that could fail it.
    const candidate = `(coalesce(t.search_tokens, '{}'::text[]) @> ${part2} OR NOT ${NO_DENY_RULES})`;
    parts.push(`(SELECT 1 FROM ${ident(type)} t WHERE t.compartments @> ${patient} AND NOT t.deleted AND ${candidate}${base ? ` AND ${base}` : ''} AND ${seg.notes} AND NOT ${seg.consent} LIMIT 1)`);
  }
  if (parts.length === 0) return false;
  // Named: the text is the same for every patient of one caller shape, so PostgreSQL plans it once per connection.
  const sql = `SELECT EXISTS (${parts.join(' UNION ALL ')}) AS w`;
  const r = await q.query<{ w: boolean }>(sql, params.values, statementName(sql));
  return r.rows[0]?.w === true;
}
