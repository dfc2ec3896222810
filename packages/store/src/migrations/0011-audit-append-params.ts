import type { Migration } from './migration.ts';

/**
 * The audit append takes each record's JSON text as its own statement parameter (docs/audit.md, "Storage").
 *
 * Migration 0007's `confide_audit_append(batch json, …)` received every row, its stored JSON text included, as
 * one JSON document: the server escaped each text into a JSON string, and PostgreSQL parsed the document four
 * times (the hash loop's `json_array_elements`, `->> 'content'` on each element, the INSERT's
 * `json_array_elements` and `::jsonb`). A folded read names up to 200 resources, so its text is ~20 KB, and that
 * parsing was most of the ~0.9 ms of PostgreSQL CPU each record cost (bench/, docs/benchmarks.md, session 5). A
 * text parameter reaches the function as it was sent, with nothing to unescape or parse: `rows` now carries only
 * the search columns, and `contents` the texts, in the same order. The hashes are the same (the chain is
 * unchanged, and `confide audit verify` checks old and new rows alike).
 *
 * Where the server was built with LZ4 (PostgreSQL 14 and later, usually), the trail's large columns are
 * compressed with it instead of pglz, about 2.5 times cheaper per record (same measurement); this changes only
 * how new values are stored, never what they are. PGlite, built without it, keeps pglz.
 */
export const auditAppendParams: Migration = {
  version: 11,
  name: 'audit-append-params',
  sql: () => `
DROP FUNCTION confide_audit_append(json, boolean);

-- Appends a batch: lock the head, number the rows, chain their hashes (sha256_hex(prev_hash, a newline, seq, a
-- newline, content), as migrations 0004 and 0007 and verify compute it), insert them in one INSERT and move the
-- head. \`rows\` is a JSON array of "AuditEvent" rows without content, seq, prev_hash and hash; \`contents\` their
-- stored JSON texts in the same order (the caller sends ARRAY[$3, $4, …], one statement parameter each). With \`skip_present\` (a retry after a lost COMMIT)
-- rows whose id is already stored are left out. Returns the new head's seq.
CREATE FUNCTION confide_audit_append(rows json, skip_present boolean, contents text[]) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  ids text[];
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
  SELECT array_agg(e.x->>'id' ORDER BY e.n) INTO ids FROM json_array_elements(rows) WITH ORDINALITY AS e(x, n);
  IF cardinality(ids) IS DISTINCT FROM cardinality(contents) THEN
    RAISE EXCEPTION 'confide_audit_append: % rows but % contents', cardinality(ids), cardinality(contents);
  END IF;
  FOR i IN 1 .. coalesce(cardinality(ids), 0) LOOP
    CONTINUE WHEN skip_present AND EXISTS (SELECT 1 FROM "AuditEvent" a WHERE a.id = ids[i]);
    head_seq := head_seq + 1;
    prevs := prevs || head_hash;
    head_hash := encode(sha256(convert_to(head_hash || E'\\n' || head_seq::text || E'\\n' || contents[i], 'UTF8')), 'hex');
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
    JOIN json_array_elements(rows) WITH ORDINALITY AS e(x, n) ON e.n = s.n,
         LATERAL jsonb_populate_record(NULL::"AuditEvent",
           e.x::jsonb || jsonb_build_object('content', contents[s.n], 'seq', s.seq, 'prev_hash', s.prev, 'hash', s.hash)) AS r
   ORDER BY s.seq;
  UPDATE audit_chain_head SET seq = head_seq, hash = head_hash WHERE id = 1;
  RETURN head_seq;
END $$;

DO $$
BEGIN
  ALTER TABLE "AuditEvent" ALTER COLUMN content SET COMPRESSION lz4, ALTER COLUMN entity SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  NULL; -- built without LZ4 (PGlite): pglz stays
END $$;
`,
};
