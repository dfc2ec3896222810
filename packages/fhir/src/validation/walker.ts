import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../outcome.ts';
import { checkCodeBinding } from './bindings.ts';
import { MAX_DEPTH, quote, ValidationContext } from './context.ts';
import { equalsFixed, matchesPattern } from './fixed-pattern.ts';
import { checkContainedResource } from './invariants.ts';
import { describeJson, hasOwnProperty, isJsonObject, type JsonObject } from './json.ts';
import type { SchemaRegistry } from './schema-registry.ts';
import type { FieldDef, TypeSchema } from './schema.ts';

/**
 * The validation walk: one pass over the JSON, driven by the precompiled schemas. Rules follow
 * R4 json.html (representation), elementdefinition.html (cardinality, types, fixed/pattern),
 * terminologies.html#required and references.html. Nothing is allocated on the happy path apart
 * from the per-call context; paths and texts are built only when an issue is reported.
 */

/** How an object's emptiness is judged (ele-1: "All FHIR elements must have a @value or children"). */
type ObjectRole =
  /** A resource: may be otherwise empty. */
  | 'resource'
  /** A complex element: needs at least one property besides id. */
  | 'element'
  /** The `_name` object of a primitive that has a value: id alone is enough. */
  | 'primitive-with-value'
  /** The `_name` object of a primitive without a value: must carry extensions. */
  | 'primitive-without-value';

const MAX_KEY_IN_EXPRESSION = 100;

function containedIds(contained: unknown): Set<string> | undefined {
  if (!Array.isArray(contained)) return undefined;
  const ids = new Set<string>();
  for (const resource of contained) {
    if (isJsonObject(resource) && typeof resource.id === 'string') ids.add(resource.id);
  }
  return ids;
}

function isPresent(obj: JsonObject, names: readonly string[]): boolean {
  for (const name of names) if (obj[name] !== undefined) return true;
  return false;
}

/** Validates a resource (json.html#resources) in the current container scope. */
function walkResource(ctx: ValidationContext, schema: TypeSchema, resource: JsonObject, contained: boolean): void {
  const savedIds = ctx.containedIds;
  const savedConditional = ctx.conditionalReferences;
  if (contained) {
    // A contained resource shares its container's local ids (references.html#contained).
    checkContainedResource(ctx, resource);
  } else {
    ctx.containedIds = containedIds(resource.contained);
  }
  if (schema.name === 'Bundle') {
    ctx.conditionalReferences = savedConditional || resource.type === 'transaction' || resource.type === 'batch';
  }
  walkObject(ctx, schema, resource, 'resource');
  ctx.containedIds = savedIds;
  ctx.conditionalReferences = savedConditional;
}

function walkObject(ctx: ValidationContext, schema: TypeSchema, obj: JsonObject, role: ObjectRole): void {
  if (ctx.depth >= MAX_DEPTH) {
    ctx.report('too-costly', `The content is nested more than ${MAX_DEPTH} levels deep and was not validated.`);
    return;
  }
  ctx.depth++;
  const fields = schema.fields;
  let known = 0;
  let unknown = 0;
  let hasId = false;
  let choicesSeen = 0;
  let choicesRepeated = 0;
  for (const key in obj) {
    if (ctx.stopped) break;
    if (!hasOwnProperty.call(obj, key)) continue;
    const value = obj[key];
    if (value === undefined) continue; // not representable in JSON: treated as absent
    const field = fields.get(key);
    if (field === undefined) {
      if (role === 'resource' && key === 'resourceType') continue;
      unknown++;
      // A hostile key may be megabytes long; the expression keeps a bounded prefix of it.
      const name = key.length > MAX_KEY_IN_EXPRESSION ? `${key.slice(0, MAX_KEY_IN_EXPRESSION)}...` : key;
      ctx.report('structure', `Unknown property ${quote(key)}: ${schema.name} has no such element.`, name);
      continue;
    }
    if (key === 'id') hasId = true;
    else known++;
    const group = field.choiceGroup;
    if (group >= 0 && group < 31) {
      const bit = 1 << group;
      if ((choicesSeen & bit) !== 0) choicesRepeated |= bit;
      choicesSeen |= bit;
    }
    if (key === field.name) walkProperty(ctx, field, value, obj);
    else walkPrimitiveElement(ctx, field, value, obj[field.name]);
  }
  ctx.depth--;
  if (ctx.stopped) return;
  if (choicesRepeated !== 0) reportChoiceConflicts(ctx, schema, obj, choicesRepeated);
  for (const required of schema.required) {
    if (!isPresent(obj, required.names)) {
      ctx.report('required', `Missing required element '${required.label}' (${schema.name} requires it).`, required.name);
    }
  }
  if (known === 0 && unknown === 0 && role !== 'resource') {
    if (!hasId) {
      ctx.report('structure', 'Empty objects are not allowed (R4 json.html); omit the property instead.');
    } else if (role !== 'primitive-with-value') {
      ctx.report('invariant', 'ele-1: An element must have a value or children other than id.');
    }
  } else if (role === 'primitive-without-value' && obj.extension === undefined && unknown === 0) {
    ctx.report('invariant', 'ele-1: A primitive element without a value must have extensions.');
  }
  if (schema.post !== undefined && !ctx.stopped) schema.post(ctx, obj);
}

