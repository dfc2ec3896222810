import type { MedicationRequest } from '@medplum/fhirtypes';
import type { PatientContext, VisitRecord } from './context.ts';
import { fhirDate, fhirDateTime } from './dates.ts';
import { concept, ref, ucum } from './fhir-helpers.ts';
import { MEDICATIONS, type MedicationKey } from './medications.ts';
import { demoMeta } from './meta.ts';
import type { PlannedMedication } from './model.ts';
import { staffMember } from './staff.ts';
import { SYSTEMS } from './systems.ts';

function medicationRequest(
  ctx: PatientContext,
  key: MedicationKey,
  planned: PlannedMedication,
  record: VisitRecord,
  status: 'active' | 'stopped',
  priorId?: string,
): MedicationRequest {
  const med = MEDICATIONS[key];
  const visit = record.visit;
  const finished = med.courseDays !== undefined && visit.day + med.courseDays < ctx.today;
  const prescriber = staffMember(visit.practitionerId);
  return {
    resourceType: 'MedicationRequest',
    id: ctx.nextId('MedicationRequest'),
    meta: demoMeta({ part2: record.part2 }),
    status: status === 'active' && finished ? 'completed' : status,
    intent: 'order',
    category: [concept(SYSTEMS.medicationRequestCategory, { code: 'outpatient', display: 'Outpatient' })],
    medicationCodeableConcept: concept(SYSTEMS.rxnorm, med.rxnorm),
    subject: ctx.patientRef,
    encounter: record.encounterId ? ref('Encounter', record.encounterId) : undefined,
    authoredOn: fhirDateTime(visit.day, visit.end - 5),
    requester: ref('Practitioner', prescriber.id, prescriber.display),
    reasonReference: ctx.conditionRefs(planned.conditions, record.part2),
    courseOfTherapyType:
      med.courseDays === undefined
        ? concept(SYSTEMS.courseOfTherapy, { code: 'continuous', display: 'Continuous long term therapy' })
        : concept(SYSTEMS.courseOfTherapy, { code: 'acute', display: 'Short course (acute) therapy' }),
    dosageInstruction: [
      {
        sequence: 1,
        text: med.sig,
        timing: { repeat: { frequency: med.timing.frequency, period: med.timing.period, periodUnit: med.timing.periodUnit } },
        asNeededBoolean: med.asNeeded ?? false,
        route: concept(SYSTEMS.snomed, med.route),
        doseAndRate: [{ doseQuantity: { value: med.dose.value, unit: med.dose.unit } }],
      },
    ],
    dispenseRequest: {
      validityPeriod: { start: fhirDate(visit.day), end: fhirDate(visit.day + (med.courseDays ?? 365)) },
      numberOfRepeatsAllowed: med.refills,
      quantity: { value: med.dispense.value, unit: med.dispense.unit },
      expectedSupplyDuration: ucum(med.supplyDays, 'd', 'days'),
    },
    substitution: { allowedBoolean: true },
    priorPrescription: priorId ? ref('MedicationRequest', priorId) : undefined,
  };
}

/**
 * One order per planned medication, written at the prescriber's first visit. Some patients first tried another
 * SSRI, stopped at the next visit and replaced by the current one.
 */
export function medicationResources(ctx: PatientContext, records: readonly VisitRecord[]): MedicationRequest[] {
  const out: MedicationRequest[] = [];
  for (const planned of ctx.profile.medications) {
    const stream = ctx.profile.streams.find((s) => s.stream === planned.prescriberStream);
    const visits = records.filter((r) => r.visit.stream === planned.prescriberStream && r.encounterId);
    if (!stream || visits.length === 0) continue;
    const status = stream.ongoing ? 'active' : 'stopped';
    let priorId: string | undefined;
    let record = visits[0];
    if (planned.replaces && visits.length > 1) {
      const prior = medicationRequest(ctx, planned.replaces, planned, visits[0], 'stopped');
      out.push(prior);
      priorId = prior.id;
      record = visits[1];
    }
    const request = medicationRequest(ctx, planned.key, planned, record, status, priorId);
    ctx.medicationIds.set(planned.key, request.id as string);
    if (request.status === 'active') ctx.medicationStart.set(planned.key, record.visit.day);
    out.push(request);
  }
  return out;
}
