import type { Migration } from './migration.ts';

/**
 * Release of psychotherapy notes under a specific HIPAA authorization (45 CFR 164.508(a)(2); docs/consent.md,
 * "Releasing a psychotherapy note"):
 *
 * - `note_release`: each authorization that counts (@confide/policy `compileNoteRelease`: an active
 *   release-of-information Consent naming its notes, recipients and expiry), one row per note it names, kept in the
 *   Consent's write transaction (consent/note-releases.ts). Nothing to back-fill: no Consent counted before.
 * - `confide_note_released(note, compartments, recipients, purpose)`: whether a row of `note_release` opens the note
 *   (`Composition/<id>`, `DocumentReference/<id>`) of one of those patients to a caller known by one of `recipients`
 *   for that purpose of use, now — `noteReleased` in the policy. The segmentation SQL calls it only for a
 *   psychotherapy note the caller neither wrote nor was delegated (access/segmentation-sql.ts), so no other row
 *   pays for it. PL/pgSQL, as the functions of migration 0009: a call is not planned into each statement.
 *
 * Number 12: 11 is taken by another branch.
 */
export const noteRelease: Migration = {
  version: 13,
  name: 'note-release',
  sql: () => `
    CREATE TABLE note_release (
      note text NOT NULL,
      consent text NOT NULL,
      patient text NOT NULL,
      recipients text[] NOT NULL,
      purposes text[],
      starts timestamptz,
      ends timestamptz NOT NULL,
      PRIMARY KEY (note, consent)
    );
    CREATE INDEX note_release_consent ON note_release (consent);
    CREATE FUNCTION confide_note_released(row_note text, row_compartments text[], caller_recipients text[], caller_purpose text) RETURNS boolean
      LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
      BEGIN
        RETURN EXISTS (
          SELECT 1 FROM note_release r
          WHERE r.note = row_note
            AND r.patient = ANY(row_compartments)
            AND r.recipients && caller_recipients
            AND (r.purposes IS NULL OR caller_purpose = ANY(r.purposes))
            AND (r.starts IS NULL OR r.starts <= now())
            AND r.ends > now());
      END
    $fn$;
  `,
};
