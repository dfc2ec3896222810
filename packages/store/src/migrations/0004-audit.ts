import type { Migration } from './migration.ts';

/** `prev_hash` of the first audit record (seq 1), and the hash of the empty chain held by the head row. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * The tamper-evident audit trail (docs/audit.md). AuditEvents live in the ordinary `"AuditEvent"` table, so
 * FHIR search serves the audit report, with three more columns that chain them:
 *
 *   hash = sha256_hex(prev_hash || '\n' || seq || '\n' || content)
 *
 * `seq` is contiguous from 1; `audit_chain_head` (one row) holds the last seq and hash, and appenders lock
 * it (`SELECT … FOR UPDATE`) so that every process appends in one order. Triggers refuse UPDATE, DELETE and
 * TRUNCATE of `"AuditEvent"` and the head, refuse AuditEvent versions in `resource_history` (an audit record
 * has exactly one version), and only let the head move forward onto a row that exists. A superuser can still
 * disable triggers; the chain is what detects what happens then (`confide audit verify`).
 *
 * AuditEvents stored before this migration (ordinary resources a client wrote) are chained in
 * (last_updated, id) order; deleted ones leave the current-version table (their versions stay in the history).
 */
export const auditLog: Migration = {
  version: 4,
  name: 'audit',
  sql: () => `
ALTER TABLE "AuditEvent" ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text;

CREATE TABLE audit_chain_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '${AUDIT_GENESIS_HASH}');

DELETE FROM "AuditEvent" WHERE deleted OR content IS NULL;
DO $$
DECLARE
  r record;
  n bigint := 0;
  prev text := '${AUDIT_GENESIS_HASH}';
  h text;
BEGIN
  FOR r IN SELECT id, content FROM "AuditEvent" ORDER BY last_updated, id LOOP
    n := n + 1;
    h := encode(sha256(convert_to(prev || E'\\n' || n::text || E'\\n' || r.content, 'UTF8')), 'hex');
    UPDATE "AuditEvent" SET seq = n, prev_hash = prev, hash = h WHERE id = r.id;
    prev := h;
  END LOOP;
  UPDATE audit_chain_head SET seq = n, hash = prev WHERE id = 1;
END $$;

ALTER TABLE "AuditEvent"
  ALTER COLUMN seq SET NOT NULL,
  ALTER COLUMN prev_hash SET NOT NULL,
  ALTER COLUMN hash SET NOT NULL,
  ADD CONSTRAINT "AuditEvent_seq_key" UNIQUE (seq);

CREATE FUNCTION confide_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'The audit trail is append-only: % of % is not allowed', TG_OP, TG_TABLE_NAME
    USING HINT = 'AuditEvents are written once by the server and never changed or deleted (docs/audit.md).';
END $$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION confide_audit_append_only();

CREATE TRIGGER audit_chain_head_fixed BEFORE INSERT OR DELETE OR TRUNCATE ON audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION confide_audit_append_only();

CREATE FUNCTION confide_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.seq < OLD.seq THEN
    RAISE EXCEPTION 'The audit chain head only moves forward (from % to %)', OLD.seq, NEW.seq;
  END IF;
  IF NEW.seq > 0 AND NOT EXISTS (SELECT 1 FROM "AuditEvent" WHERE seq = NEW.seq AND hash = NEW.hash) THEN
    RAISE EXCEPTION 'The audit chain head must point at an appended AuditEvent (seq %)', NEW.seq;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION confide_audit_head_forward();

CREATE FUNCTION confide_audit_no_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'AuditEvents have no history: they are appended to the audit trail, not written as resources'
    USING HINT = 'Write AuditEvents through AuditLog (packages/store/src/audit), never through the repository.';
END $$;

CREATE TRIGGER resource_history_no_audit BEFORE INSERT ON resource_history
  FOR EACH ROW WHEN (NEW.resource_type = 'AuditEvent') EXECUTE FUNCTION confide_audit_no_history();
`,
};
