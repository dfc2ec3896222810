import type { Repository } from '@confide/store';
import type { AccessContext } from '../identity/access-context.ts';

/** A FHIR interaction, independent of HTTP, so that Bundle entries run through the same code as requests. */
export interface FhirRequest {
  method: string;
  /** Path below the FHIR base, without leading slash, e.g. `Patient/123/_history/2`; empty for the base. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, when there is one. */
  body?: unknown;
}

/**
 * `body` is JSON text (passed through as stored), a value to serialize, or a stream of JSON text pieces
 * (large results such as $everything, written to the socket as they come).
 */
export interface FhirResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | object | AsyncIterable<string>;
  /** What the response disclosed or changed, for the audit trail (never the content itself). */
  audit?: AuditFacts;
}

/** The resources an interaction touched, as references, and the patients whose records they are. */
export interface AuditFacts {
  /** `Type/id` or `Type/id/_history/v`. */
  resources: string[];
  /**
   * Bare Patient ids. Undefined when the handler did not know them (a written version's compartments are
   * then worked out from `versions`).
   */
  patients?: string[];
  /** JSON texts of written versions whose patients are not known yet. */
  versions?: Array<string | null>;
}

export function isStream(body: unknown): body is AsyncIterable<string> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

export interface FhirContext {
  repo: Repository;
  /** Absolute base URL of the FHIR endpoint, e.g. http://127.0.0.1:8080/fhir/R4 */
  baseUrl: string;
  /** Set while running the entries of a transaction Bundle. */
  inTransaction?: boolean;
  /**
   * Who is asking (set by the HTTP layer from the bearer token; `internal` for the CLI). Every handler
   * decides and filters with it; absent only in unit tests of the router that predate access control.
   */
  access?: AccessContext;
}
