import type { Resource } from '@medplum/fhirtypes';
import { compileFhirPath, UnsupportedExpressionError, type EvalEnv, type Plan, type PlanFn } from './fhirpath/compile.ts';
import { FhirPathSyntaxError } from './fhirpath/lexer.ts';
import type { CompositeIndexValue, IndexValue } from './index-value.ts';
import { searchParameters, type SearchParamDef } from './parameters.ts';
import { implicitCodeSystem } from './implicit-code-system.ts';
import { converterFor, tokenFromBoundCode, type Converter } from './to-index-values.ts';
import { getFhirPathFallback } from './fhirpath-fallback.ts';

/**
 * Index-value extraction: every search parameter of a resource type is compiled once (fhirpath/compile.ts)
 * into closures that read the resource JSON directly; extraction of a resource just runs them.
 */
export type ParamExtractor = (env: ExtractEnv, out: IndexValue[]) => void;

/** Evaluation context of one extraction, with the conversion memo. */
export interface ExtractEnv extends EvalEnv {
  memo: Map<Converter, Map<unknown, IndexValue[]>>;
}

interface CompiledParam {
  code: string;
  run: ParamExtractor;
}

/** A parameter whose expression is evaluated by the FHIRPath fallback instead of compiled code. */
export interface FallbackReport {
  resourceType: string;
  code: string;
  expression: string;
  reason: string;
}

/** A (parameter, FHIR type) pair the expression can produce but that has no index-value meaning; yields nothing. */
export interface UnconvertedReport {
  resourceType: string;
  code: string;
  fhirType: string;
}

interface CompiledType {
  params: CompiledParam[];
  fallbacks: FallbackReport[];
  unconverted: UnconvertedReport[];
}

const compiled = new Map<string, CompiledType>();

interface Diagnostics {
  fallbacks: FallbackReport[];
  unconverted: UnconvertedReport[];
}

/** Plans paired with their converters; pairs without a converter are reported and dropped. */
function convertPlans(
  plans: Plan[],
  def: { code: string; type: SearchParamDef['type']; targets?: string[] },
  resourceType: string,
  diag: Diagnostics,
): Array<[PlanFn, Converter]> {
  const pairs: Array<[PlanFn, Converter]> = [];
  for (const plan of plans) {
    const system = def.type === 'token' && plan.valueSet ? implicitCodeSystem(plan.valueSet) : undefined;
    const converter = system ? tokenFromBoundCode(system) : converterFor(def.type, plan.type);
    if (!converter) {
      diag.unconverted.push({ resourceType, code: def.code, fhirType: plan.type });
    } else if (def.type === 'reference' && plan.type === 'Resource' && def.targets && def.targets.length > 0) {
      // A resource as reference value (Bundle.entry[0].resource): only of the parameter's target types,
      // so that Bundle `composition` indexes a Composition and `message` a MessageHeader.
      pairs.push([withResourceTypes(plan.fn, new Set(def.targets)), converter]);
    } else {
      pairs.push([plan.fn, converter]);
    }
  }
  return pairs;
}

function withResourceTypes(fn: PlanFn, types: Set<string>): PlanFn {
  return (input, env) => {
    const out: unknown[] = [];
    for (const r of fn(input, env)) if (types.has((r as { resourceType?: string }).resourceType as string)) out.push(r);
    return out;
  };
}

/**
 * Converts through a per-extraction memo: the same element is often indexed by several parameters (`code`,
 * `combo-code` and the `code-value-*` composites all read Observation.code), and index values are immutable.
 */
function convertInto(env: ExtractEnv, convert: Converter, item: unknown, out: IndexValue[]): void {
  if (typeof item !== 'object' || item === null) {
    convert(item, env.root, out);
    return;
  }
  let byItem = env.memo.get(convert);
  if (!byItem) {
    byItem = new Map();
    env.memo.set(convert, byItem);
  }
  let values = byItem.get(item);
  if (!values) {
    values = [];
    convert(item, env.root, values);
    byItem.set(item, values);
  }
  for (let i = 0; i < values.length; i++) out.push(values[i]);
}

function runPairs(pairs: Array<[PlanFn, Converter]>): ParamExtractor {
  if (pairs.length === 1) {
    const [fn, convert] = pairs[0];
    return (env, out) => {
      const items = fn(env.rootInput, env);
      for (let i = 0; i < items.length; i++) convertInto(env, convert, items[i], out);
    };
  }
  return (env, out) => {
    for (let p = 0; p < pairs.length; p++) {
      const [fn, convert] = pairs[p];
      const items = fn(env.rootInput, env);
      for (let i = 0; i < items.length; i++) convertInto(env, convert, items[i], out);
    }
  };
}

