import type { ElementDefinition, ElementDefinitionType, StructureDefinition } from '@medplum/fhirtypes';
import { checkCodeableConceptBinding, checkCodingBinding } from './bindings.ts';
import { SCHEMA_CHECKS, checkSimpleQuantity } from './invariants.ts';
import { isPrimitiveType, primitiveCheck } from './primitives.ts';
import { r4SnapshotElements } from './r4-corrections.ts';
import { checkReference } from './references.ts';
import type { ChoiceGroup, FieldCheck, FieldDef, RequiredElement, TypeSchema } from './schema.ts';
import { stripVersion } from './value-sets.ts';

/**
 * Compiles one StructureDefinition snapshot (R4 elementdefinition.html) into TypeSchemas: one for the
 * type itself and one per backbone element, keyed by element path ('Questionnaire', 'Questionnaire.item',
 * 'Questionnaire.item.enableWhen'...). Data types used by the elements are not compiled here; the walker
 * asks the registry for them on first use, which keeps compilation per type and lazy.
 */

const SYSTEM_TYPE_PREFIX = 'http://hl7.org/fhirpath/System.';
const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';
const SIMPLE_QUANTITY = CORE_PREFIX + 'SimpleQuantity';
const BOUND_TYPES = new Set(['code', 'Coding', 'CodeableConcept']);

interface MutableSchema extends TypeSchema {
  readonly fields: Map<string, FieldDef>;
  readonly required: RequiredElement[];
  readonly choiceGroups: ChoiceGroup[];
}

function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function parseMax(max: string | undefined): number {
  return max === undefined || max === '*' ? Infinity : Number(max);
}

/** The value of fixed[x] or pattern[x] on an element, whatever its type suffix. */
function constraintValue(element: ElementDefinition, prefix: 'fixed' | 'pattern'): unknown {
  for (const key of Object.keys(element)) {
    if (key.startsWith(prefix) && key.length > prefix.length) return (element as unknown as Record<string, unknown>)[key];
  }
  return undefined;
}

/** Reference targets from targetProfile; undefined when any resource is allowed (Reference(Any)). */
function targetTypes(type: ElementDefinitionType): Set<string> | undefined {
  const profiles = type.targetProfile ?? [];
  const types = new Set<string>();
  for (const profile of profiles) {
    if (!profile.startsWith(CORE_PREFIX)) continue;
    const name = profile.slice(CORE_PREFIX.length);
    if (name === 'Resource' || name === 'DomainResource') return undefined;
    types.add(name);
  }
  return types.size > 0 ? types : undefined;
}

/** The FHIR type of an element whose type is a FHIRPath system type (Element.id, Extension.url, Resource.id). */
function systemTypeName(element: ElementDefinition, type: ElementDefinitionType): string {
  // R4 resource.html#id: the logical id of a resource is of type id, although the snapshot says string.
  if (element.base?.path === 'Resource.id') return 'id';
  const fhirType = type.extension?.find((e) => e.url === FHIR_TYPE_EXTENSION)?.valueUrl;
  return fhirType && isPrimitiveType(fhirType) ? fhirType : 'string';
}

function postCheck(typeName: string, field: Omit<FieldDef, 'post'>): FieldCheck | undefined {
  if (typeName === 'Reference') return checkReference;
  if (field.valueSetUrl !== undefined && typeName === 'CodeableConcept') return checkCodeableConceptBinding;
  if (field.valueSetUrl !== undefined && typeName === 'Coding') return checkCodingBinding;
  if (field.simpleQuantity) return checkSimpleQuantity;
  return undefined;
}

class StructureCompiler {
  private readonly schemas = new Map<string, MutableSchema>();
  private readonly elements = new Map<string, ElementDefinition>();

  constructor(
    private readonly sd: StructureDefinition,
    private readonly isResourceType: (name: string) => boolean,
  ) {}

  compile(): Map<string, TypeSchema> {
    const elements = r4SnapshotElements(this.sd);
    const root = elements[0]?.path;
    if (!root) return new Map();
    for (const element of elements) this.elements.set(element.path as string, element);
    // Every path with children gets a schema: the type itself and its backbone elements.
    this.schemas.set(root, this.newSchema(root, this.sd.kind === 'resource'));
    for (const element of elements) {
      const parent = parentPath(element.path as string);
      if (parent !== '' && !this.schemas.has(parent)) this.schemas.set(parent, this.newSchema(parent, false));
    }
    for (const element of elements) {
      const schema = this.schemas.get(parentPath(element.path as string));
      if (schema) this.addElement(schema, element);
    }
    return this.schemas;
  }

