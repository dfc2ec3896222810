import type { Organization, PractitionerRole, Reference } from '@medplum/fhirtypes';
import type { FhirClient } from './fhir-client.ts';

/**
 * The organization a new patient is registered with: the signed-in practitioner's first active role's. A
 * patient with no managingOrganization would be visible to no staff at all (docs/access-control.md).
 */
export async function myOrganization(fhir: FhirClient, practitioner: string | undefined): Promise<Reference<Organization> | undefined> {
  if (!practitioner?.startsWith('Practitioner/')) return undefined;
  const roles = await fhir.search<PractitionerRole>('PractitionerRole', { practitioner, active: 'true', _count: 10 });
  const org = roles.resources.find((r) => r.organization?.reference)?.organization;
  return org ? { reference: org.reference, display: org.display } : undefined;
}
