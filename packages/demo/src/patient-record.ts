import type { Coverage, Patient } from '@medplum/fhirtypes';
import type { PatientContext } from './context.ts';
import { PAYERS } from './coverage.ts';
import { fhirDate } from './dates.ts';
import { concept, ref } from './fhir-helpers.ts';
import { demoMeta } from './meta.ts';
import { ORGANIZATION, PRACTICE_NAME } from './practice.ts';
import { staffMember } from './staff.ts';
import { SYSTEMS } from './systems.ts';

/** A practice MRN: unique per patient index and stable across seeds. */
export function mrnFor(index: number): string {
  return String(2_000_000 + index * 1013);
}

export function patientResource(ctx: PatientContext): Patient {
  const p = ctx.profile;
  const primaryClinician = p.streams.find((s) => s.stream === 'primary-care') ?? p.streams[0];
  const clinician = staffMember(primaryClinician.practitionerId);
  return {
    resourceType: 'Patient',
    id: p.id,
    meta: demoMeta(),
    identifier: [
      {
        use: 'usual',
        type: concept(SYSTEMS.identifierType, { code: 'MR', display: 'Medical record number' }),
        system: SYSTEMS.mrn,
        value: mrnFor(p.index),
        assigner: ref('Organization', ORGANIZATION.practice, PRACTICE_NAME),
      },
    ],
    active: true,
    name: [{ use: 'official', family: p.name.family, given: [...p.name.given] }],
    telecom: [
      { system: 'phone', value: p.phone, use: 'mobile', rank: 1 },
      { system: 'email', value: p.email, use: 'home', rank: 2 },
    ],
    gender: p.sex,
    birthDate: fhirDate(p.birthDay),
    address: [
      {
        use: 'home',
        type: 'physical',
        line: [...p.address.line],
        city: p.address.city,
        state: p.address.state,
        postalCode: p.address.postalCode,
        country: 'US',
      },
    ],
    maritalStatus: concept(SYSTEMS.maritalStatus, p.maritalStatus),
    contact: p.emergencyContact
      ? [
          {
            relationship: [concept(SYSTEMS.contactRole, { code: 'C', display: 'Emergency Contact' }), { text: p.emergencyContact.relationship }],
            name: { family: p.emergencyContact.name.family, given: [...p.emergencyContact.name.given] },
            telecom: [{ system: 'phone', value: p.emergencyContact.phone, use: 'mobile' }],
          },
        ]
      : undefined,
    communication: [{ language: concept(SYSTEMS.bcp47, p.language), preferred: true }],
    generalPractitioner: [ref('Practitioner', clinician.id, clinician.display)],
    managingOrganization: ref('Organization', ORGANIZATION.practice, PRACTICE_NAME),
  };
}

export function coverageResource(ctx: PatientContext, firstVisitDay: number): Coverage | undefined {
  const p = ctx.profile;
  if (!p.payer) return undefined;
  const payer = PAYERS[p.payer];
  const plan = ctx.rng.pick(payer.plans);
  const memberId = `${payer.memberIdPrefix}${ctx.rng.chars('0123456789', 11 - payer.memberIdPrefix.length)}`;
  return {
    resourceType: 'Coverage',
    id: ctx.nextId('Coverage'),
    meta: demoMeta(),
    identifier: [
      {
        type: concept(SYSTEMS.identifierType, { code: 'MB', display: 'Member Number' }),
        system: `${SYSTEMS.memberId}/${payer.key}`,
        value: memberId,
      },
    ],
    status: 'active',
    type:
      payer.kind === 'public'
        ? concept(SYSTEMS.actCode, { code: 'PUBLICPOL', display: 'public healthcare' })
        : concept(SYSTEMS.actCode, { code: 'HIP', display: 'health insurance plan policy' }),
    subscriber: ctx.patientRef,
    subscriberId: memberId,
    beneficiary: ctx.patientRef,
    relationship: concept(SYSTEMS.subscriberRelationship, { code: 'self', display: 'Self' }),
    period: { start: fhirDate(firstVisitDay - ctx.rng.int(30, 900)) },
    payor: [ref('Organization', payer.organizationId, payer.name)],
    class: [
      { type: concept(SYSTEMS.coverageClass, { code: 'group', display: 'Group' }), value: plan.group, name: plan.groupName },
      { type: concept(SYSTEMS.coverageClass, { code: 'plan', display: 'Plan' }), value: plan.plan, name: plan.planName },
    ],
    order: 1,
  };
}
