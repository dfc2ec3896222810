/**
 * ElementDefinition.fixed[x] and pattern[x] (R4 elementdefinition-definitions.html#ElementDefinition.fixed_x_
 * and #ElementDefinition.pattern_x_). fixed: the value must be exactly equal, arrays in the same order.
 * pattern: every property present in the pattern must be present with a matching value; for arrays,
 * every item of the pattern must match some item of the value.
 */

export function equalsFixed(value: unknown, fixed: unknown): boolean {
  if (value === fixed) return true;
  if (typeof value !== 'object' || typeof fixed !== 'object' || value === null || fixed === null) return false;
  if (Array.isArray(value) !== Array.isArray(fixed)) return false;
  if (Array.isArray(value) && Array.isArray(fixed)) {
    return value.length === fixed.length && value.every((item, i) => equalsFixed(item, fixed[i]));
  }
  const a = value as Record<string, unknown>;
  const b = fixed as Record<string, unknown>;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && equalsFixed(a[key], b[key]));
}

export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (value === pattern) return true;
  if (typeof value !== 'object' || typeof pattern !== 'object' || value === null || pattern === null) return false;
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.every((p) => value.some((v) => matchesPattern(v, p)));
  }
  if (Array.isArray(value)) return false;
  const a = value as Record<string, unknown>;
  const p = pattern as Record<string, unknown>;
  return Object.keys(p).every((key) => matchesPattern(a[key], p[key]));
}