/** json.html#choice: only one of value[x]'s forms may appear. Called only when a group was seen twice. */
function reportChoiceConflicts(ctx: ValidationContext, schema: TypeSchema, obj: JsonObject, groups: number): void {
  schema.choiceGroups.forEach((group, index) => {
    if ((groups & (1 << index)) === 0) return;
    // In JSON order, so that the issue points at the variant that came second.
    const present: FieldDef[] = [];
    for (const key in obj) {
      if (!hasOwnProperty.call(obj, key)) continue;
      const field = schema.fields.get(key);
      if (field !== undefined && field.choiceGroup === index && !present.includes(field)) present.push(field);
    }
    if (present.length > 1) {
      const names = present.map((v) => v.name).join(', ');
      ctx.report('structure', `Only one form of ${group.label} may be present; found ${names}.`, present[1].name);
    }
  });
}

/** A property and its value: array-ness, cardinality, nulls (json.html#cardinality, #primitive). */
function walkProperty(ctx: ValidationContext, field: FieldDef, value: unknown, obj: JsonObject): void {
  ctx.path.push(field.name);
  if (Array.isArray(value)) {
    if (!field.isArray) {
      ctx.report('structure', `'${field.name}' takes a single value (max 1), not an array.`);
    } else if (value.length === 0) {
      ctx.report('structure', 'Empty arrays are not allowed (R4 json.html); omit the property instead.');
    } else {
      if (value.length > field.max) {
        ctx.report('structure', `'${field.name}' allows at most ${field.max} values; found ${value.length}.`);
      }
      if (value.length < field.min) {
        ctx.report('required', `'${field.name}' needs at least ${field.min} values; found ${value.length}.`);
      }
      const extensions = field.kind === 'primitive' ? obj[field.extName] : undefined;
      for (let i = 0; i < value.length && !ctx.stopped; i++) {
        ctx.path.index(i);
        const item: unknown = value[i];
        if (item === null || item === undefined) {
          // With a _name array, a null here is checked against it by walkPrimitiveElement.
          if (!Array.isArray(extensions)) {
            ctx.report(
              'structure',
              `null is only allowed in an array of primitives when _${field.name} has an element at the same index.`,
            );
          }
        } else {
          walkValue(ctx, field, item);
        }
      }
    }
  } else if (value === null) {
    ctx.report('structure', 'null is not allowed as a value (R4 json.html); omit the property instead.');
  } else {
    if (field.isArray) ctx.report('structure', `'${field.name}' must be a JSON array (it repeats).`);
    walkValue(ctx, field, value);
  }
  ctx.path.pop();
}

/** One value of a property, at the current path. */
function walkValue(ctx: ValidationContext, field: FieldDef, value: unknown): void {
  if (field.kind === 'primitive') {
    const problem = field.check?.(value);
    if (problem !== undefined) {
      const subject = typeof value === 'object' || typeof value === 'function' ? 'This element' : `The value ${quote(value)}`;
      ctx.report('value', `${subject} ${problem}.`);
      return;
    }
    if (field.valueSetUrl !== undefined) checkCodeBinding(ctx, field, value as string);
  } else if (!isJsonObject(value)) {
    ctx.report('structure', `Expected a JSON object (${field.typeName}), not ${describeJson(value)}.`);
    return;
  } else if (field.kind === 'resource') {
    walkInlineResource(ctx, field, value);
    return;
  } else {
    const schema = field.schema ?? (field.schema = ctx.registry.dataType(field.typeName));
    if (schema === undefined) return;
    walkObject(ctx, schema, value, 'element');
    if (field.post !== undefined && !ctx.stopped) field.post(ctx, field, value);
  }
  if (field.fixed !== undefined && !equalsFixed(value, field.fixed)) {
    ctx.report('value', `The value must be exactly ${quote(field.fixed)} (fixed by ${field.elementPath}).`);
  }
  if (field.pattern !== undefined && !matchesPattern(value, field.pattern)) {
    ctx.report('value', `The value must match the pattern ${quote(field.pattern)} (set by ${field.elementPath}).`);
  }
}

