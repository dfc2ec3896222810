import type { ValidationContext } from './context.ts';
import type { PrimitiveCheck } from './primitives.ts';
import type { ExpandedValueSet } from './value-sets.ts';

/**
 * The precompiled form of a StructureDefinition snapshot that the walker runs on: one TypeSchema per
 * resource, complex data type and backbone element, and one FieldDef per JSON property name (a choice
 * element value[x] yields one FieldDef per allowed type: valueQuantity, valueString...).
 * Compiled once per type, on first use (compile-schema.ts), then read-only apart from the lazy caches.
 */

/** How a property's JSON value is validated. */
export type FieldKind =
  /** A FHIR primitive: JSON string/number/boolean, plus an optional `_name` element object (json.html#primitive). */
  | 'primitive'
  /** A complex data type or backbone element: a JSON object walked against `schema`. */
  | 'complex'
  /** A resource (contained, Bundle.entry.resource...): validated as the type its resourceType names. */
  | 'resource';

/** A post-walk check bound to one field: reference format, required binding, SimpleQuantity. */
export type FieldCheck = (ctx: ValidationContext, field: FieldDef, value: Record<string, unknown>) => void;

/** A hand-coded invariant run after every object of one type was walked (ext-1 on Extension, bdl-7 on Bundle). */
export type SchemaCheck = (ctx: ValidationContext, value: Record<string, unknown>) => void;

export interface FieldDef {
  /** The JSON property name, e.g. 'valueQuantity'. */
  readonly name: string;
  /** '_' + name: the property carrying id/extension of a primitive (json.html#primitive). */
  readonly extName: string;
  /** The ElementDefinition path, e.g. 'Observation.value[x]'. */
  readonly elementPath: string;
  readonly min: number;
  /** Maximum cardinality; Infinity for '*'. */
  readonly max: number;
  /** JSON arrays are used when the base definition allows more than one value (json.html#cardinality). */
  readonly isArray: boolean;
  readonly kind: FieldKind;
  /** The FHIR type: 'code', 'Quantity', 'Patient.contact' (backbone), 'Resource', 'OperationOutcome'. */
  readonly typeName: string;
  /** For primitives. */
  readonly check: PrimitiveCheck | undefined;
  /** False for Element.id and Extension.url, which are plain JSON strings without a `_name` companion. */
  readonly allowsExtensions: boolean;
  /** Index of the choice group (value[x]) within the owning schema, or -1. */
  readonly choiceGroup: number;
  /** Required binding: the value set canonical without its |version suffix. */
  readonly valueSetUrl: string | undefined;
  /** Reference targets allowed by targetProfile; undefined means any resource type. */
  readonly targetTypes: ReadonlySet<string> | undefined;
  /** The element's type carries the SimpleQuantity profile (sqty-1: no comparator). */
  readonly simpleQuantity: boolean;
  /** ElementDefinition.fixed[x] / pattern[x] (profiling.html#fixed, #pattern). */
  readonly fixed: unknown;
  readonly pattern: unknown;
  /** This is DomainResource.contained: resources inside share the container's local ids (references.html#contained). */
  readonly isContained: boolean;
  /** Schema of a complex value; set at compile time for backbone elements, resolved lazily for data types. */
  schema: TypeSchema | undefined;
  /** Expansion of valueSetUrl, resolved on first use; null when it cannot be expanded. */
  valueSet: ExpandedValueSet | null | undefined;
  /** Extra check after the value was walked (Reference format, CodeableConcept binding...). */
  post: FieldCheck | undefined;
}

/** A mandatory element (min >= 1): present when any of `names` is a property (json.html: `_name` counts). */
export interface RequiredElement {
  /** The element name as defined, e.g. 'status' or 'medication[x]'. */
  readonly label: string;
  /** The name in FHIRPath, e.g. 'status' or 'medication'. */
  readonly name: string;
  readonly names: readonly string[];
}

export interface ChoiceGroup {
  /** The element name as defined, e.g. 'value[x]'. */
  readonly label: string;
  readonly variants: readonly FieldDef[];
}

export interface TypeSchema {
  /** 'Patient', 'HumanName', or the path of a backbone element ('Patient.contact'). */
  readonly name: string;
  readonly isResource: boolean;
  readonly fields: ReadonlyMap<string, FieldDef>;
  readonly required: readonly RequiredElement[];
  readonly choiceGroups: readonly ChoiceGroup[];
  readonly post: SchemaCheck | undefined;
}
