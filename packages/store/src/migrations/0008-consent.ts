import type { Migration } from './migration.ts';

/**
 * Consent and segmentation (issue #5, docs/consent.md):
 *
 * - `consent_rule`: each active privacy Consent flattened into rules (@confide/policy `compileConsent`), one row
 *   per provision with a type, kept in the same transaction as the Consent write (consent/consent-rules.ts). The
 *   access SQL consults it for every row of a patient-data table (access/segmentation-sql.ts). Label columns hold
 *   `search_tokens` entries (`_security=<system>|<code>`), so they compare with the row's tokens directly.
 * - `break_glass`: emergency access grants (who, for which patient, why, until when). Rows are never changed or
 *   deleted by the server: an expired grant stays as the record of what was granted.
 */
export const consent: Migration = {
  version: 8,
  name: 'consent',
  sql: () => `
    CREATE TABLE consent_rule (
      consent text NOT NULL,
      patient text NOT NULL,
      path text NOT NULL,
      depth integer NOT NULL,
      effect text NOT NULL CHECK (effect IN ('permit', 'deny')),
      actors text[],
      purposes text[],
      classes text[],
      labels_covered text[],
      labels_uncovered text[],
      conf_above text[],
      conf_within text[],
      conf_normal_within boolean,
      starts timestamptz,
      ends timestamptz,
      part2 boolean NOT NULL DEFAULT false,
      PRIMARY KEY (consent, path)
    );
    CREATE INDEX consent_rule_patient ON consent_rule (patient);
    CREATE TABLE break_glass (
      id text PRIMARY KEY,
      username text NOT NULL,
      practitioner text,
      patient text NOT NULL,
      reason text NOT NULL,
      started timestamptz NOT NULL,
      expires timestamptz NOT NULL
    );
    CREATE INDEX break_glass_user ON break_glass (username, expires);
  `,
};
