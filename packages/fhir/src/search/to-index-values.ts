import type { Resource } from '@medplum/fhirtypes';
import { isResourceTypeName, isSubtypeOf } from './element-types.ts';
import { dateRangeMs, formatInstant } from './fhir-date.ts';
import { decimalRange } from './fhir-number.ts';
import type { IndexValue, QuantityIndexValue, ReferenceIndexValue, TokenIndexValue } from './index-value.ts';
import { findContained, parseReference } from './reference-parts.ts';
import type { SearchParamType } from './parameters.ts';

/**
 * Conversion of FHIR values of a known type into index values of a search parameter type. The compiler knows
 * the FHIR type of every plan statically, so a converter is chosen once per (parameter type, FHIR type) pair.
 */
export type Converter = (value: unknown, root: Resource, out: IndexValue[]) => void;

type Json = Record<string, unknown>;

const STRING_PRIMITIVES = new Set(['string', 'code', 'id', 'markdown', 'uri', 'url', 'canonical', 'oid', 'uuid', 'base64Binary']);
const NUMBER_PRIMITIVES = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);
const DATE_PRIMITIVES = new Set(['date', 'dateTime', 'instant']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

// ---- token (search.html#token) ----

function pushCoding(c: Json, out: IndexValue[]): void {
  const system = str(c.system);
  const code = str(c.code);
  const display = str(c.display);
  if (!system && !code && !display) return;
  const v: TokenIndexValue = { kind: 'token' };
  if (system) v.system = system;
  if (code) v.code = code;
  if (display) v.display = display;
  out.push(v);
}

const tokenFromCoding: Converter = (value, _root, out) => pushCoding(value as Json, out);

const tokenFromCodeableConcept: Converter = (value, _root, out) => {
  const cc = value as Json;
  for (const c of arr(cc.coding)) if (c && typeof c === 'object') pushCoding(c as Json, out);
  const text = str(cc.text);
  if (text) out.push({ kind: 'token', display: text });
};

/** Identifier: system|value, Identifier.type.text for :text, one entry per type coding for :of-type. */
const tokenFromIdentifier: Converter = (value, _root, out) => {
  const id = value as Json;
  const system = str(id.system);
  const code = str(id.value);
  if (!system && !code) return;
  const type = id.type as Json | undefined;
  const base: TokenIndexValue = { kind: 'token' };
  if (system) base.system = system;
  if (code) base.code = code;
  const display = str(type?.text);
  if (display) base.display = display;
  const typeCodings = arr(type?.coding) as Json[];
  if (typeCodings.length === 0) {
    out.push(base);
    return;
  }
  for (const c of typeCodings) {
    const v: TokenIndexValue = { ...base };
    const typeSystem = str(c?.system);
    const typeCode = str(c?.code);
    if (typeSystem) v.typeSystem = typeSystem;
    if (typeCode) v.typeCode = typeCode;
    out.push(v);
  }
};

/** ContactPoint: the value is the code; R4's token table gives no system for ContactPoint. */
const tokenFromContactPoint: Converter = (value, _root, out) => {
  const code = str((value as Json).value);
  if (code) out.push({ kind: 'token', code });
};

/** Reference searched as a token: its logical identifier (the only token-like part of a Reference). */
const tokenFromReference: Converter = (value, root, out) => {
  const identifier = (value as Json).identifier;
  if (identifier && typeof identifier === 'object') tokenFromIdentifier(identifier, root, out);
};

/** code, string, id, uri, boolean... : the value is the code, the system is implicit (not indexed). */
const tokenFromPrimitive: Converter = (value, _root, out) => {
  if (typeof value === 'string') {
    if (value.length > 0) out.push({ kind: 'token', code: value });
  } else if (typeof value === 'boolean' || typeof value === 'number') {
    out.push({ kind: 'token', code: String(value) });
  }
};

/** A `code` whose system is implicit in its required binding (search.html#token: "code: the system is implicit"). */
export function tokenFromBoundCode(system: string): Converter {
  return (value, _root, out) => {
    if (typeof value === 'string' && value.length > 0) out.push({ kind: 'token', system, code: value });
  };
}

// ---- string (search.html#string) ----

function pushString(v: unknown, out: IndexValue[]): void {
  if (typeof v === 'string' && v.length > 0) out.push({ kind: 'string', value: v });
}

const stringFromPrimitive: Converter = (value, _root, out) => pushString(value, out);

/** HumanName: family, given, prefix, suffix and text, each a separate value. */
const stringFromHumanName: Converter = (value, _root, out) => {
  const n = value as Json;
  pushString(n.family, out);
  for (const g of arr(n.given)) pushString(g, out);
  for (const p of arr(n.prefix)) pushString(p, out);
  for (const s of arr(n.suffix)) pushString(s, out);
  pushString(n.text, out);
};

/** Address: line, city, district, state, postalCode, country and text. */
const stringFromAddress: Converter = (value, _root, out) => {
  const a = value as Json;
  for (const l of arr(a.line)) pushString(l, out);
  pushString(a.city, out);
  pushString(a.district, out);
  pushString(a.state, out);
  pushString(a.postalCode, out);
  pushString(a.country, out);
  pushString(a.text, out);
};

const stringFromCodeableConcept: Converter = (value, _root, out) => {
  const cc = value as Json;
  pushString(cc.text, out);
  for (const c of arr(cc.coding)) pushString((c as Json | null)?.display, out);
};

const stringFromCoding: Converter = (value, _root, out) => pushString((value as Json).display, out);

// ---- date (search.html#date) ----

const dateFromPrimitive: Converter = (value, _root, out) => {
  if (typeof value !== 'string') return;
  const r = dateRangeMs(value);
  if (r) out.push({ kind: 'date', start: formatInstant(r[0]), end: formatInstant(r[1]) });
};

/** Period: open start → '-infinity', open end → 'infinity' (search.html#date, Period). */
function periodMs(p: Json): [number, number] | undefined {
  const start = typeof p.start === 'string' ? dateRangeMs(p.start) : undefined;
  const end = typeof p.end === 'string' ? dateRangeMs(p.end) : undefined;
  if (!start && !end) return undefined;
  return [start ? start[0] : -Infinity, end ? end[1] : Infinity];
}

const dateFromPeriod: Converter = (value, _root, out) => {
  const r = periodMs(value as Json);
  if (r) out.push({ kind: 'date', start: formatInstant(r[0]), end: formatInstant(r[1]) });
};

/** Timing: only the outer limits count — the earliest event/bounds start to the latest event/bounds end. */
const dateFromTiming: Converter = (value, _root, out) => {
  const t = value as Json;
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of arr(t.event)) {
    const r = typeof e === 'string' ? dateRangeMs(e) : undefined;
    if (r) {
      lo = Math.min(lo, r[0]);
      hi = Math.max(hi, r[1]);
    }
  }
  const bounds = (t.repeat as Json | undefined)?.boundsPeriod as Json | undefined;
  const b = bounds ? periodMs(bounds) : undefined;
  if (b) {
    lo = Math.min(lo, b[0]);
    hi = Math.max(hi, b[1]);
  }
  if (lo <= hi) out.push({ kind: 'date', start: formatInstant(lo), end: formatInstant(hi) });
};

