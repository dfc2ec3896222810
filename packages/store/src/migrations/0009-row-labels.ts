import { NOTE_DELEGATE_TAG_SYSTEM, PART2_LABEL_KEY, PART2_PROGRAM_TAG_SYSTEM, PSYCHOTHERAPY_LABEL_KEYS } from '@confide/policy';
import { ident } from '../db/db.ts';
import { allLayouts } from '../search/table-layout.ts';
import type { Migration } from './migration.ts';

/**
 * Segmentation on a small column (docs/benchmarks.md, "Segmentation on a small column"):
 *
 * - `labels` on every resource table: the entries of `search_tokens` that data segmentation tests on each row
 *   (access/row-labels.ts says which), filled at write time and here for the rows already stored. Segmentation
 *   used to test `search_tokens` itself, which is stored compressed: every test decompressed it again.
 * - Two functions that hold the Consent-rule half of segmentation, so that the statements of every read and
 *   search carry a function call instead of four correlated subplans over `consent_rule`. PostgreSQL builds every
 *   subplan of a statement at each execution, run or not; a function call costs nothing until it is evaluated,
 *   and the access SQL evaluates it only for a row that a rule can concern (a Part 2 row outside the caller's
 *   program; any row while some rule denies). PL/pgSQL keeps each function's plans for the session.
 *   Both apply the rules exactly as `decideConsent` (@confide/policy) orders them:
 *   - `confide_consent_denies`: a deny rule of one of the row's patients matches, and no deeper permit of the same
 *     Consent does;
 *   - `confide_part2_permitted`: a Part 2 permit rule (naming recipient, purpose and data) matches, and no deny of
 *     the same Consent at the same depth or deeper does.
 *   A rule matches the caller (`recipients`: `Practitioner/…`, `Organization/…` the caller acts as), the
 *   `purpose` of use, the resource type and the row's labels; a permit must cover every sensitivity label of the
 *   row, a deny needs only one. Changing these rules means a new migration that replaces the functions.
 * - `part2_compartment`: the patients whose compartment has held a Part 2 row (consent/part2-compartments.ts), so
 *   that "withheld by consent" is answered without a union over every table for everyone else.
 */
export const rowLabels: Migration = {
  version: 9,
  name: 'row-labels',
  sql: () =>
    [
      ...allLayouts().map((l) => `ALTER TABLE ${ident(l.resourceType)} ADD COLUMN labels text[];`),
      // AuditEvent rows are append-only (migration 0004) and carry no labels segmentation reads: not back-filled.
      ...allLayouts()
        .filter((l) => l.resourceType !== 'AuditEvent')
        .map((l) => backfill(ident(l.resourceType))),
      FUNCTIONS,
      'CREATE TABLE part2_compartment (patient text PRIMARY KEY);',
      ...allLayouts().map(
        (l) =>
          `INSERT INTO part2_compartment (patient) SELECT DISTINCT unnest(compartments) FROM ${ident(l.resourceType)} WHERE labels @> ${textArray([`_security=${PART2_LABEL_KEY}`])} ON CONFLICT DO NOTHING;`,
      ),
    ].join('\n'),
};

/** `LIKE` pattern for a prefix. */
const prefix = (s: string): string => `'${s.replace(/[\\%_]/g, (c) => '\\' + c).replaceAll("'", "''")}%'`;
const textArray = (items: readonly string[]): string => `ARRAY[${items.map((i) => `'${i.replaceAll("'", "''")}'`).join(', ')}]::text[]`;

/** The rows' labels as access/row-labels.ts computes them at write time, in the same order. */
function backfill(table: string): string {
  const psy = textArray(PSYCHOTHERAPY_LABEL_KEYS.map((k) => `_security=${k}`));
  const keep = [
    `(tok LIKE ${prefix('_security=')} AND tok NOT LIKE ${prefix('_security=*|')} AND tok NOT LIKE '%|*')`,
    `((tok LIKE ${prefix(`_tag=${PART2_PROGRAM_TAG_SYSTEM}|`)} OR tok LIKE ${prefix(`_tag=${NOTE_DELEGATE_TAG_SYSTEM}|`)}) AND tok NOT LIKE '%|*')`,
  ].join(' OR ');
  const author = `tok LIKE ${prefix('author=')}`;
  return `UPDATE ${table} t SET labels = x.labels FROM (
      SELECT id, ARRAY(
        SELECT tok FROM unnest(search_tokens) WITH ORDINALITY AS e(tok, n)
        WHERE ${keep} OR (${author} AND search_tokens && ${psy})
        ORDER BY (${author}), n
      ) AS labels
      FROM ${table} WHERE search_tokens IS NOT NULL
    ) x WHERE t.id = x.id AND cardinality(x.labels) > 0;`;
}

/** Whether consent rule `r` matches the caller and the row whose labels are `tok` (see the comment above). */
function ruleMatch(r: string, sem: 'permit' | 'deny'): string {
  const labels =
    sem === 'permit'
      ? `(${r}.labels_covered IS NULL OR (tok && ${r}.labels_covered AND NOT (tok && ${r}.labels_uncovered)))`
      : `(${r}.labels_covered IS NULL OR tok && ${r}.labels_covered)`;
  return [
    `(${r}.actors IS NULL OR ${r}.actors && recipients)`,
    `(${r}.purposes IS NULL OR purpose = ANY(${r}.purposes))`,
    `(${r}.classes IS NULL OR rtype = ANY(${r}.classes))`,
    `(${r}.starts IS NULL OR ${r}.starts <= now())`,
    `(${r}.ends IS NULL OR ${r}.ends > now())`,
    `(${r}.conf_above IS NULL OR (NOT (tok && ${r}.conf_above) AND (${r}.conf_normal_within OR tok && ${r}.conf_within)))`,
    labels,
  ].join('\n          AND ');
}

const SIGNATURE = `(row_compartments text[], row_labels text[], recipients text[], purpose text, rtype text) RETURNS boolean
  LANGUAGE plpgsql STABLE PARALLEL SAFE`;

const FUNCTIONS = `
  CREATE FUNCTION confide_consent_denies${SIGNATURE} AS $fn$
    DECLARE tok text[] := coalesce(row_labels, '{}'::text[]);
    BEGIN
      RETURN EXISTS (
        SELECT 1 FROM consent_rule d
        WHERE d.patient = ANY(row_compartments) AND d.effect = 'deny'
          AND ${ruleMatch('d', 'deny')}
          AND NOT EXISTS (
            SELECT 1 FROM consent_rule p
            WHERE p.consent = d.consent AND p.effect = 'permit' AND p.depth > d.depth
              AND ${ruleMatch('p', 'permit')}));
    END
  $fn$;
  CREATE FUNCTION confide_part2_permitted${SIGNATURE} AS $fn$
    DECLARE tok text[] := coalesce(row_labels, '{}'::text[]);
    BEGIN
      RETURN EXISTS (
        SELECT 1 FROM consent_rule p
        WHERE p.patient = ANY(row_compartments) AND p.effect = 'permit' AND p.part2
          AND ${ruleMatch('p', 'permit')}
          AND NOT EXISTS (
            SELECT 1 FROM consent_rule d
            WHERE d.consent = p.consent AND d.effect = 'deny' AND d.depth >= p.depth
              AND ${ruleMatch('d', 'deny')}));
    END
  $fn$;
`;
