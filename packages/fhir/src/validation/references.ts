import { quote, type ValidationContext } from './context.ts';
import { isId, isUrnUuid } from './formats.ts';
import type { JsonObject } from './json.ts';
import type { FieldDef } from './schema.ts';

/**
 * Reference.reference (R4 references.html#literal). Accepted forms:
 * - relative `Type/id` or `Type/id/_history/vid`, Type a known R4 resource type allowed by the element's
 *   targetProfile (references.html#Reference: "Reference(Patient|Group)");
 * - an absolute URL (scheme://...), whose target is not checked;
 * - `#id` naming a resource contained in the same container, or `#` for the container itself
 *   (references.html#contained, invariant ref-1);
 * - `urn:uuid:` and `urn:oid:` (bundle.html#references; resolved by the server);
 * - inside a transaction or batch Bundle, a conditional reference `Type?query` (http.html#trules).
 */

const ABSOLUTE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/;
const URN_OID = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;
const HISTORY = '/_history/';

function checkTargetType(ctx: ValidationContext, field: FieldDef, type: string): void {
  if (!ctx.registry.isResourceType(type)) {
    ctx.report('value', `The reference names ${quote(type)}, which is not an R4 resource type.`, 'reference');
  } else if (field.targetTypes !== undefined && !field.targetTypes.has(type)) {
    const allowed = [...field.targetTypes].join(', ');
    ctx.report('invalid', `A reference to ${type} is not allowed here; allowed targets: ${allowed}.`, 'reference');
  }
}

/** `Type/id` or `Type/id/_history/vid`: returns the length of Type, or -1. */
function relativeTypeLength(reference: string): number {
  const slash = reference.indexOf('/');
  if (slash < 1) return -1;
  for (let i = 0; i < slash; i++) {
    const c = reference.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return -1;
  }
  const history = reference.indexOf(HISTORY, slash);
  if (history < 0) return isId(reference, slash + 1) ? slash : -1;
  return isId(reference.slice(slash + 1, history)) && isId(reference, history + HISTORY.length) ? slash : -1;
}

export function checkReference(ctx: ValidationContext, field: FieldDef, value: JsonObject): void {
  const reference = value.reference;
  // Non-strings and empty strings were already reported by the primitive check on Reference.reference.
  if (typeof reference !== 'string' || reference.length === 0) return;
  if (reference.startsWith('urn:')) {
    if (isUrnUuid(reference) || URN_OID.test(reference)) return;
  } else if (reference.charCodeAt(0) === 35 /* # */) {
    if (reference.length > 1 && !ctx.containedIds?.has(reference.slice(1))) {
      ctx.report(
        'invalid',
        `The local reference ${quote(reference)} does not match the id of a contained resource (ref-1).`,
        'reference',
      );
    }
    return;
  } else if (reference.includes('://')) {
    if (ABSOLUTE_URL.test(reference)) return;
  } else {
    const typeLength = relativeTypeLength(reference);
    if (typeLength > 0) {
      checkTargetType(ctx, field, reference.slice(0, typeLength));
      return;
    }
    const question = reference.indexOf('?');
    if (ctx.conditionalReferences && question > 0 && relativeTypeLength(`${reference.slice(0, question)}/x`) > 0) {
      checkTargetType(ctx, field, reference.slice(0, question));
      return;
    }
  }
  ctx.report(
    'value',
    `${quote(reference)} is not a valid reference: expected Type/id, an absolute URL, #id, urn:uuid: or urn:oid:.`,
    'reference',
  );
}