// ---- number and quantity (search.html#number, #quantity) ----

function numberRange(v: unknown): { value: number; low: number; high: number } | undefined {
  return typeof v === 'number' ? decimalRange(String(v)) : undefined;
}

const numberFromPrimitive: Converter = (value, _root, out) => {
  const r = numberRange(value);
  if (r) out.push({ kind: 'number', value: r.value, low: r.low, high: r.high });
};

/** Range: [low, high] widened by the precision of each bound; a missing bound is open. */
function rangeBounds(range: Json): { value: number; low: number; high: number; unitFrom: Json } | undefined {
  const low = range.low as Json | undefined;
  const high = range.high as Json | undefined;
  const lo = numberRange(low?.value);
  const hi = numberRange(high?.value);
  const value = lo?.value ?? hi?.value;
  if (value === undefined) return undefined;
  return {
    value,
    low: lo ? lo.low : -Infinity,
    high: hi ? hi.high : Infinity,
    unitFrom: (lo ? low : high) as Json,
  };
}

const numberFromRange: Converter = (value, _root, out) => {
  const r = rangeBounds(value as Json);
  if (r) out.push({ kind: 'number', value: r.value, low: r.low, high: r.high });
};

function withUnit(v: QuantityIndexValue, q: Json): QuantityIndexValue {
  const system = str(q.system);
  const code = str(q.code);
  const unit = str(q.unit);
  if (system) v.system = system;
  if (code) v.code = code;
  if (unit) v.unit = unit;
  return v;
}

/** Quantity and its specialisations (Age, Duration, ...); a comparator opens one side (`<5` is (-inf, 5.5)). */
const quantityFromQuantity: Converter = (value, _root, out) => {
  const q = value as Json;
  const r = numberRange(q.value);
  if (!r) return;
  let { low, high } = r;
  if (q.comparator === '<' || q.comparator === '<=') low = -Infinity;
  if (q.comparator === '>' || q.comparator === '>=') high = Infinity;
  out.push(withUnit({ kind: 'quantity', value: r.value, low, high }, q));
};

const quantityFromRange: Converter = (value, _root, out) => {
  const r = rangeBounds(value as Json);
  if (r) out.push(withUnit({ kind: 'quantity', value: r.value, low: r.low, high: r.high }, r.unitFrom));
};

