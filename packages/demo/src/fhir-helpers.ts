import type { CodeableConcept, Coding, Quantity, Reference, Resource } from '@medplum/fhirtypes';
import { SYSTEMS } from './systems.ts';

/** A code with its display, as kept in the code tables. */
export interface Code {
  readonly code: string;
  readonly display: string;
}

export function coding(system: string, code: Code): Coding {
  return { system, code: code.code, display: code.display };
}

export function concept(system: string, code: Code, text?: string): CodeableConcept {
  return { coding: [coding(system, code)], text: text ?? code.display };
}

/** A literal reference `Type/id`; the target type is inferred from where the reference goes. */
export function ref<T extends Resource = Resource>(type: T['resourceType'], id: string, display?: string): Reference<T> {
  return display === undefined ? { reference: `${type}/${id}` } : { reference: `${type}/${id}`, display };
}

/** A UCUM quantity; `unit` defaults to the UCUM code. */
export function ucum(value: number, code: string, unit = code): Quantity {
  return { value, unit, system: SYSTEMS.ucum, code };
}

export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
