import type { Migration } from './migration.ts';

/**
 * Drops `confide_audit_append` (migration 11): the audit log now numbers and hashes a batch itself, after locking
 * the chain head in the same transaction, and inserts it with one plain INSERT (packages/store/src/audit/audit-log.ts,
 * docs/audit.md "Writing"). The chain, its formula and `confide audit verify` are unchanged; the head's triggers
 * (migration 4) still refuse a head that moves back or points at a row that is not there.
 *
 * The function built each row with jsonb (the row's JSON turned into jsonb, the content added to it, then
 * jsonb_populate_record): PostgreSQL 113 µs per search's record against 88 now (docs/benchmarks.md,
 * "Session 12"). A server older than this migration calls the function, so it must not run against this database
 * (it refuses a schema newer than it knows).
 */
export const auditAppendInServer: Migration = {
  version: 15,
  name: 'audit-append-in-server',
  sql: () => `DROP FUNCTION IF EXISTS confide_audit_append(json, boolean, text[]);`,
};
