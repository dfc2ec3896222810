/** Helpers for untyped JSON input (R4 json.html): the validator accepts `unknown` and must never throw. */

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON kind of a value, for issue texts: 'null', 'an array', 'an object', 'a string'... */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * For `hasOwnProperty.call(obj, key)` inside `for (const key in obj)`: only own properties are JSON
 * (JSON.stringify ignores the rest), and V8 compiles this exact form inside for-in to nothing,
 * unlike Object.hasOwn.
 */
export const hasOwnProperty = Object.prototype.hasOwnProperty;
