import { isCode, isDate, isDateTime, isId, isInstant, isTime, isUri, isUrnUuid } from './formats.ts';
import { describeJson } from './json.ts';

/**
 * Checks for the FHIR R4 primitive data types as they appear in JSON (R4 datatypes.html#primitive and
 * json.html#primitive). Each check returns undefined when the value is acceptable, or a short phrase
 * describing the problem ("is not a valid date"), which the walker turns into an issue.
 */
export type PrimitiveCheck = (value: unknown) => string | undefined;

/** R4 datatypes.html#string: "strings SHALL NOT exceed 1MB (1024*1024 characters) in size". */
export const MAX_STRING_LENGTH = 1024 * 1024;

// The formats of the frequent types are checked by hand-written scanners equivalent to the published
// regular expressions (formats.ts); the rare ones use the published regex, anchored.
const OID_RE = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function stringCheck(typeName: string, test: (s: string) => boolean, maxLength = MAX_STRING_LENGTH): PrimitiveCheck {
  return (value) => {
    if (typeof value !== 'string') return `must be a JSON string (${typeName}), not ${describeJson(value)}`;
    if (value.length === 0) return 'must not be an empty string (R4 json.html: empty values are not allowed)';
    if (value.length > maxLength) return `is longer than the ${maxLength} characters allowed for ${typeName}`;
    return test(value) ? undefined : `is not a valid ${typeName}`;
  };
}

function integerCheck(typeName: string, min: number): PrimitiveCheck {
  return (value) => {
    if (typeof value !== 'number') return `must be a JSON number (${typeName}), not ${describeJson(value)}`;
    if (!Number.isInteger(value)) return `must be a whole number (${typeName})`;
    if (value < min || value > INT32_MAX) return `is outside the range ${min}..${INT32_MAX} allowed for ${typeName}`;
    return undefined;
  };
}

/** base64Binary (R4 datatypes.html#base64Binary): groups of four base-64 characters, whitespace allowed, '=' only as padding. */
function isBase64(value: string): boolean {
  let count = 0;
  let padding = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    const alphabet =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 /* + */ || c === 47; /* / */
    if (alphabet) {
      if (padding > 0) return false;
    } else if (c === 61 /* = */) {
      padding++;
      if (padding > 2) return false;
    } else {
      return false;
    }
    count++;
  }
  return count > 0 && count % 4 === 0;
}

/**
 * xhtml (R4 narrative.html#xhtml): the narrative is a single XHTML div element in the XHTML namespace.
 * Only the envelope is checked here; the permitted element/attribute list (txt-1) is not.
 */
function isXhtmlDiv(value: string): boolean {
  const start = value.search(/\S/);
  if (start < 0 || !value.startsWith('<div', start)) return false;
  const close = value.indexOf('>', start);
  if (close < 0) return false;
  const openTag = value.slice(start, close);
  if (!openTag.includes('xmlns="http://www.w3.org/1999/xhtml"')) return false;
  return value.trimEnd().endsWith('</div>') || openTag.endsWith('/');
}

const CHECKS: Record<string, PrimitiveCheck> = {
  boolean: (value) => (typeof value === 'boolean' ? undefined : `must be a JSON boolean, not ${describeJson(value)}`),
  integer: integerCheck('integer', INT32_MIN),
  unsignedInt: integerCheck('unsignedInt', 0),
  positiveInt: integerCheck('positiveInt', 1),
  decimal: (value) => {
    if (typeof value !== 'number') return `must be a JSON number (decimal), not ${describeJson(value)}`;
    return Number.isFinite(value) ? undefined : 'must be a finite number (decimal)';
  },
  string: stringCheck('string', () => true),
  markdown: stringCheck('markdown', () => true),
  code: stringCheck('code', isCode),
  id: stringCheck('id', (s) => isId(s)),
  uri: stringCheck('uri', isUri, Infinity),
  url: stringCheck('url', isUri, Infinity),
  canonical: stringCheck('canonical', isUri, Infinity),
  oid: stringCheck('oid', (s) => OID_RE.test(s), Infinity),
  uuid: stringCheck('uuid', isUrnUuid, Infinity),
  base64Binary: stringCheck('base64Binary', isBase64, Infinity),
  date: stringCheck('date', isDate, Infinity),
  dateTime: stringCheck('dateTime', isDateTime, Infinity),
  instant: stringCheck('instant', isInstant, Infinity),
  time: stringCheck('time', isTime, Infinity),
  xhtml: stringCheck('xhtml', isXhtmlDiv, Infinity),
};

/** The check for an R4 primitive type name ('date', 'code'...), or undefined when the name is not a primitive. */
export function primitiveCheck(typeName: string): PrimitiveCheck | undefined {
  return Object.hasOwn(CHECKS, typeName) ? CHECKS[typeName] : undefined;
}

export function isPrimitiveType(typeName: string): boolean {
  return Object.hasOwn(CHECKS, typeName);
}
