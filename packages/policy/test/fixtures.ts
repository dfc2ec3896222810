import type { Resource } from '@medplum/fhirtypes';
import { parseSearchRequest } from '@confide/fhir';
import { parseScopes, resourceFacts, type Actor, type RestrictionContext, type SearchRestriction } from '../src/index.ts';

export const LAB = 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory';
export const VITALS = 'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs';

export function staff(roles: string[], scopes = 'user/*.cruds', extra: Partial<Actor> = {}): Actor {
  return { kind: 'staff', userId: 'u-staff', practitionerId: 'pr1', organizations: ['org1'], roles, scopes: parseScopes(scopes), ...extra };
}

/** `patientId` null: a patient user whose patient id is missing. */
export function patientUser(patientId: string | null = 'p1', scopes = 'user/*.cruds', extra: Partial<Actor> = {}): Actor {
  const a: Actor = { kind: 'patient', userId: 'u-patient', organizations: [], roles: [], scopes: parseScopes(scopes), ...extra };
  if (patientId !== null) a.patientId = patientId;
  return a;
}

export function system(scopes: string, extra: Partial<Actor> = {}): Actor {
  return { kind: 'system', userId: 'client-1', organizations: [], roles: [], scopes: parseScopes(scopes), ...extra };
}

/** A search restriction as a granular scope would give it. */
export function search(type: string, query: string): SearchRestriction {
  return { kind: 'search', resourceType: type, filters: parseSearchRequest(type, new URLSearchParams(query)).request.filters };
}

/** The practice: patient p1 and p3 are cared for by org1, p2 by org2 (what the store's `organizations` column would say). */
const PATIENT_ORG: Record<string, string> = { p1: 'org1', p2: 'org2', p3: 'org1' };

/** Facts as the store would keep them: compartments from the resource, organizations from its patients. */
export function practiceFacts(resource: Resource): RestrictionContext {
  const facts = resourceFacts(resource);
  const orgs = new Set<string>();
  for (const c of facts.compartments) {
    const org = PATIENT_ORG[c.slice('Patient/'.length)];
    if (org) orgs.add(`Organization/${org}`);
  }
  return { ...facts, organizations: [...orgs] };
}

export function observation(id: string | undefined, patient: string, category = LAB): Resource {
  const [system, code] = category.split('|');
  const r: Resource = {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system, code }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '718-7' }], text: 'Hemoglobin' },
    subject: { reference: `Patient/${patient}` },
  };
  if (id) r.id = id;
  return r;
}
