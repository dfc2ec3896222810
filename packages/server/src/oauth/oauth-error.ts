/**
 * An OAuth 2.0 error response (RFC 6749 section 5.2; RFC 7009 section 2.2.1; RFC 6750 section 3.1): sent as
 * `{ error, error_description }` with its status. `invalid_client` is 401 (section 5.2: "MAY return an HTTP 401
 * ... MUST respond with 401 and include WWW-Authenticate" when the client used the Authorization header).
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'unsupported_token_type';

export class OAuthError extends Error {
  readonly status: number;

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    status?: number,
    /** Why, for the audit trail (never shown to the client beyond `description`). */
    readonly reason?: string,
  ) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
    this.status = status ?? (error === 'invalid_client' ? 401 : error === 'server_error' ? 500 : 400);
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}
