import type { Resource } from '@medplum/fhirtypes';
import { canonicalTypeName, childTypes, isResourceTypeName, isSubtypeOf } from '../element-types.ts';
import { resolveReferenceTarget } from '../reference-parts.ts';
import type { FhirPathNode } from './ast.ts';
import { parseFhirPath } from './parser.ts';

/**
 * Compiles FHIRPath search expressions ONCE into plain JavaScript closures.
 *
 * The compiler is statically typed against the R4 StructureDefinitions (element-types.ts): every step of a
 * path knows the FHIR type it produces, so a choice element such as `Observation.value` expands at compile time
 * into one plan per alternative (`valueQuantity` as Quantity, `valueCodeableConcept` as CodeableConcept, ...)
 * and `ofType()`/`as` simply drop plans. Each plan is a function from an input collection to an output
 * collection whose items all have the plan's FHIR type, so turning them into index values needs no duck typing.
 *
 * Anything outside the supported subset throws UnsupportedExpressionError at compile time; the caller then
 * falls back to a full FHIRPath engine for that expression.
 */

/** Runtime context of one evaluation: the resource being indexed (for `%resource` and contained references). */
export interface EvalEnv {
  root: Resource;
  /** `[root]`, allocated once per evaluation. */
  rootInput: Items;
}

export type Items = unknown[];
export type PlanFn = (input: Items, env: EvalEnv) => Items;

export interface Plan {
  /** FHIR type (or backbone path) of every item the plan yields; `Resource` = a resource of any type. */
  type: string;
  fn: PlanFn;
  /** Set when the plan is a plain chain of JSON keys from its input, so consecutive steps can be fused. */
  keys?: string[];
  /** For `code` items with a required binding: the bound ValueSet (see implicit-code-system.ts). */
  valueSet?: string;
}

export class UnsupportedExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedExpressionError';
  }
}

interface Scope {
  /** Resource type of the root (`%resource`). */
  rootType: string;
}

type Json = Record<string, unknown>;

const IDENTITY: PlanFn = (input) => input;

/** Compiles `expression` evaluated on items of `contextType` (a resource type, data type or backbone path). */
export function compileFhirPath(expression: string, contextType: string, rootType = contextType): Plan[] {
  return compileNode(parseFhirPath(expression), contextType, { rootType });
}

export function compileNode(node: FhirPathNode, ctxType: string, scope: Scope): Plan[] {
  switch (node.kind) {
    case 'literal':
      return [literalPlan(node.value)];
    case 'empty':
      return [];
    case 'variable':
      if (node.name === 'resource' || node.name === 'rootResource' || node.name === 'context') {
        return [{ type: scope.rootType, fn: (_input, env) => env.rootInput }];
      }
      throw new UnsupportedExpressionError(`variable %${node.name}`);
    case 'identifier':
      return identifier(node.name, [{ type: ctxType, fn: IDENTITY, keys: [] }]);
    case 'member':
      return identifier(node.name, compileNode(node.target, ctxType, scope), true);
    case 'call':
      return call(node, ctxType, scope);
    case 'index': {
      if (node.index.kind !== 'literal' || typeof node.index.value !== 'number') {
        throw new UnsupportedExpressionError('non-literal indexer');
      }
      const n = node.index.value;
      return positional(compileNode(node.target, ctxType, scope), (items) => (n < items.length ? [items[n]] : []));
    }
    case 'type-op': {
      const plans = compileNode(node.operand, ctxType, scope);
      return node.op === 'as' ? ofType(plans, node.typeName) : [isType(plans, node.typeName)];
    }
    case 'binary':
      return binary(node, ctxType, scope);
    case 'unary':
      throw new UnsupportedExpressionError(`unary ${node.op}`);
  }
}

function literalPlan(value: string | number | boolean): Plan {
  const items = [value];
  const type = typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : Number.isInteger(value) ? 'integer' : 'decimal';
  return { type, fn: () => items };
}

