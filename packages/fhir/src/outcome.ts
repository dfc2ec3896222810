import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/** FHIR issue-type codes (http://hl7.org/fhir/R4/valueset-issue-type.html) that this server emits. */
export type IssueCode = OperationOutcomeIssue['code'];

/** Builds one OperationOutcome issue; `expression` is the FHIRPath of the offending element or parameter. */
export function issue(
  code: IssueCode,
  text: string,
  expression?: string | string[],
  severity: OperationOutcomeIssue['severity'] = 'error',
): OperationOutcomeIssue {
  const result: OperationOutcomeIssue = { severity, code, details: { text } };
  if (expression !== undefined) {
    result.expression = Array.isArray(expression) ? expression : [expression];
  }
  return result;
}

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function informational(text: string): OperationOutcome {
  return operationOutcome([issue('informational', text, undefined, 'information')]);
}

/**
 * An error that carries its HTTP status and the OperationOutcome to send. Everything the FHIR layer
 * rejects is thrown as one of these so that the HTTP layer never has to guess a status code.
 */
export class OperationOutcomeError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;

  constructor(status: number, outcome: OperationOutcome) {
    super(outcome.issue?.map((i) => i.details?.text ?? i.code).join('; ') ?? 'error');
    this.name = 'OperationOutcomeError';
    this.status = status;
    this.outcome = outcome;
  }
}

function fail(status: number, code: IssueCode, text: string, expression?: string | string[]): OperationOutcomeError {
  return new OperationOutcomeError(status, operationOutcome([issue(code, text, expression)]));
}

export const errors = {
  badRequest: (text: string, expression?: string | string[]) => fail(400, 'invalid', text, expression),
  invalid: (issues: OperationOutcomeIssue[]) => new OperationOutcomeError(400, operationOutcome(issues)),
  unprocessable: (issues: OperationOutcomeIssue[]) => new OperationOutcomeError(422, operationOutcome(issues)),
  notFound: (text = 'Not found') => fail(404, 'not-found', text),
  gone: (text = 'Deleted') => fail(410, 'deleted', text),
  methodNotAllowed: (text: string) => fail(405, 'not-supported', text),
  notAcceptable: (text: string) => fail(406, 'not-supported', text),
  conflict: (text: string) => fail(409, 'conflict', text),
  preconditionFailed: (text: string) => fail(412, 'conflict', text),
  tooLarge: (text: string) => fail(413, 'too-costly', text),
  unsupportedMediaType: (text: string) => fail(415, 'not-supported', text),
  notSupported: (text: string) => fail(501, 'not-supported', text),
  multipleMatches: (text: string) => fail(412, 'multiple-matches', text),
  unauthorized: (text = 'Authentication required') => fail(401, 'login', text),
  forbidden: (text = 'Forbidden') => fail(403, 'forbidden', text),
  internal: (text = 'Internal server error') => fail(500, 'exception', text),
};

export function isOperationOutcomeError(e: unknown): e is OperationOutcomeError {
  return e instanceof OperationOutcomeError;
}
