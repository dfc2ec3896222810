/**
 * What the authorization server reports for the audit trail. The server engineer maps these to AuditEvents;
 * nothing here ever holds a secret (no password, one-time code, session token, authorization code, access or
 * refresh token, client secret or assertion).
 */
export type SecurityEventType =
  | 'sign-in'
  | 'sign-in-failed'
  | 'token-issued'
  | 'token-refreshed'
  | 'token-revoked'
  | 'grant-denied'
  | 'client-auth-failed'
  | 'launch-created';

export interface SecurityEvent {
  type: SecurityEventType;
  outcome: 'success' | 'failure';
  /** When it happened (the server's clock). */
  at: Date;
  /** Login name as typed or as stored (sign-in), or of the account a token was issued for. */
  username?: string;
  /** Account id (auth_user.id). */
  userId?: string;
  /** OAuth client. */
  clientId?: string;
  /** The grant a token belongs to. */
  grantId?: string;
  /** authorization_code, refresh_token, client_credentials, or `operator` for `confide token`. */
  grantType?: string;
  /** Scope granted or requested. */
  scope?: string;
  /** Launch patient, when there is one. */
  patient?: string;
  remoteAddress?: string;
  /** Machine-readable reason for failures and revocations, e.g. `invalid-credentials`, `refresh-token-reuse`. */
  reason?: string;
}