/** Money: the currency is a code of urn:iso:std:iso:4217. */
const quantityFromMoney: Converter = (value, _root, out) => {
  const m = value as Json;
  const r = numberRange(m.value);
  if (!r) return;
  const v: QuantityIndexValue = { kind: 'quantity', value: r.value, low: r.low, high: r.high };
  const currency = str(m.currency);
  if (currency) {
    v.system = 'urn:iso:std:iso:4217';
    v.code = currency;
  }
  out.push(v);
};

/** SampledData has no single value to compare with; it is indexed as nothing. */
const nothing: Converter = () => undefined;

// ---- uri (search.html#uri) ----

const uriFromPrimitive: Converter = (value, _root, out) => {
  if (typeof value === 'string' && value.length > 0) out.push({ kind: 'uri', value });
};

// ---- reference (search.html#reference) ----

const referenceFromReference: Converter = (value, root, out) => {
  const ref = value as Json;
  const v: ReferenceIndexValue = { kind: 'reference' };
  const text = str(ref.reference);
  if (text) {
    const parts = parseReference(text);
    v.reference = parts.reference;
    if (parts.type) v.type = parts.type;
    if (parts.id) v.id = parts.id;
    if (text.startsWith('#')) {
      const contained = findContained(root, text);
      if (contained) v.type = contained.resourceType;
    }
  }
  const type = str(ref.type);
  if (type && !v.type) v.type = type;
  const identifier = ref.identifier as Json | undefined;
  if (identifier && typeof identifier === 'object') {
    const system = str(identifier.system);
    const idValue = str(identifier.value);
    if (system || idValue) {
      v.identifier = {};
      if (system) v.identifier.system = system;
      if (idValue) v.identifier.value = idValue;
    }
  }
  if (v.reference || v.identifier) out.push(v);
};

/** canonical / uri targets of reference parameters (e.g. ConceptMap.source[x], Measure.library). */
const referenceFromCanonical: Converter = (value, _root, out) => {
  if (typeof value !== 'string' || value.length === 0) return;
  const parts = parseReference(value, true);
  out.push({ kind: 'reference', ...parts });
};

/** A resource in a reference parameter (Bundle.entry[0].resource for Bundle `composition`/`message`). */
const referenceFromResource: Converter = (value, _root, out) => {
  const r = value as Json;
  const type = str(r.resourceType);
  const id = str(r.id);
  if (type && id) out.push({ kind: 'reference', reference: `${type}/${id}`, type, id });
};

/** The converter for values of FHIR type `fhirType` in a parameter of type `paramType`, if the pair makes sense. */
export function converterFor(paramType: SearchParamType, fhirType: string): Converter | undefined {
  const sub = (t: string): boolean => isSubtypeOf(fhirType, t);
  switch (paramType) {
    case 'token':
      if (fhirType === 'Coding') return tokenFromCoding;
      if (fhirType === 'CodeableConcept') return tokenFromCodeableConcept;
      if (fhirType === 'Identifier') return tokenFromIdentifier;
      if (fhirType === 'ContactPoint') return tokenFromContactPoint;
      if (fhirType === 'Reference') return tokenFromReference;
      if (STRING_PRIMITIVES.has(fhirType) || fhirType === 'boolean' || NUMBER_PRIMITIVES.has(fhirType)) return tokenFromPrimitive;
      return undefined;
    case 'string':
      if (STRING_PRIMITIVES.has(fhirType)) return stringFromPrimitive;
      if (fhirType === 'HumanName') return stringFromHumanName;
      if (fhirType === 'Address') return stringFromAddress;
      if (fhirType === 'CodeableConcept') return stringFromCodeableConcept;
      if (fhirType === 'Coding') return stringFromCoding;
      return undefined;
    case 'date':
      if (DATE_PRIMITIVES.has(fhirType)) return dateFromPrimitive;
      if (fhirType === 'Period') return dateFromPeriod;
      if (fhirType === 'Timing') return dateFromTiming;
      return undefined;
    case 'number':
      if (NUMBER_PRIMITIVES.has(fhirType)) return numberFromPrimitive;
      if (fhirType === 'Range') return numberFromRange;
      return undefined;
    case 'quantity':
      if (sub('Quantity')) return quantityFromQuantity;
      if (fhirType === 'Range') return quantityFromRange;
      if (fhirType === 'Money') return quantityFromMoney;
      if (fhirType === 'SampledData') return nothing;
      return undefined;
    case 'uri':
      if (STRING_PRIMITIVES.has(fhirType)) return uriFromPrimitive;
      return undefined;
    case 'reference':
      if (fhirType === 'Reference') return referenceFromReference;
      if (sub('uri')) return referenceFromCanonical;
      if (fhirType === 'Resource' || isResourceTypeName(fhirType)) return referenceFromResource;
      return undefined;
    default:
      return undefined;
  }
}
