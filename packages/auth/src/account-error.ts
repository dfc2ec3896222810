/** Why an account operation was refused. The message is for people; `code` is for programs. */
export type AccountErrorCode =
  | 'invalid-username'
  | 'invalid-kind'
  | 'invalid-fhir-user'
  | 'invalid-role'
  | 'invalid-organization'
  | 'invalid-display'
  | 'weak-password'
  | 'duplicate-username'
  | 'not-found'
  | 'wrong-password'
  | 'locked'
  | 'mfa-already-enrolled'
  | 'mfa-not-started';

/**
 * A refused account operation (bad input, unknown user, duplicate username…). Messages never contain a
 * password, a one-time code, a TOTP secret or a session token.
 */
export class AccountError extends Error {
  constructor(
    readonly code: AccountErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}
