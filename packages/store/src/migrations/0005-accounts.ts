import type { Migration } from './migration.ts';

/**
 * Sign-in accounts and their sessions (`@confide/auth`). Prefixed `auth_` so they can never clash with a FHIR
 * type's table. Times are written by the code from its own clock (never `now()` in a predicate), so tests can
 * move the clock.
 */
export const accounts: Migration = {
  version: 5,
  name: 'accounts',
  sql: () => `
CREATE TABLE auth_user (
  id text PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._@-]{3,64}$'),
  kind text NOT NULL CHECK (kind IN ('staff', 'patient')),
  fhir_user text CHECK (fhir_user ~ '^(Practitioner|Patient)/[A-Za-z0-9.-]{1,64}$'),
  display text,
  roles text[] NOT NULL DEFAULT '{}',
  organizations text[] NOT NULL DEFAULT '{}',
  password_hash text,
  password_changed_at timestamptz,
  must_change_password boolean NOT NULL DEFAULT false,
  mfa_required boolean NOT NULL DEFAULT false,
  totp_secret text,
  totp_enrolled_at timestamptz,
  totp_last_step bigint,
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT auth_user_fhir_user_kind CHECK (
    fhir_user IS NULL
    OR (kind = 'staff' AND fhir_user LIKE 'Practitioner/%')
    OR (kind = 'patient' AND fhir_user LIKE 'Patient/%')
  ),
  CONSTRAINT auth_user_patient_linked CHECK (kind <> 'patient' OR fhir_user IS NOT NULL)
);
CREATE INDEX auth_user_fhir_user ON auth_user (fhir_user);

CREATE TABLE auth_session (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES auth_user (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text,
  remote_address text,
  mfa boolean NOT NULL DEFAULT false
);
CREATE INDEX auth_session_user ON auth_session (user_id, created_at);
`,
};