/** Composite (search.html#composite): per element matched by the expression, the values of each component in it. */
function compileComposite(def: SearchParamDef, resourceType: string, diag: Diagnostics): ParamExtractor {
  const parents = compileFhirPath(def.expression as string, resourceType);
  const perParent = parents.map((parent) => ({
    fn: parent.fn,
    components: (def.components ?? []).map((c) =>
      convertPlans(compileFhirPath(c.expression, parent.type, resourceType), { code: def.code, type: c.type }, resourceType, diag),
    ),
  }));
  return (env, out) => {
    for (const parent of perParent) {
      const count = parent.components.length;
      for (const element of parent.fn(env.rootInput, env)) {
        const elementInput = [element];
        const components: IndexValue[][] = new Array<IndexValue[]>(count);
        // Last component first: it is the value (`value.ofType(Quantity)`), the one most often absent.
        let complete = true;
        for (let c = count - 1; c >= 0 && complete; c--) {
          const values: IndexValue[] = [];
          for (const [fn, convert] of parent.components[c]) for (const item of fn(elementInput, env)) convertInto(env, convert, item, values);
          components[c] = values;
          complete = values.length > 0;
        }
        if (complete) {
          const v: CompositeIndexValue = { kind: 'composite', components };
          out.push(v);
        }
      }
    }
  };
}

/** Evaluates through the registered FHIRPath engine (see fhirpath-fallback.ts); yields nothing when none is registered. */
function fallbackExtractor(def: SearchParamDef): ParamExtractor {
  const expression = def.expression as string;
  const converters = new Map<string, Converter | undefined>();
  return (env, out) => {
    const evaluate = getFhirPathFallback();
    if (!evaluate) return;
    const resource = env.root;
    for (const typed of evaluate(expression, resource)) {
      let convert = converters.get(typed.type);
      if (!converters.has(typed.type)) {
        convert = converterFor(def.type, typed.type);
        converters.set(typed.type, convert);
      }
      convert?.(typed.value, resource, out);
    }
  };
}

/** Whether extractSearchValues produces values for this parameter (everything except storage columns and query-only specials). */
export function isExtracted(def: SearchParamDef): boolean {
  if (def.special === 'column' || def.special === 'query') return false;
  return def.type !== 'special' && def.expression !== undefined;
}

/**
 * Compiles one parameter. Exported for custom SearchParameters and tests; `diag` collects fallbacks and
 * unconvertible types.
 */
export function compileParam(def: SearchParamDef, diag: Diagnostics = { fallbacks: [], unconverted: [] }): ParamExtractor {
  const resourceType = def.resourceType;
  try {
    if (def.type === 'composite') return compileComposite(def, resourceType, diag);
    return runPairs(convertPlans(compileFhirPath(def.expression as string, resourceType), def, resourceType, diag));
  } catch (e) {
    if (!(e instanceof UnsupportedExpressionError) && !(e instanceof FhirPathSyntaxError)) throw e;
    diag.fallbacks.push({ resourceType, code: def.code, expression: def.expression as string, reason: e.message });
    return fallbackExtractor(def);
  }
}

function compileType(resourceType: string): CompiledType {
  let result = compiled.get(resourceType);
  if (!result) {
    const diag: Diagnostics = { fallbacks: [], unconverted: [] };
    const params: CompiledParam[] = [];
    for (const def of searchParameters(resourceType).values()) {
      if (isExtracted(def)) params.push({ code: def.code, run: compileParam(def, diag) });
    }
    result = { params, ...diag };
    compiled.set(resourceType, result);
  }
  return result;
}

/**
 * The index values of every search parameter of the resource's type, keyed by code. Only parameters with at
 * least one value are present (absent = `:missing=true`). Not included: `_id` and `_lastUpdated` (storage
 * columns), `_text`/`_content`/`_list`/`_has`/`_type`/`_query` and `special`-typed parameters such as
 * Location `near`. Unknown resource types yield an empty map.
 */
export function extractSearchValues(resource: Resource): Map<string, IndexValue[]> {
  const result = new Map<string, IndexValue[]>();
  const type = compileType(resource.resourceType);
  const env: ExtractEnv = { root: resource, rootInput: [resource], memo: new Map() };
  let out: IndexValue[] = [];
  for (const param of type.params) {
    param.run(env, out);
    if (out.length > 0) {
      result.set(param.code, out);
      out = [];
    }
  }
  return result;
}

/** Compiles every parameter of the given types (default: all) ahead of the first write; returns the diagnostics. */
export function extractionDiagnostics(resourceTypes: Iterable<string>): Diagnostics {
  const diag: Diagnostics = { fallbacks: [], unconverted: [] };
  for (const t of resourceTypes) {
    const c = compileType(t);
    diag.fallbacks.push(...c.fallbacks);
    diag.unconverted.push(...c.unconverted);
  }
  return diag;
}
