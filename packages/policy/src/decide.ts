import { isResourceType } from '@confide/fhir';
import { accessClass, scopePermission, type Actor, type Interaction } from './actor.ts';
import { hasPatientCompartment } from './match.ts';
import { allOf, anyOf, describeRestriction, NONE, type Restriction } from './restriction.ts';
import { scopeFilters, type ResourceScope, type ScopeContext } from './scopes.ts';
import { categoryOf, isRole, type CategoryRow, type Role } from './table.ts';

/**
 * An access decision for one interaction on one resource type. When allowed, `restriction` (if any) limits
 * the rows: the store must AND it into every query of that type — the search itself and every table a chain,
 * `_has`, `_include` or `_revinclude` reaches (for those, use `restrictionFor(actor, 'search', type)`) — and a
 * read of a row outside it answers 404 as if the row did not exist.
 */
export interface Decision {
  allowed: boolean;
  /** Why, for logs, audit and (for denials) the OperationOutcome text. */
  reason: string;
  /** A row-level restriction the store must AND into every query of that type. Absent: every row. */
  restriction?: Restriction;
}

/** Which actors a scope context can serve (SMART: system/ is for backend services, user/ and patient/ for users). */
const CONTEXTS_FOR: Record<Actor['kind'], readonly ScopeContext[]> = {
  staff: ['user', 'patient'],
  patient: ['user', 'patient'],
  system: ['system'],
};

function deny(reason: string): Decision {
  return { allowed: false, reason };
}

/**
 * Decides whether `actor` may perform `interaction` on `resourceType`: the granted scopes ∧ the actor's rights
 * (roles and organizations for staff, the own compartment for patient users; system clients have only their
 * scopes). Pure: no I/O, no clock, no randomness.
 */
export function decide(actor: Actor, interaction: Interaction, resourceType: string): Decision {
  const row = categoryOf(resourceType);
  if (!row || !isResourceType(resourceType)) return deny(`${resourceType} is not a known resource type`);
  const cls = accessClass(interaction);
  if (row.category === 'audit' && interaction !== 'create' && cls !== 'r') {
    return deny(`${resourceType} is append-only: it cannot be changed or deleted`);
  }

  const byScope = scopeDecision(actor, interaction, resourceType, row);
  if (!byScope.allowed) return byScope;
  const byActor = actorDecision(actor, interaction, resourceType, row);
  if (!byActor.allowed) return byActor;

  const restriction = allOf([byScope.restriction, byActor.restriction]);
  const rows = restriction ? `; rows: ${describeRestriction(restriction)}` : '';
  const decision: Decision = { allowed: true, reason: `${byScope.reason}; ${byActor.reason}${rows}` };
  if (restriction) decision.restriction = restriction;
  return decision;
}

/** The restriction to apply to `resourceType` for this interaction: `none` when it is not allowed at all. */
export function restrictionFor(actor: Actor, interaction: Interaction, resourceType: string): Restriction | undefined {
  const d = decide(actor, interaction, resourceType);
  return d.allowed ? d.restriction : NONE;
}

/** The patient that `patient/` scopes and the patient-user rules refer to. */
function patientInContext(actor: Actor): string | undefined {
  return actor.kind === 'patient' ? actor.patientId : actor.kind === 'staff' ? actor.launchPatientId : undefined;
}

/**
 * Confinement of `resourceType` to one patient: the compartment restriction when the type has a patient
 * compartment, no restriction for shared reference data (Practitioner, Medication…), and `unconfinable` for
 * patient data that patients have no compartment for (Slot, Binary…), which must then be refused.
 */
function confine(resourceType: string, row: CategoryRow, patientId: string): Restriction | undefined | 'unconfinable' {
  if (hasPatientCompartment(resourceType)) return { kind: 'compartment', patientIds: [patientId] };
  return row.patientData ? 'unconfinable' : undefined;
}