/** `name` applied to each plan: a type name acts as a type filter (`Observation.code`), otherwise a child element. */
function identifier(name: string, bases: Plan[], isMember = false): Plan[] {
  if (name === '$this') return bases;
  const out: Plan[] = [];
  const startsUpper = name.charAt(0) >= 'A' && name.charAt(0) <= 'Z';
  for (const base of bases) {
    if (!isMember && startsUpper) {
      // A leading type name (`Observation.code`): matches when the context is that type, else yields nothing.
      if (base.type === name || isSubtypeOf(base.type, name)) out.push(base);
      else if (base.type === 'Resource' && isResourceTypeName(name)) out.push(...ofType([base], name));
      continue;
    }
    if (base.type === 'Resource') throw new UnsupportedExpressionError(`navigation into an untyped resource (.${name})`);
    const children = childTypes(base.type, name);
    if (!children) throw new UnsupportedExpressionError(`unknown element ${base.type}.${name}`);
    for (const child of children) {
      const plan = field(base, child.key, child.type);
      if (child.valueSet) plan.valueSet = child.valueSet;
      out.push(plan);
    }
  }
  return out;
}

function field(base: Plan, key: string, type: string): Plan {
  if (base.keys) {
    const keys = [...base.keys, key];
    return { type, fn: fieldPath(keys), keys };
  }
  const step = fieldPath([key]);
  const prev = base.fn;
  return { type, fn: (input, env) => step(prev(input, env), env) };
}

/** Reads a chain of JSON keys from every input item, flattening arrays at each level (FHIRPath path semantics). */
export function fieldPath(keys: string[]): PlanFn {
  if (keys.length === 0) return IDENTITY;
  if (keys.length === 1) {
    const key = keys[0];
    return (input) => {
      const out: Items = [];
      for (const node of input) {
        const v = (node as Json)[key];
        if (v === undefined || v === null) continue;
        if (Array.isArray(v)) {
          for (const x of v) if (x !== null && x !== undefined) out.push(x);
        } else {
          out.push(v);
        }
      }
      return out;
    };
  }
  return (input) => {
    const out: Items = [];
    for (const node of input) if (typeof node === 'object' && node !== null) walkKeys(node, keys, 0, out);
    return out;
  };
}

// Hot-path helpers are module-level functions: closures created per call are slow, and under tsx each one
// also pays for esbuild's keep-names wrapper.
function walkKeys(node: unknown, keys: string[], depth: number, out: Items): void {
  const v = (node as Json)[keys[depth]];
  if (v === undefined || v === null) return;
  const last = depth === keys.length - 1;
  if (Array.isArray(v)) {
    for (const x of v) {
      if (x === null || x === undefined) continue;
      if (last) out.push(x);
      else if (typeof x === 'object') walkKeys(x, keys, depth + 1, out);
    }
  } else if (last) {
    out.push(v);
  } else if (typeof v === 'object') {
    walkKeys(v, keys, depth + 1, out);
  }
}

function then(base: Plan, type: string, step: PlanFn): Plan {
  const prev = base.fn;
  return { type, fn: prev === IDENTITY ? step : (input, env) => step(prev(input, env), env) };
}

/** Merges plans into one untyped collection function (for boolean logic and comparisons). */
export function mergePlans(plans: Plan[]): PlanFn {
  if (plans.length === 0) return () => [];
  if (plans.length === 1) return plans[0].fn;
  return (input, env) => {
    const out: Items = [];
    for (const p of plans) for (const x of p.fn(input, env)) out.push(x);
    return out;
  };
}

/**
 * Position-based functions (`first()`, `[n]`, `last()`) over a union of typed plans: the plans are concatenated
 * in order, the selection is made on the whole collection, and each plan keeps only its own selected items.
 */
function positional(plans: Plan[], select: (items: Items) => Items): Plan[] {
  if (plans.length === 1) return [then(plans[0], plans[0].type, select)];
  const fns = plans.map((p) => p.fn);
  return plans.map((p, i) => ({
    type: p.type,
    fn: (input: Items, env: EvalEnv) => selectOwn(fns, i, select, input, env),
  }));
}

function selectOwn(fns: PlanFn[], own: number, select: (items: Items) => Items, input: Items, env: EvalEnv): Items {
  const positions: Items = [];
  const items: Items = [];
  const owners: number[] = [];
  for (let j = 0; j < fns.length; j++) {
    for (const x of fns[j](input, env)) {
      positions.push(items.length);
      items.push(x);
      owners.push(j);
    }
  }
  const out: Items = [];
  for (const k of select(positions) as number[]) if (owners[k] === own) out.push(items[k]);
  return out;
}