/** A resource held by an element: contained, Bundle.entry.resource, Parameters.parameter.resource... */
function walkInlineResource(ctx: ValidationContext, field: FieldDef, value: JsonObject): void {
  const type = value.resourceType;
  if (typeof type !== 'string') {
    ctx.report('required', 'A resource must have a resourceType (R4 json.html#resources).', 'resourceType');
    return;
  }
  const schema = ctx.registry.resource(type);
  if (schema === undefined) {
    ctx.report('invalid', `Unknown resource type ${quote(type)}: not an R4 resource type.`, 'resourceType');
  } else if (field.typeName !== 'Resource' && field.typeName !== type) {
    ctx.report('invalid', `Expected a ${field.typeName} resource here, not ${type}.`, 'resourceType');
  } else {
    walkResource(ctx, schema, value, field.isContained);
  }
}

/** `_name`: the id/extension half of a primitive, aligned with its values for arrays (json.html#primitive). */
function walkPrimitiveElement(ctx: ValidationContext, field: FieldDef, elements: unknown, values: unknown): void {
  ctx.path.push(field.name);
  if (elements === null) {
    ctx.report('structure', `null is not allowed for _${field.name}; omit the property instead.`);
  } else if (!Array.isArray(elements)) {
    if (field.isArray) {
      ctx.report('structure', `_${field.name} must be an array aligned with ${field.name}.`);
    } else {
      walkElementObject(ctx, elements, values !== undefined && values !== null);
    }
  } else if (!field.isArray) {
    ctx.report('structure', `_${field.name} must be a single object, not an array (max 1).`);
  } else if (elements.length === 0) {
    ctx.report('structure', 'Empty arrays are not allowed (R4 json.html); omit the property instead.');
  } else {
    const valueArray = Array.isArray(values) ? values : undefined;
    if (values !== undefined && valueArray?.length !== elements.length) {
      ctx.report('structure', `_${field.name} must have exactly as many entries as ${field.name}.`);
    }
    for (let i = 0; i < elements.length && !ctx.stopped; i++) {
      const element: unknown = elements[i];
      const value: unknown = valueArray?.[i];
      const hasValue = value !== undefined && value !== null;
      if (element === null || element === undefined) {
        if (!hasValue) {
          ctx.path.index(i);
          ctx.report('structure', `Entry ${i} is null in both ${field.name} and _${field.name}.`);
        }
        continue;
      }
      ctx.path.index(i);
      walkElementObject(ctx, element, hasValue);
    }
  }
  ctx.path.pop();
}

function walkElementObject(ctx: ValidationContext, element: unknown, hasValue: boolean): void {
  if (!isJsonObject(element)) {
    ctx.report('structure', `Expected a JSON object with id and/or extension, not ${describeJson(element)}.`);
    return;
  }
  walkObject(ctx, ctx.registry.primitiveElement(), element, hasValue ? 'primitive-with-value' : 'primitive-without-value');
}

/** Validates any JSON value as an R4 resource against `registry`; see validateResource. */
export function validateWithRegistry(registry: SchemaRegistry, resource: unknown): OperationOutcomeIssue[] {
  const ctx = new ValidationContext(registry);
  try {
    if (!isJsonObject(resource)) {
      ctx.report('structure', `A resource must be a JSON object, not ${describeJson(resource)}.`, 'Resource');
    } else if (typeof resource.resourceType !== 'string') {
      ctx.report('required', 'The resource has no resourceType (R4 json.html#resources).', 'Resource.resourceType');
    } else {
      const schema = registry.resource(resource.resourceType);
      if (schema === undefined) {
        ctx.report(
          'invalid',
          `Unknown resource type ${quote(resource.resourceType)}: not an R4 resource type.`,
          'Resource.resourceType',
        );
      } else {
        ctx.path.push(resource.resourceType);
        walkResource(ctx, schema, resource, false);
      }
    }
  } catch (err) {
    // Only reachable for input that is not plain JSON (throwing getters, proxies): report, never throw.
    const message = err instanceof Error ? err.message : String(err);
    ctx.issues.push(issue('exception', `The resource could not be validated: ${message}`, 'Resource'));
  }
  return ctx.issues;
}
