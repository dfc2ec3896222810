/**
 * Something that happened to an account, for the audit trail (the server turns these into AuditEvents).
 * Events never carry a password, a one-time code, a TOTP secret or a session token.
 */
export interface AccountEvent {
  type:
    | 'sign-in'
    | 'sign-in-failed'
    | 'sign-out'
    | 'session-expired'
    | 'user-created'
    | 'user-disabled'
    | 'user-enabled'
    | 'password-reset'
    | 'password-changed'
    | 'roles-changed'
    | 'organizations-changed'
    | 'mfa-enrolled'
    | 'mfa-reset'
    | 'unlocked'
    | 'locked';
  /**
   * The account's username. For a failed sign-in with an unknown username: what was typed when it is a
   * well-formed username, `'(invalid)'` otherwise (people type passwords into the username field).
   */
  username: string;
  userId?: string;
  /** Why (a refused sign-in's reason, a session's revocation reason) or what changed (the new roles). */
  reason?: string;
  remoteAddress?: string;
  /** Who did it, when not the account itself (an administrator's username, `cli`). */
  by?: string;
}