function typeArg(node: FhirPathNode | undefined): string {
  if (node?.kind === 'identifier') return node.name;
  if (node?.kind === 'member' && node.target.kind === 'identifier') return `${node.target.name}.${node.name}`;
  throw new UnsupportedExpressionError('type argument');
}

function resolveTypeName(name: string): string {
  const canonical = canonicalTypeName(name);
  if (!canonical) throw new UnsupportedExpressionError(`unknown type ${name}`);
  return canonical;
}

/** `ofType(T)` / `as T`: keeps the plans whose static type is T (or a subtype); untyped resources are filtered at run time. */
function ofType(plans: Plan[], typeName: string): Plan[] {
  const type = resolveTypeName(typeName);
  const out: Plan[] = [];
  for (const p of plans) {
    if (isSubtypeOf(p.type, type)) {
      out.push(p);
    } else if (p.type === 'Resource' && isResourceTypeName(type)) {
      out.push(then(p, type, (items) => filterResourceType(items, type)));
    }
  }
  return out;
}

function filterResourceType(items: Items, type: string): Items {
  const out: Items = [];
  for (const r of items) if (isSubtypeOf(String((r as Json).resourceType), type)) out.push(r);
  return out;
}

function isType(plans: Plan[], typeName: string): Plan {
  const type = resolveTypeName(typeName);
  // Static plans answer at compile time; untyped resources (resolve(), Bundle.entry.resource) at run time.
  const checks = plans.map((p): ((item: unknown) => boolean) => {
    if (p.type === 'Resource') return (item) => isSubtypeOf(String((item as Json).resourceType), type);
    const matches = isSubtypeOf(p.type, type);
    return () => matches;
  });
  return {
    type: 'boolean',
    fn: (input, env) => {
      for (let i = 0; i < plans.length; i++) {
        const items = plans[i].fn(input, env);
        if (items.length > 0) return [checks[i](items[0])];
      }
      return [];
    },
  };
}

function call(node: Extract<FhirPathNode, { kind: 'call' }>, ctxType: string, scope: Scope): Plan[] {
  const bases = node.target ? compileNode(node.target, ctxType, scope) : [{ type: ctxType, fn: IDENTITY, keys: [] } as Plan];
  const arity = (n: number): void => {
    if (node.args.length !== n) throw new UnsupportedExpressionError(`${node.name}() with ${node.args.length} arguments`);
  };
  switch (node.name) {
    case 'where':
      arity(1);
      return bases.map((b) => {
        const predicate = compilePredicate(node.args[0], b.type, scope);
        return then(b, b.type, (items, env) => {
          const out: Items = [];
          for (const x of items) if (predicate(x, env)) out.push(x);
          return out;
        });
      });
    case 'ofType':
    case 'as':
      arity(1);
      return ofType(bases, typeArg(node.args[0]));
    case 'is':
      arity(1);
      return [isType(bases, typeArg(node.args[0]))];
    case 'exists': {
      const inner = node.args.length === 0 ? bases : call({ kind: 'call', target: node.target, name: 'where', args: node.args }, ctxType, scope);
      const merged = mergePlans(inner);
      return [{ type: 'boolean', fn: (input, env) => [merged(input, env).length > 0] }];
    }
    case 'empty': {
      arity(0);
      const merged = mergePlans(bases);
      return [{ type: 'boolean', fn: (input, env) => [merged(input, env).length === 0] }];
    }
    case 'not': {
      arity(0);
      const merged = mergePlans(bases);
      return [{ type: 'boolean', fn: (input, env) => negate(toBoolean(merged(input, env))) }];
    }
    case 'hasValue': {
      arity(0);
      const merged = mergePlans(bases);
      return [
        {
          type: 'boolean',
          fn: (input, env) => {
            const items = merged(input, env);
            return [items.length === 1 && typeof items[0] !== 'object'];
          },
        },
      ];
    }
    case 'count': {
      arity(0);
      const merged = mergePlans(bases);
      return [{ type: 'integer', fn: (input, env) => [merged(input, env).length] }];
    }
    case 'first':
      arity(0);
      return positional(bases, (items) => items.slice(0, 1));
    case 'last':
      arity(0);
      return positional(bases, (items) => items.slice(-1));
    case 'extension': {
      arity(1);
      const url = node.args[0];
      if (url.kind !== 'literal' || typeof url.value !== 'string') throw new UnsupportedExpressionError('extension() with a non-literal url');
      const wanted = url.value;
      return identifier('extension', bases, true).map((p) =>
        then(p, p.type, (items) => {
          const out: Items = [];
          for (const e of items) if ((e as Json).url === wanted) out.push(e);
          return out;
        }),
      );
    }
    case 'resolve':
      arity(0);
      return bases.map((b) => {
        if (!isSubtypeOf(b.type, 'Reference') && !isSubtypeOf(b.type, 'uri')) {
          throw new UnsupportedExpressionError(`resolve() on ${b.type}`);
        }
        return then(b, 'Resource', (items, env) => {
          const out: Items = [];
          for (const x of items) {
            const target = resolveReferenceTarget(x, env.root);
            if (target) out.push(target);
          }
          return out;
        });
      });
    default:
      throw new UnsupportedExpressionError(`function ${node.name}()`);
  }
}

