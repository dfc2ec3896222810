import { defaultPurposeOfUse, type Actor } from '@confide/policy';
import type { AccessContext } from '../identity/access-context.ts';
import type { BreakGlass } from './break-glass.ts';
import { PURPOSE_HEADER, requestPurpose } from './purpose-of-use.ts';

/** Derived actors, per token actor: the same purpose and grants give the same object (its Access and statements stay cached). */
const derived = new WeakMap<Actor, Map<string, Actor>>();

/**
 * The access context one request runs under: the token's, with the purpose of use the request states
 * (`X-Purpose-Of-Use`, see purpose-of-use.ts) and, for staff, the patients of their active break-the-glass grants.
 * Without either, the token's own context (and Actor object) is returned unchanged, so nothing is rebuilt per request.
 */
export async function requestAccess(access: AccessContext, headers: Record<string, string | undefined>, glass: BreakGlass | undefined): Promise<AccessContext> {
  if (access.via !== 'token') return access;
  const base = access.actor;
  const purpose = requestPurpose(base, access.purposeOfUse, headers[PURPOSE_HEADER]);
  let grants: string[] = [];
  if (glass && base.kind === 'staff') {
    const active = glass.activePatients(access.username ?? base.userId);
    grants = Array.isArray(active) ? active : await active;
  }
  // The policy reads the purpose from the Actor; only a purpose other than the default needs a derived one.
  const own = purpose !== undefined && purpose !== defaultPurposeOfUse(base) ? purpose : undefined;
  if (own === undefined && grants.length === 0) return purpose === access.purposeOfUse ? access : { ...access, purposeOfUse: purpose };
  const key = `${own ?? ''}|${grants.join(',')}`;
  let byKey = derived.get(base);
  if (!byKey) derived.set(base, (byKey = new Map()));
  let actor = byKey.get(key);
  if (!actor) {
    actor = { ...base, ...(own ? { purposeOfUse: own } : {}), ...(grants.length ? { breakGlassPatients: grants } : {}) };
    if (byKey.size > 50) byKey.clear();
    byKey.set(key, actor);
  }
  return { ...access, actor, purposeOfUse: purpose };
}

/** The purpose to record for a request's audit event: ETREAT when it touched a patient the caller broke the glass for. */
export function auditedPurpose(access: AccessContext, patients: readonly string[]): string | undefined {
  const glass = access.actor.breakGlassPatients;
  if (glass?.length && patients.some((p) => glass.includes(p))) return 'ETREAT';
  return access.purposeOfUse;
}
