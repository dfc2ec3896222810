import type { Migration } from './migration.ts';

/**
 * The columns of the AuditEvent table's search parameters the audit report does not search (agent-name,
 * agent-role, entity-name, entity-role, entity-type, policy, site and the Resource-level _profile, _security,
 * _source, _tag). Written out, not derived, because a migration never changes once released; a test checks
 * that the table layout (search/table-layout.ts, NARROW) keeps exactly the others.
 */
export const AUDIT_DROPPED_COLUMNS = [
  '_profile',
  '_security',
  '_security__text',
  '_source',
  '_tag',
  '_tag__text',
  'agent_name',
  'agent_name__exact',
  'agent_role',
  'agent_role__text',
  'entity_name',
  'entity_name__exact',
  'entity_role',
  'entity_role__text',
  'entity_type',
  'entity_type__text',
  'policy',
  'site',
  'site__text',
] as const;

/** The parameters whose entries stay in the AuditEvent table's `search_tokens` (its one GIN index). */
const TOKENIZED = ['action', 'agent', 'altid', 'outcome', 'patient', 'source', 'subtype', 'type'];

/**
 * A narrow audit table (docs/audit.md, "Storage"). Every audit record was a wide row: 40 search columns and
 * a GIN entry for every token of the event, including one per resource a folded read names (up to 200), all
 * paid on the read path. The table now keeps only the columns the audit report searches (user, patient,
 * period, action, kind, outcome, address, source and the resources read), and the resources read are no longer
 * in `search_tokens`: `entity` searches test the `entity` column itself (not indexed: a report names a user, a
 * patient or a period first). The chain (seq, prev_hash, hash over the stored JSON) is unchanged.
 *
 * Existing rows lose the dropped columns and their `search_tokens` keep only the remaining parameters'
 * entries, exactly what the audit log writes from now on (the append-only trigger is lifted for this one
 * statement, inside the migration's transaction).
 */
export const auditNarrow: Migration = {
  version: 7,
  name: 'audit-narrow',
  sql: () => `
ALTER TABLE "AuditEvent" DISABLE TRIGGER audit_event_append_only;
UPDATE "AuditEvent"
   SET search_tokens = NULLIF(ARRAY(SELECT tok FROM unnest(search_tokens) tok WHERE split_part(tok, '=', 1) IN (${TOKENIZED.map((t) => `'${t}'`).join(', ')})), '{}')
 WHERE search_tokens IS NOT NULL;
ALTER TABLE "AuditEvent" ENABLE TRIGGER audit_event_append_only;
ALTER TABLE "AuditEvent" ${AUDIT_DROPPED_COLUMNS.map((c) => `DROP COLUMN IF EXISTS "${c}"`).join(', ')};

-- One statement appends a batch: lock the head, number the rows, chain their hashes
-- (sha256_hex(prev_hash, a newline, seq, a newline, content), as migration 0004 and verify compute it), insert
-- them in one INSERT and move the head. \`batch\` is a JSON array of "AuditEvent" rows without seq, prev_hash
-- and hash; with \`skip_present\` (a retry after a lost COMMIT) rows whose id is already stored are left out.
-- Returns the new head's seq.
CREATE FUNCTION confide_audit_append(batch json, skip_present boolean) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  c text;
  seqs bigint[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
  picked int[] := '{}';
  i int;
BEGIN
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM audit_chain_head h WHERE h.id = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'The audit chain head is missing: run confide migrate';
  END IF;
  FOR c, i IN
    SELECT e.x->>'content', e.n FROM json_array_elements(batch) WITH ORDINALITY AS e(x, n)
     WHERE NOT skip_present OR NOT EXISTS (SELECT 1 FROM "AuditEvent" a WHERE a.id = e.x->>'id')
     ORDER BY e.n
  LOOP
    head_seq := head_seq + 1;
    prevs := prevs || head_hash;
    head_hash := encode(sha256(convert_to(head_hash || E'\\n' || head_seq::text || E'\\n' || c, 'UTF8')), 'hex');
    seqs := seqs || head_seq;
    hashes := hashes || head_hash;
    picked := picked || i;
  END LOOP;
  IF cardinality(seqs) = 0 THEN
    RETURN head_seq;
  END IF;
  INSERT INTO "AuditEvent"
  SELECT r.*
    FROM unnest(picked, seqs, prevs, hashes) AS s(n, seq, prev, hash)
    JOIN json_array_elements(batch) WITH ORDINALITY AS e(x, n) ON e.n = s.n,
         LATERAL jsonb_populate_record(NULL::"AuditEvent", e.x::jsonb || jsonb_build_object('seq', s.seq, 'prev_hash', s.prev, 'hash', s.hash)) AS r
   ORDER BY s.seq;
  UPDATE audit_chain_head SET seq = head_seq, hash = head_hash WHERE id = 1;
  RETURN head_seq;
END $$;
`,
};