/** A `where()` criterion, evaluated once per item; true only for a singleton `true` (FHIRPath §5.2 where). */
function compilePredicate(node: FhirPathNode, itemType: string, scope: Scope): (item: unknown, env: EvalEnv) => boolean {
  // Fast path for the frequent `element = 'literal'` (telecom.where(system='phone'), relatedArtifact.where(type='...')).
  if (node.kind === 'binary' && node.op === '=' && node.left.kind === 'identifier' && node.right.kind === 'literal') {
    const children = childTypes(itemType, node.left.name);
    if (children?.length === 1 && typeof node.right.value === 'string') {
      const key = children[0].key;
      const value = node.right.value;
      return (item) => (item as Json)[key] === value;
    }
  }
  const fn = mergePlans(compileNode(node, itemType, scope));
  return (item, env) => toBoolean(fn([item], env)) === true;
}

/** Singleton evaluation of collections as booleans (FHIRPath §4.5): empty → undefined. */
function toBoolean(items: Items): boolean | undefined {
  if (items.length === 0) return undefined;
  const v = items[0];
  return typeof v === 'boolean' ? v : true;
}

function negate(b: boolean | undefined): Items {
  return b === undefined ? [] : [!b];
}

function binary(node: Extract<FhirPathNode, { kind: 'binary' }>, ctxType: string, scope: Scope): Plan[] {
  if (node.op === '|') return [...compileNode(node.left, ctxType, scope), ...compileNode(node.right, ctxType, scope)];
  const left = mergePlans(compileNode(node.left, ctxType, scope));
  const right = mergePlans(compileNode(node.right, ctxType, scope));
  let fn: PlanFn;
  switch (node.op) {
    case '=':
      fn = (input, env) => equals(left(input, env), right(input, env));
      break;
    case '!=':
      fn = (input, env) => {
        const eq = equals(left(input, env), right(input, env));
        return eq.length === 0 ? eq : [!eq[0]];
      };
      break;
    case 'and':
      fn = (input, env) => {
        const l = toBoolean(left(input, env));
        if (l === false) return [false];
        const r = toBoolean(right(input, env));
        if (r === false) return [false];
        return l === true && r === true ? [true] : [];
      };
      break;
    case 'or':
      fn = (input, env) => {
        const l = toBoolean(left(input, env));
        if (l === true) return [true];
        const r = toBoolean(right(input, env));
        if (r === true) return [true];
        return l === false && r === false ? [false] : [];
      };
      break;
    case 'xor':
      fn = (input, env) => {
        const l = toBoolean(left(input, env));
        const r = toBoolean(right(input, env));
        return l === undefined || r === undefined ? [] : [l !== r];
      };
      break;
    case 'implies':
      fn = (input, env) => {
        const l = toBoolean(left(input, env));
        const r = toBoolean(right(input, env));
        if (l === false) return [true];
        if (l === true) return r === undefined ? [] : [r];
        return r === true ? [true] : [];
      };
      break;
    default:
      throw new UnsupportedExpressionError(`operator ${node.op}`);
  }
  return [{ type: 'boolean', fn }];
}

/** FHIRPath `=` (§6.1.1): empty if either side is empty, otherwise item-wise equality of equal-length collections. */
function equals(a: Items, b: Items): Items {
  if (a.length === 0 || b.length === 0) return [];
  if (a.length !== b.length) return [false];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'object' && typeof y === 'object' && JSON.stringify(x) === JSON.stringify(y)) continue;
    return [false];
  }
  return [true];
}
