import { quote, type ValidationContext } from './context.ts';
import { hasOwnProperty, isJsonObject, type JsonObject } from './json.ts';
import type { FieldDef, SchemaCheck } from './schema.ts';

/**
 * The few R4 invariants checked by hand because they matter and cost almost nothing. The FHIRPath
 * constraints of the StructureDefinitions are otherwise not evaluated. ele-1 ("All FHIR elements must
 * have a @value or children") is enforced by the walker's empty-value rules.
 */

/** ext-1 (R4 extensibility.html#Extension): "Must have either extensions or value[x], not both". */
function ext1(ctx: ValidationContext, extension: JsonObject): void {
  let hasValue = false;
  for (const key in extension) {
    if (!hasOwnProperty.call(extension, key)) continue;
    if (key.startsWith('value') || key.startsWith('_value')) {
      hasValue = true;
      break;
    }
  }
  const hasExtensions = extension.extension !== undefined;
  if (hasValue && hasExtensions) {
    ctx.report('invariant', 'ext-1: An extension must have either nested extensions or a value[x], not both.');
  } else if (!hasValue && !hasExtensions) {
    ctx.report('invariant', 'ext-1: An extension must have either a value[x] or nested extensions.');
  }
}

/**
 * bdl-7 (R4 bundle.html#invs): "FullUrl must be unique in a bundle, or else entries with the same fullUrl
 * must have different meta.versionId (except in history bundles)".
 */
function bdl7(ctx: ValidationContext, bundle: JsonObject): void {
  const entries = bundle.entry;
  if (!Array.isArray(entries) || bundle.type === 'history') return;
  let seen: Set<string> | undefined;
  for (let i = 0; i < entries.length; i++) {
    const entry: unknown = entries[i];
    if (!isJsonObject(entry) || typeof entry.fullUrl !== 'string') continue;
    const meta = isJsonObject(entry.resource) ? entry.resource.meta : undefined;
    const versionId = isJsonObject(meta) && typeof meta.versionId === 'string' ? meta.versionId : '';
    const key = `${entry.fullUrl}|${versionId}`;
    seen ??= new Set();
    if (seen.has(key)) {
      ctx.report('invariant', `bdl-7: The fullUrl ${quote(entry.fullUrl)} appears more than once in the Bundle.`, `entry[${i}].fullUrl`);
    }
    seen.add(key);
  }
}

/** Invariants run on every object of the named type once it has been walked. */
export const SCHEMA_CHECKS: ReadonlyMap<string, SchemaCheck> = new Map([
  ['Extension', ext1],
  ['Bundle', bdl7],
]);

/** sqty-1 (R4 datatypes.html#SimpleQuantity): "The comparator is not used on a SimpleQuantity". */
export function checkSimpleQuantity(ctx: ValidationContext, _field: FieldDef, quantity: JsonObject): void {
  if (quantity.comparator !== undefined) {
    ctx.report('invariant', 'sqty-1: A comparator is not allowed here (SimpleQuantity).', 'comparator');
  }
}

/**
 * Rules for a resource inside DomainResource.contained (R4 domainresource.html#invs):
 * dom-2 no nested contained resources, dom-4 no meta.versionId or meta.lastUpdated, dom-5 no meta.security.
 */
export function checkContainedResource(ctx: ValidationContext, resource: JsonObject): void {
  if (resource.contained !== undefined) {
    ctx.report('invariant', 'dom-2: A contained resource must not contain other resources.', 'contained');
  }
  const meta = resource.meta;
  if (!isJsonObject(meta)) return;
  if (meta.versionId !== undefined || meta.lastUpdated !== undefined) {
    ctx.report('invariant', 'dom-4: A contained resource must not have meta.versionId or meta.lastUpdated.', 'meta');
  }
  if (meta.security !== undefined) {
    ctx.report('invariant', 'dom-5: A contained resource must not have a security label.', 'meta.security');
  }
}
