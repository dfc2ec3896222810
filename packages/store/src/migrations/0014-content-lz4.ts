import type { Migration } from './migration.ts';

/**
 * Stores each resource's JSON text (`content`) with lz4 rather than PostgreSQL's default pglz, where the server
 * has lz4 (PostgreSQL 14 or newer built `--with-lz4`, as Debian's and most distributions' are).
 *
 * A resource over ~2 KB is compressed when it is written (TOAST) and decompressed when it is read. Measured on this
 * machine (docs/benchmarks.md, "Sessions 9 and 11"): a 42.6 KB folded AuditEvent costs ~0.35 ms to compress with pglz and
 * ~0.06 ms with lz4, at the same size on disk (lz4 also decompresses faster by its published figures; not measured
 * here). The audit trail writes one such event per 20 ms window of a busy caller's reads, and Synthea's Patient,
 * Claim and ExplanationOfBenefit resources pass the threshold too.
 *
 * `SET COMPRESSION` changes only the values written from now on (old rows keep pglz and read as before) and only
 * the catalogue, so it is instant whatever the table's size. PGlite is built without lz4: there the step does
 * nothing and the default stays. A dump of a database with lz4 columns restores only on a server that has lz4.
 */
export const contentLz4: Migration = {
  version: 14,
  name: 'content-lz4',
  sql: () => `
    DO $do$
    DECLARE t record;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
        RETURN;
      END IF;
      FOR t IN
        SELECT c.relname FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attname = 'content'
          AND a.atttypid = 'text'::regtype AND NOT a.attisdropped
      LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN content SET COMPRESSION lz4', t.relname);
      END LOOP;
    END
    $do$;
  `,
};
