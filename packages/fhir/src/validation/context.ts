import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue, type IssueCode } from '../outcome.ts';
import { PathStack } from './path-stack.ts';
import type { SchemaRegistry } from './schema-registry.ts';

/** Validation stops collecting after this many issues; one more issue says so. */
export const MAX_ISSUES = 100;

/** Deeper JSON nesting is reported rather than walked, so hostile input cannot exhaust the stack. */
export const MAX_DEPTH = 64;

/** The longest value quoted back in an issue's text. */
const QUOTE_LIMIT = 80;

/**
 * Quotes a value for an issue text, shortened so that a 1 MB string does not end up in the outcome.
 * Objects are only quoted when they come from the definitions (fixed and pattern values).
 */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : String(JSON.stringify(value));
  } catch {
    text = typeof value; // cycles, BigInt
  }
  return `'${text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}...` : text}'`;
}

/** State of one validateResource call: where we are, what was found, and the enclosing containers. */
export class ValidationContext {
  readonly path = new PathStack();
  readonly issues: OperationOutcomeIssue[] = [];
  /** Set once MAX_ISSUES is reached; the walker then unwinds without looking further. */
  stopped = false;
  /** Object nesting depth of the walk. */
  depth = 0;
  /** Ids of the resources contained in the current container resource, for '#id' references. */
  containedIds: ReadonlySet<string> | undefined = undefined;
  /** Inside a transaction or batch Bundle, conditional references (Type?query) are allowed (http.html#trules). */
  conditionalReferences = false;

  constructor(readonly registry: SchemaRegistry) {}

  /** Reports an issue at the current path, or at `child` below it. */
  report(code: IssueCode, text: string, child?: string): void {
    if (this.stopped) return;
    if (this.issues.length >= MAX_ISSUES) {
      this.issues.push(issue('too-costly', `Validation stopped after ${MAX_ISSUES} issues.`, this.path.toString(child)));
      this.stopped = true;
      return;
    }
    this.issues.push(issue(code, text, this.path.toString(child)));
  }
}
