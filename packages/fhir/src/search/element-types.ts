import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { typeDefinitions } from '../definitions.ts';

/**
 * A static type model of R4 built from the StructureDefinition snapshots, used by the FHIRPath compiler to
 * resolve each step of a search parameter expression at compile time: which JSON key(s) to read, which FHIR
 * type comes out, and how choice elements (`value[x]`) expand to `valueQuantity`, `valueCodeableConcept`...
 *
 * A "type" here is either a FHIR type name (`CodeableConcept`, `Observation`, `string`) or, for backbone
 * elements that have no type name of their own, the element path (`Observation.component`).
 */
export interface ChildType {
  /** The JSON property that holds this alternative (`valueQuantity` for `value[x]` as Quantity). */
  key: string;
  /** FHIR type name or backbone element path. */
  type: string;
  /** For `code` elements with a required binding: the ValueSet (without version), whose code system is implicit. */
  valueSet?: string;
}

const SYSTEM_TYPES: Record<string, string> = {
  'http://hl7.org/fhirpath/System.String': 'string',
  'http://hl7.org/fhirpath/System.Boolean': 'boolean',
  'http://hl7.org/fhirpath/System.Integer': 'integer',
  'http://hl7.org/fhirpath/System.Decimal': 'decimal',
  'http://hl7.org/fhirpath/System.Date': 'date',
  'http://hl7.org/fhirpath/System.DateTime': 'dateTime',
  'http://hl7.org/fhirpath/System.Time': 'time',
};

const elementIndex = new Map<string, Map<string, ElementDefinition>>();

function elementsOf(rootType: string): Map<string, ElementDefinition> | undefined {
  let index = elementIndex.get(rootType);
  if (!index) {
    const sd: StructureDefinition | undefined = typeDefinitions().get(rootType);
    if (!sd?.snapshot?.element) return undefined;
    index = new Map();
    for (const e of sd.snapshot.element) {
      if (e.path) index.set(e.path, e);
    }
    elementIndex.set(rootType, index);
  }
  return index;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * The alternatives of child `name` of `parentType`, or undefined when there is no such element. A plain
 * element yields one alternative; a choice element yields one per allowed type.
 */
export function childTypes(parentType: string, name: string): ChildType[] | undefined {
  const root = parentType.split('.')[0];
  const elements = elementsOf(root);
  if (!elements) return undefined;
  const plain = elements.get(`${parentType}.${name}`);
  if (plain) {
    if (plain.contentReference) return [{ key: name, type: plain.contentReference.replace(/^#/, '') }];
    return (plain.type ?? []).map((t) => {
      const child: ChildType = { key: name, type: resolveTypeCode(t.code ?? 'Element', plain.path as string) };
      if (child.type === 'code' && plain.binding?.strength === 'required' && plain.binding.valueSet) {
        child.valueSet = plain.binding.valueSet.split('|')[0];
      }
      return child;
    });
  }
  const choice = elements.get(`${parentType}.${name}[x]`);
  if (choice) {
    return (choice.type ?? []).map((t) => {
      const code = resolveTypeCode(t.code ?? 'Element', `${parentType}.${name}`);
      return { key: name + capitalize(code), type: code };
    });
  }
  return undefined;
}

function resolveTypeCode(code: string, path: string): string {
  if (code in SYSTEM_TYPES) return SYSTEM_TYPES[code];
  if (code === 'BackboneElement' || code === 'Element') return path;
  return code;
}

/** True for FHIR type names that are resources (including the abstract Resource and DomainResource). */
export function isResourceTypeName(type: string): boolean {
  return typeDefinitions().get(type)?.kind === 'resource';
}

/** True when `type` is `ancestor` or derives from it (Age → Quantity, code → string, Patient → DomainResource). */
export function isSubtypeOf(type: string, ancestor: string): boolean {
  if (type === ancestor) return true;
  if (type.includes('.')) return ancestor === 'BackboneElement' || ancestor === 'Element';
  let current: string | undefined = type;
  for (let guard = 0; current && guard < 10; guard++) {
    if (current === ancestor) return true;
    const base: string | undefined = typeDefinitions().get(current)?.baseDefinition;
    current = base?.slice(base.lastIndexOf('/') + 1);
  }
  return false;
}

/**
 * Canonical spelling of a type name used in an expression (`ofType(DateTime)` → `dateTime`, `FHIR.Quantity` →
 * `Quantity`, `System.String` → `string`). Returns undefined for names that are not R4 types.
 */
export function canonicalTypeName(name: string): string | undefined {
  const bare = name.replace(/^(FHIR|System)\./, '');
  if (typeDefinitions().has(bare)) return bare;
  const lower = bare.charAt(0).toLowerCase() + bare.slice(1);
  if (typeDefinitions().get(lower)?.kind === 'primitive-type') return lower;
  return undefined;
}
