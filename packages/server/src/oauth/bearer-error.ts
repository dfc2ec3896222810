import { errors, OperationOutcomeError } from '@confide/fhir';

/**
 * A 401 of the FHIR API for a missing or unusable bearer token. `challenge` is the `WWW-Authenticate` value
 * (RFC 6750 section 3): without an error code when the request had no token (section 3.1: "SHOULD NOT include
 * an error code"), `error="invalid_token"` otherwise. The HTTP layer sends it with the OperationOutcome.
 */
export class BearerError extends OperationOutcomeError {
  readonly challenge: string;

  constructor(text: string, error?: 'invalid_token' | 'invalid_request') {
    super(401, errors.unauthorized(text).outcome);
    const description = text.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '');
    this.challenge = error ? `Bearer realm="Confide", error="${error}", error_description="${description}"` : 'Bearer realm="Confide"';
  }
}

/** The WWW-Authenticate value for a 401 from the FHIR API. */
export function challengeOf(err: unknown): string {
  return err instanceof BearerError ? err.challenge : 'Bearer realm="Confide", error="invalid_token"';
}
