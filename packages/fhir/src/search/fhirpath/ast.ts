/**
 * Syntax tree of the FHIRPath subset used by search parameter expressions (http://hl7.org/fhirpath/N1/).
 * The parser accepts the full operator grammar; the compiler decides what it can turn into fast code.
 */
export type FhirPathNode =
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'empty' } // `{}`
  | { kind: 'identifier'; name: string } // a term: `Observation`, `code`, `$this`
  | { kind: 'variable'; name: string } // `%resource`, `%context`
  | { kind: 'member'; target: FhirPathNode; name: string } // `a.b`
  | { kind: 'call'; target?: FhirPathNode; name: string; args: FhirPathNode[] } // `a.where(...)`, `resolve()`
  | { kind: 'index'; target: FhirPathNode; index: FhirPathNode } // `a[0]`
  | { kind: 'unary'; op: '+' | '-'; operand: FhirPathNode }
  | { kind: 'binary'; op: string; left: FhirPathNode; right: FhirPathNode }
  | { kind: 'type-op'; op: 'is' | 'as'; operand: FhirPathNode; typeName: string }; // `x is Patient`, `x as Quantity`
