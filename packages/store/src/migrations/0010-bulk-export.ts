import type { Migration } from './migration.ts';

/**
 * FHIR Bulk Data Access 2.0 export jobs (docs/bulk-export.md; https://hl7.org/fhir/uv/bulkdata/STU2/export.html).
 *
 * - `bulk_job`: one row per kick-off request. `owner` is who may poll and download (the client and user of the
 *   kick-off token); `actor` is the caller frozen at kick-off (scopes as text, purpose of use, break-the-glass
 *   patients), so the job reads exactly what that caller's search would; `params` is the parsed request.
 *   `heartbeat` lets another server process take over a job whose runner died.
 * - `bulk_file`: the manifest's `output` and `error` files of a job, numbered.
 * - `bulk_chunk`: each file's NDJSON text in pieces of about 1 MB, in order. Resources' stored JSON text is
 *   joined with newlines as it comes from the database (never parsed), and a download streams the pieces back
 *   one statement at a time, so neither side holds a whole file in memory, on PGlite as on PostgreSQL.
 *
 * Deleting a job (cancel, expiry) deletes its files and pieces.
 */
export const bulkExport: Migration = {
  version: 10,
  name: 'bulk-export',
  sql: () => `
    CREATE TABLE bulk_job (
      id text PRIMARY KEY,
      owner text NOT NULL,
      status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
      request text NOT NULL,
      params jsonb NOT NULL,
      actor jsonb NOT NULL,
      audit jsonb NOT NULL,
      created timestamptz NOT NULL,
      expires timestamptz NOT NULL,
      transaction_time timestamptz,
      heartbeat timestamptz,
      progress text,
      error text,
      part2 boolean NOT NULL DEFAULT false
    );
    CREATE INDEX bulk_job_status ON bulk_job (status, created);
    CREATE INDEX bulk_job_expires ON bulk_job (expires);
    CREATE TABLE bulk_file (
      job text NOT NULL REFERENCES bulk_job (id) ON DELETE CASCADE,
      n integer NOT NULL,
      kind text NOT NULL CHECK (kind IN ('output', 'error')),
      type text NOT NULL,
      count integer NOT NULL,
      PRIMARY KEY (job, n)
    );
    CREATE TABLE bulk_chunk (
      job text NOT NULL REFERENCES bulk_job (id) ON DELETE CASCADE,
      n integer NOT NULL,
      seq integer NOT NULL,
      body text NOT NULL,
      PRIMARY KEY (job, n, seq)
    );
  `,
};
