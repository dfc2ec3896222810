/**
 * The typed values extracted from a resource for one search parameter, one entry per matching element. The
 * storage layer turns them into column values at write time. Semantics follow R4 search.html per type.
 */
export type IndexValue =
  | TokenIndexValue
  | StringIndexValue
  | ReferenceIndexValue
  | DateIndexValue
  | NumberIndexValue
  | QuantityIndexValue
  | UriIndexValue
  | CompositeIndexValue;

/** search.html#token. A CodeableConcept gives one entry per coding plus one `{ display: text }` for its text. */
export interface TokenIndexValue {
  kind: 'token';
  system?: string;
  code?: string;
  /** For `:text`: Coding.display, CodeableConcept.text, Identifier.type.text. */
  display?: string;
  /** Identifier.type coding, for `:of-type` (one entry per type coding). */
  typeSystem?: string;
  typeCode?: string;
}

/** search.html#string. The raw text; match on normalizeString() of it. */
export interface StringIndexValue {
  kind: 'string';
  value: string;
}

/** search.html#reference. */
export interface ReferenceIndexValue {
  kind: 'reference';
  /**
   * `Patient/123`, an absolute URL, `#contained`, `urn:uuid:...` or a canonical URL, without `/_history/n` or
   * `|version`. Absent for a Reference that only has an identifier.
   */
  reference?: string;
  type?: string;
  id?: string;
  /** Version of a canonical reference (`url|version`). */
  version?: string;
  /** Reference.identifier, for `:identifier`. */
  identifier?: { system?: string; value?: string };
}

/** search.html#date. Half-open range of ISO 8601 UTC instants, precision expanded; open ends are '-infinity'/'infinity'. */
export interface DateIndexValue {
  kind: 'date';
  start: string;
  end: string;
}

/** search.html#number. [low, high) from the significant figures of the value as written (or a Range's bounds). */
export interface NumberIndexValue {
  kind: 'number';
  value: number;
  low: number;
  high: number;
}

/** search.html#quantity. Like number, plus the unit; a comparator or a Range gives open bounds (±Infinity). */
export interface QuantityIndexValue {
  kind: 'quantity';
  value: number;
  low: number;
  high: number;
  system?: string;
  code?: string;
  unit?: string;
}

/** search.html#uri. */
export interface UriIndexValue {
  kind: 'uri';
  value: string;
}

/**
 * search.html#composite. One entry per matching parent element (e.g. each Observation.component); each
 * `components[i]` holds the values of the param's i-th component within that element.
 */
export interface CompositeIndexValue {
  kind: 'composite';
  components: IndexValue[][];
}
