import type { Resource } from '@medplum/fhirtypes';
import { errors, type OperationOutcomeError } from '@confide/fhir';
import type { Actor, Interaction } from './actor.ts';
import { decide, type Decision } from './decide.ts';
import { evaluateRestriction, resourceFacts, type RestrictionContext } from './match.ts';
import { describeRestriction } from './restriction.ts';

/**
 * A decision about one resource (a write, a delete, or a read of a version the store holds no columns for).
 * `denial` says how to answer a refusal: `forbidden` (403) when the actor may know the resource exists,
 * `not-found` (404) when it is outside what the actor may see — its existence must not leak.
 */
export interface ResourceDecision extends Decision {
  denial?: 'forbidden' | 'not-found';
}

export interface CheckOptions {
  /**
   * The columns the store would hold for a resource (compartments, organizations, search values). Default:
   * `resourceFacts(resource)`, which knows no organizations — so organization restrictions (every staff
   * access to patient data) fail unless the caller supplies them.
   */
  factsOf?: (resource: Resource) => RestrictionContext;
}

export interface WriteOptions extends CheckOptions {
  /**
   * Default: `create` without `before`, `update` with it. Pass `update` for an update that creates (SMART
   * grants that with `u`), `patch` for a patch.
   */
  interaction?: 'create' | 'update' | 'patch';
}

function facts(options: CheckOptions, resource: Resource): RestrictionContext {
  return options.factsOf ? options.factsOf(resource) : resourceFacts(resource);
}

function refuse(denial: 'forbidden' | 'not-found', reason: string): ResourceDecision {
  return { allowed: false, reason, denial };
}

function label(r: Resource): string {
  return r.id ? `${r.resourceType}/${r.id}` : `the new ${r.resourceType}`;
}

/**
 * Whether the resource as it is now is outside what the actor may read: then a refusal must be a 404. A
 * resource the actor may read but not change is a 403.
 */
function hiddenFrom(actor: Actor, resource: Resource, options: CheckOptions): boolean {
  const read = decide(actor, 'read', resource.resourceType);
  return !read.allowed || !evaluateRestriction(resource, read.restriction, facts(options, resource)).match;
}

/**
 * A create, update or patch: allowed only if the actor may write the type, the current version `before` (if
 * any) is within the actor's write restriction, and so is the new version `after` — so nobody can move a
 * resource into or out of the rows they may write (no escalation by update).
 */
export function checkWrite(actor: Actor, before: Resource | undefined, after: Resource, options: WriteOptions = {}): ResourceDecision {
  const interaction: Interaction = options.interaction ?? (before ? 'update' : 'create');
  if (before && before.resourceType !== after.resourceType) {
    return refuse('forbidden', `cannot change ${label(before)} into a ${after.resourceType}`);
  }
  const d = decide(actor, interaction, after.resourceType);
  if (!d.allowed) return refuse(before && hiddenFrom(actor, before, options) ? 'not-found' : 'forbidden', d.reason);
  if (before) {
    const old = evaluateRestriction(before, d.restriction, facts(options, before));
    if (!old.match) {
      if (hiddenFrom(actor, before, options)) return refuse('not-found', `${label(before)} is outside what ${actor.userId} may see`);
      return refuse('forbidden', `${label(before)} is outside what ${actor.userId} may ${interaction} (${describeRestriction(d.restriction)})${unsupported(old.unsupported)}`);
    }
  }
  const next = evaluateRestriction(after, d.restriction, facts(options, after));
  if (!next.match) {
    return refuse(
      'forbidden',
      `the ${before ? 'updated' : 'new'} ${after.resourceType} would be outside what ${actor.userId} may ${interaction} (${describeRestriction(d.restriction)})${unsupported(next.unsupported)}`,
    );
  }
  return { allowed: true, reason: d.reason };
}

/** A delete of `before` (the current version): the actor may delete the type and `before` is within the restriction. */
export function checkDelete(actor: Actor, before: Resource, options: CheckOptions = {}): ResourceDecision {
  const d = decide(actor, 'delete', before.resourceType);
  if (!d.allowed) return refuse(hiddenFrom(actor, before, options) ? 'not-found' : 'forbidden', d.reason);
  const r = evaluateRestriction(before, d.restriction, facts(options, before));
  if (!r.match) {
    if (hiddenFrom(actor, before, options)) return refuse('not-found', `${label(before)} is outside what ${actor.userId} may see`);
    return refuse('forbidden', `${label(before)} is outside what ${actor.userId} may delete (${describeRestriction(d.restriction)})${unsupported(r.unsupported)}`);
  }
  return { allowed: true, reason: d.reason };
}

/**
 * A read of one resource in memory — for versions the store keeps no search columns for (vread, history) and
 * for anything assembled outside SQL. A type the actor may not read at all is 403; a resource outside the
 * restriction is 404.
 */
export function checkRead(
  actor: Actor,
  resource: Resource,
  interaction: 'read' | 'vread' | 'history' | 'search' = 'read',
  options: CheckOptions = {},
): ResourceDecision {
  const d = decide(actor, interaction, resource.resourceType);
  if (!d.allowed) return refuse('forbidden', d.reason);
  if (!evaluateRestriction(resource, d.restriction, facts(options, resource)).match) {
    return refuse('not-found', `${label(resource)} is outside what ${actor.userId} may see`);
  }
  return { allowed: true, reason: d.reason };
}

function unsupported(list: string[]): string {
  return list.length ? `; not checkable in memory: ${list.join(', ')}` : '';
}

/**
 * The error to answer a refusal with: 404 with a generic text for `not-found` (nothing about why), 403 with
 * the reason otherwise. Undefined when allowed.
 */
export function denialError(decision: Decision & { denial?: 'forbidden' | 'not-found' }): OperationOutcomeError | undefined {
  if (decision.allowed) return undefined;
  return decision.denial === 'not-found' ? errors.notFound() : errors.forbidden(decision.reason);
}

/** Throws `denialError(decision)` when the decision is a refusal. */
export function enforce(decision: Decision & { denial?: 'forbidden' | 'not-found' }): void {
  const e = denialError(decision);
  if (e) throw e;
}
