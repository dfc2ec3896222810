import { quote, type ValidationContext } from './context.ts';
import { isJsonObject, type JsonObject } from './json.ts';
import type { FieldDef } from './schema.ts';
import { expandValueSet, type ExpandedValueSet } from './value-sets.ts';

/**
 * Required bindings (R4 terminologies.html#required: "To be conformant, the concept in this element
 * SHALL be from the specified value set"), for elements of type code, Coding and CodeableConcept.
 * Value sets that cannot be expanded locally are not enforced (see value-sets.ts).
 */

function expansion(field: FieldDef): ExpandedValueSet | null {
  if (field.valueSet === undefined) field.valueSet = field.valueSetUrl ? expandValueSet(field.valueSetUrl) : null;
  return field.valueSet;
}

function notInValueSet(code: unknown, valueSet: ExpandedValueSet): string {
  return typeof code === 'string'
    ? `The code ${quote(code)} is not in the required value set ${valueSet.url}.`
    : `A code from the required value set ${valueSet.url} is needed.`;
}

/** A `code` element: the code must be one of the value set's codes. */
export function checkCodeBinding(ctx: ValidationContext, field: FieldDef, code: string): void {
  const valueSet = expansion(field);
  if (valueSet && !valueSet.codes.has(code)) {
    ctx.report('code-invalid', notInValueSet(code, valueSet));
  }
}

/** A Coding: its system must be one the value set draws on, and its code one of that system's codes. */
export function checkCodingBinding(ctx: ValidationContext, field: FieldDef, coding: JsonObject): void {
  const valueSet = expansion(field);
  if (!valueSet) return;
  const { system, code } = coding;
  const codes = typeof system === 'string' ? valueSet.bySystem.get(system) : undefined;
  if (!codes) {
    ctx.report('code-invalid', `The coding must use a system from the required value set ${valueSet.url}.`, 'system');
  } else if (typeof code !== 'string' || !codes.has(code)) {
    ctx.report('code-invalid', notInValueSet(code, valueSet), 'code');
  }
}

/**
 * A CodeableConcept: every coding in a system of the value set must carry one of its codes, and at least
 * one coding must come from the value set (codings from other systems are allowed as translations).
 */
export function checkCodeableConceptBinding(ctx: ValidationContext, field: FieldDef, concept: JsonObject): void {
  const valueSet = expansion(field);
  if (!valueSet) return;
  const codings = concept.coding;
  let boundSystemSeen = false;
  if (Array.isArray(codings)) {
    for (let i = 0; i < codings.length; i++) {
      const coding: unknown = codings[i];
      if (!isJsonObject(coding) || typeof coding.system !== 'string') continue;
      const codes = valueSet.bySystem.get(coding.system);
      if (!codes) continue;
      boundSystemSeen = true;
      if (typeof coding.code !== 'string' || !codes.has(coding.code)) {
        ctx.report('code-invalid', notInValueSet(coding.code, valueSet), `coding[${i}].code`);
      }
    }
  }
  if (!boundSystemSeen) {
    ctx.report('code-invalid', `At least one coding must come from the required value set ${valueSet.url}.`);
  }
}
