import type { PractitionerRole } from '@medplum/fhirtypes';
import { parseSearchRequest } from '@confide/fhir';
import { parseScopesLenient, type Actor } from '@confide/policy';
import { executeSearch, type Repository } from '@confide/store';

/** Who a token or session speaks for, before the FHIR directory has been consulted. */
export interface ActorSubject {
  kind: Actor['kind'];
  /** Login name, or the client id of a backend service. */
  username: string;
  /** `Practitioner/<id>` for staff, `Patient/<id>` for patient users. */
  fhirUser?: string;
  /** Staff: role codes held by the account (clinician, front-desk, billing, admin, auditor, privacy-officer). */
  roles?: readonly string[];
  /** Staff: organizations given to the account directly (for accounts without a PractitionerRole). */
  organizations?: readonly string[];
}

/**
 * Builds the policy's Actor from an account and a grant. Staff belong to the organizations of their active
 * PractitionerRoles (R4 PractitionerRole.organization, within `period` and not `active: false`) plus any given
 * to the account directly. Unknown or invalid scopes grant nothing (they were checked when granted).
 */
export async function resolveActor(
  repo: Repository,
  subject: ActorSubject,
  scope: string,
  launchPatientId?: string,
  now: Date = new Date(),
): Promise<Actor> {
  const { scopes } = parseScopesLenient(scope);
  const actor: Actor = {
    kind: subject.kind,
    userId: subject.username,
    organizations: [],
    roles: subject.kind === 'staff' ? [...(subject.roles ?? [])] : [],
    scopes,
  };
  if (subject.kind === 'patient' && subject.fhirUser?.startsWith('Patient/')) actor.patientId = subject.fhirUser.slice(8);
  if (subject.kind === 'staff') {
    const orgs = new Set(subject.organizations ?? []);
    if (subject.fhirUser?.startsWith('Practitioner/')) {
      actor.practitionerId = subject.fhirUser.slice(13);
      const roles = await practitionerRoles(repo, subject.fhirUser, now);
      for (const r of roles) if (r.organization) orgs.add(r.organization);
      if (roles.length) actor.practitionerRoles = roles.map((r) => r.id).sort();
    }
    actor.organizations = [...orgs].sort();
    if (launchPatientId) actor.launchPatientId = launchPatientId;
  }
  return actor;
}

/** The practitioner's PractitionerRoles that are in force at `now`: their ids and Organization ids. */
export async function practitionerRoles(repo: Repository, practitioner: string, now: Date): Promise<{ id: string; organization?: string }[]> {
  const { request } = parseSearchRequest('PractitionerRole', [
    ['practitioner', practitioner],
    ['_count', '100'],
  ]);
  const result = await executeSearch(repo.queryable, request);
  const out: { id: string; organization?: string }[] = [];
  for (const m of result.matches) {
    if (!m.json) continue;
    const role = JSON.parse(m.json) as PractitionerRole;
    if (role.active === false) continue;
    if (role.period?.start && new Date(role.period.start) > now) continue;
    if (role.period?.end && new Date(role.period.end) < now) continue;
    const ref = role.organization?.reference;
    out.push({ id: role.id ?? '', organization: ref?.startsWith('Organization/') ? ref.slice(13) : undefined });
  }
  return out.filter((r) => r.id !== '');
}
