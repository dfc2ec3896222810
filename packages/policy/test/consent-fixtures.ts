import type { Coding, Consent, ConsentProvision, ConsentProvisionActor } from '@medplum/fhirtypes';
import { ACT_CODE_SYSTEM, ACT_REASON_SYSTEM, CONFIDENTIALITY_SYSTEM, CONSENT_SCOPE_SYSTEM, LOINC_SYSTEM, PARTICIPATION_TYPE_SYSTEM, RESOURCE_TYPES_SYSTEM, type ConsentRequest } from '../src/index.ts';

/** A patient-privacy Consent of patient p1 (LOINC 59284-0 "Patient Consent"). */
export function consent(id: string, provision: ConsentProvision | undefined, extra: Partial<Consent> = {}): Consent {
  const c: Consent = {
    resourceType: 'Consent',
    id,
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE_SYSTEM, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: LOINC_SYSTEM, code: '59284-0' }] }],
    patient: { reference: 'Patient/p1' },
    ...extra,
  };
  if (provision) c.provision = provision;
  return c;
}

/** An actor: a recipient (PRCP, primary information recipient) unless another role is given. */
export function actor(reference: string, role = 'PRCP'): ConsentProvisionActor {
  return { role: { coding: [{ system: PARTICIPATION_TYPE_SYSTEM, code: role }] }, reference: { reference } };
}

export function purpose(...codes: string[]): Coding[] {
  return codes.map((code) => ({ system: ACT_REASON_SYSTEM, code }));
}

export const C = (code: string): Coding => ({ system: CONFIDENTIALITY_SYSTEM, code });
export const A = (code: string): Coding => ({ system: ACT_CODE_SYSTEM, code });
export const resourceClass = (type: string): Coding => ({ system: RESOURCE_TYPES_SYSTEM, code: type });

/** An Observation of patient p1 read by Dr 2 of org2 for treatment, mid-2024. */
export const REQUEST: ConsentRequest = {
  recipientOrganizations: ['org2'],
  recipientActors: ['Practitioner/dr2'],
  purposeOfUse: 'TREAT',
  resourceType: 'Observation',
  labels: [],
  now: '2024-06-15T12:00:00Z',
  resourceRef: 'Observation/o1',
  patient: 'p1',
};