  private newSchema(name: string, isResource: boolean): MutableSchema {
    return { name, isResource, fields: new Map(), required: [], choiceGroups: [], post: SCHEMA_CHECKS.get(name) };
  }

  private addElement(schema: MutableSchema, element: ElementDefinition): void {
    const path = element.path as string;
    let name = lastSegment(path);
    let definition = element;
    let nested = this.schemas.get(path);
    if (element.contentReference) {
      // R4 elementdefinition.html#ElementDefinition.contentReference: '#Questionnaire.item' reuses that
      // element's definition (and so its children) with this element's own cardinality.
      const target = element.contentReference.slice(element.contentReference.indexOf('#') + 1);
      nested = this.schemas.get(target);
      const targetElement = this.elements.get(target);
      if (targetElement) definition = { ...targetElement, path, min: element.min, max: element.max, base: element.base };
    }
    const types = definition.type ?? [];
    const isChoice = name.endsWith('[x]');
    if (isChoice) name = name.slice(0, -3);
    const choiceGroup = isChoice ? schema.choiceGroups.length : -1;
    const variants: FieldDef[] = [];
    for (const type of types) {
      const jsonName = isChoice ? name + type.code.charAt(0).toUpperCase() + type.code.slice(1) : name;
      const field = this.makeField(jsonName, definition, type, choiceGroup, isChoice ? undefined : nested);
      variants.push(field);
      schema.fields.set(field.name, field);
      if (field.kind === 'primitive' && field.allowsExtensions) schema.fields.set(field.extName, field);
      if (!isChoice) break; // a non-choice element has exactly one type in R4
    }
    if (isChoice) schema.choiceGroups.push({ label: `${name}[x]`, variants });
    if ((element.min ?? 0) >= 1 && variants.length > 0) {
      const names: string[] = [];
      for (const v of variants) {
        names.push(v.name);
        if (v.kind === 'primitive' && v.allowsExtensions) names.push(v.extName);
      }
      schema.required.push({ label: isChoice ? `${name}[x]` : name, name, names });
    }
  }

  private makeField(
    name: string,
    element: ElementDefinition,
    type: ElementDefinitionType,
    choiceGroup: number,
    nested: TypeSchema | undefined,
  ): FieldDef {
    const code = type.code;
    let kind: FieldDef['kind'];
    let typeName = code;
    let allowsExtensions = true;
    if (nested) {
      kind = 'complex';
      typeName = nested.name;
    } else if (code.startsWith(SYSTEM_TYPE_PREFIX)) {
      kind = 'primitive';
      typeName = systemTypeName(element, type);
      allowsExtensions = false;
    } else if (isPrimitiveType(code)) {
      kind = 'primitive';
      // The xhtml StructureDefinition sets xhtml.extension to 0..0: Narrative.div has no `_div`.
      allowsExtensions = code !== 'xhtml';
    } else if (code === 'Resource' || this.isResourceType(code)) {
      kind = 'resource';
    } else {
      kind = 'complex';
    }
    const binding = element.binding;
    const base = {
      name,
      extName: `_${name}`,
      elementPath: element.path as string,
      min: element.min ?? 0,
      max: parseMax(element.max),
      isArray: parseMax(element.base?.max ?? element.max) > 1,
      kind,
      typeName,
      check: kind === 'primitive' ? primitiveCheck(typeName) : undefined,
      allowsExtensions,
      choiceGroup,
      valueSetUrl:
        binding?.strength === 'required' && binding.valueSet && BOUND_TYPES.has(typeName)
          ? stripVersion(binding.valueSet)
          : undefined,
      targetTypes: code === 'Reference' ? targetTypes(type) : undefined,
      simpleQuantity: type.profile?.includes(SIMPLE_QUANTITY) === true,
      fixed: constraintValue(element, 'fixed'),
      pattern: constraintValue(element, 'pattern'),
      isContained: element.base?.path === 'DomainResource.contained',
      schema: nested,
      valueSet: undefined,
    };
    return { ...base, post: postCheck(typeName, base) };
  }
}

/** Compiles a StructureDefinition into the schemas of its type and backbone elements, keyed by path. */
export function compileStructure(
  sd: StructureDefinition,
  isResourceType: (name: string) => boolean,
): Map<string, TypeSchema> {
  return new StructureCompiler(sd, isResourceType).compile();
}