/** The scope part: the OR of what every applicable scope allows. */
function scopeDecision(actor: Actor, interaction: Interaction, resourceType: string, row: CategoryRow): Decision {
  const perm = scopePermission(interaction);
  const contexts = CONTEXTS_FOR[actor.kind];
  const grants: Array<{ scope: ResourceScope; restriction: Restriction | undefined }> = [];
  const notes: string[] = [];
  for (const scope of actor.scopes) {
    if (scope.kind !== 'resource') continue;
    if (scope.resourceType !== '*' && scope.resourceType !== resourceType) continue;
    if (!scope.interactions.has(perm)) continue;
    if (!contexts.includes(scope.context)) {
      notes.push(`${scope.text} does not apply to a ${actor.kind} actor`);
      continue;
    }
    const filters = scopeFilters(scope, resourceType);
    if (filters === null) {
      notes.push(`the query of ${scope.text} does not apply to ${resourceType}`);
      continue;
    }
    let confinement: Restriction | undefined;
    if (scope.context === 'patient') {
      const patientId = patientInContext(actor);
      if (!patientId) {
        notes.push(`${scope.text} needs a patient in context`);
        continue;
      }
      const c = confine(resourceType, row, patientId);
      if (c === 'unconfinable') {
        notes.push(`${scope.text} cannot confine ${resourceType} to a patient (no patient compartment)`);
        continue;
      }
      confinement = c;
    }
    const search: Restriction | undefined = filters.length ? { kind: 'search', resourceType, filters, source: scope.text } : undefined;
    grants.push({ scope, restriction: allOf([confinement, search]) });
  }
  if (grants.length === 0) {
    const why = notes.length ? ` (${notes.join('; ')})` : '';
    return deny(`no granted scope allows ${interaction} (${perm}) on ${resourceType}${why}`);
  }
  const decision: Decision = { allowed: true, reason: `scope ${grants.map((g) => g.scope.text).join(', ')}` };
  const restriction = anyOf(grants.map((g) => g.restriction));
  if (restriction) decision.restriction = restriction;
  return decision;
}

/** The actor part: the access table for staff and patient users; nothing beyond scopes for system clients. */
function actorDecision(actor: Actor, interaction: Interaction, resourceType: string, row: CategoryRow): Decision {
  const cls = accessClass(interaction);
  const what = `${interaction} ${resourceType} (${row.category})`;
  switch (actor.kind) {
    case 'system':
      return { allowed: true, reason: 'system client' };
    case 'patient': {
      if (!actor.patientId) return deny('patient user without a patient id');
      if (!row.access.patient?.includes(cls)) return deny(`patient users may not ${what}`);
      const c = confine(resourceType, row, actor.patientId);
      if (c === 'unconfinable') return deny(`patient users may not ${what}: it has no patient compartment to confine it to`);
      const decision: Decision = { allowed: true, reason: 'patient user' };
      if (c) decision.restriction = c;
      return decision;
    }
    case 'staff': {
      const roles = actor.roles.filter(isRole);
      if (roles.length === 0) return deny(`staff user ${actor.userId} has no known role`);
      const granting = roles.filter((r: Role) => row.access[r]?.includes(cls));
      if (granting.length === 0) return deny(`role ${roles.join(', ')} may not ${what}`);
      const decision: Decision = { allowed: true, reason: `role ${granting.join(', ')}` };
      if (row.patientData) {
        if (actor.organizations.length === 0) return deny(`staff user ${actor.userId} belongs to no organization, so may not ${what}`);
        decision.restriction = { kind: 'organization', organizationIds: [...actor.organizations] };
      }
      return decision;
    }
  }
}

/** Rights that are not about FHIR resources. */
export const CAPABILITIES = {
  'manage-users': { description: 'Create users, reset their credentials, assign roles and organizations', roles: ['admin'] },
} as const satisfies Record<string, { description: string; roles: readonly Role[] }>;
export type Capability = keyof typeof CAPABILITIES;

/** Whether a staff actor holds a non-FHIR capability (user management). Scopes do not grant these. */
export function decideCapability(actor: Actor, capability: Capability): Decision {
  if (actor.kind !== 'staff') return deny(`${capability} is for staff users`);
  const roles: readonly Role[] = CAPABILITIES[capability].roles;
  const granting = actor.roles.filter((r) => isRole(r) && roles.includes(r));
  if (granting.length === 0) return deny(`${capability} needs role ${roles.join(' or ')}`);
  return { allowed: true, reason: `role ${granting.join(', ')}` };
}
