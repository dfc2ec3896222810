import type { Actor } from '@confide/policy';

/**
 * Who is behind one request, established before the request reaches any data: from a bearer access token
 * (SMART), or `internal` for work the server does on its own behalf (the CLI's import and seed, migrations).
 * Every FHIR interaction runs under one of these; the policy decides with `actor`, the audit trail records
 * the rest.
 */
export interface AccessContext {
  actor: Actor;
  via: 'token' | 'internal';
  /** OAuth client the token was issued to. */
  clientId?: string;
  /** The account (users table id) behind a user token; absent for backend services. */
  userId?: string;
  /** The account's login name, for the audit trail. */
  username?: string;
  /** `Practitioner/…` or `Patient/…` (SMART fhirUser). */
  fhirUser?: string;
  /** The grant (authorization) the token belongs to; revoking it revokes every token of the grant. */
  grantId?: string;
  /** The token's `jti`. */
  tokenId?: string;
  /** HL7 PurposeOfUse code (v3-ActReason), default TREAT for staff, PATRQT for patients, as granted. */
  purposeOfUse?: string;
  /** Remote IP address, for the audit trail. */
  remoteAddress?: string;
}

/** Server-internal work (CLI import/seed): a system actor with every scope; never reachable over HTTP. */
export function internalAccess(actor: Actor): AccessContext {
  return { actor, via: 'internal' };
}
