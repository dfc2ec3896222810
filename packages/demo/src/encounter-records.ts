import type { Appointment, Encounter, EncounterParticipant } from '@medplum/fhirtypes';
import { visitSlots } from './calendar-records.ts';
import type { PatientContext, VisitRecord } from './context.ts';
import { fhirDateTime } from './dates.ts';
import { concept, ref } from './fhir-helpers.ts';
import { demoMeta } from './meta.ts';
import type { Visit } from './model.ts';
import { LOCATION, siteLocation, siteOrganization, PRACTICE_NAME, RIVERSIDE_NAME } from './practice.ts';
import { PRACTITIONER, staffMember } from './staff.ts';
import { SYSTEMS } from './systems.ts';
import { streamConditions } from './timeline.ts';
import { VISITS } from './visits.ts';

/** Past visits this recent keep their (fulfilled) Appointment; older history has Encounters only. */
const APPOINTMENT_HISTORY_DAYS = 90;

/** HL7 v2 table 0276 displays. */
const APPOINTMENT_TYPE_DISPLAY = {
  ROUTINE: 'Routine appointment - default if not valued',
  FOLLOWUP: 'A follow up visit from a previous appointment',
  CHECKUP: 'A routine check-up, such as an annual physical',
} as const;

const PRIMARY_PERFORMER = concept(SYSTEMS.participationType, { code: 'PPRF', display: 'primary performer' });
const PARTICIPANT = concept(SYSTEMS.participationType, { code: 'PART', display: 'Participation' });

function locationOf(visit: Visit): string {
  return visit.telehealth ? LOCATION.telehealth : siteLocation(visit.site);
}

function visitCode(visit: Visit) {
  const def = VISITS[visit.kind];
  return concept(def.system === 'cpt' ? SYSTEMS.cpt : SYSTEMS.hcpcs, def.code, def.label);
}

/** Whether a nurse rooms the patient (vitals, injections): in-person medical visits. */
export function nurseRooms(visit: Visit): boolean {
  return VISITS[visit.kind].medical && !visit.telehealth;
}

function appointmentResource(ctx: PatientContext, visit: Visit, part2: boolean): Appointment {
  const def = VISITS[visit.kind];
  const clinician = staffMember(visit.practitionerId);
  const createdDay = Math.min(ctx.today - 1, visit.day - ctx.rng.int(3, 35));
  const reasons = ctx.conditionRefs(streamConditions(ctx.profile, visit.stream), part2);
  return {
    resourceType: 'Appointment',
    id: ctx.nextId('Appointment'),
    meta: demoMeta({ part2 }),
    status: visit.upcoming ? 'booked' : 'fulfilled',
    appointmentType: concept(SYSTEMS.appointmentReason, { code: def.appointmentType, display: APPOINTMENT_TYPE_DISPLAY[def.appointmentType] }),
    reasonReference: reasons.length > 0 ? reasons : undefined,
    description: `${def.label}${visit.telehealth ? ' (telehealth)' : ''} with ${clinician.display}`,
    start: fhirDateTime(visit.day, visit.start),
    end: fhirDateTime(visit.day, visit.end),
    minutesDuration: visit.end - visit.start,
    slot: visitSlots(visit),
    created: fhirDateTime(createdDay, ctx.rng.int(8 * 60, 17 * 60)),
    patientInstruction: visit.telehealth ? 'Join the video visit from the patient portal 5 minutes before the start time.' : undefined,
    participant: [
      { actor: ctx.patientRef, required: 'required', status: 'accepted' },
      { actor: ref('Practitioner', clinician.id, clinician.display), required: 'required', status: 'accepted' },
      { actor: ref('Location', locationOf(visit)), required: 'required', status: 'accepted' },
    ],
  };
}

function encounterResource(ctx: PatientContext, visit: Visit, part2: boolean, appointmentId: string | undefined): Encounter {
  const clinician = staffMember(visit.practitionerId);
  const period = { start: fhirDateTime(visit.day, visit.start), end: fhirDateTime(visit.day, visit.end) };
  const participant: EncounterParticipant[] = [
    { type: [PRIMARY_PERFORMER], individual: ref('Practitioner', clinician.id, clinician.display), period },
  ];
  if (nurseRooms(visit)) {
    const nurse = staffMember(PRACTITIONER.nurse);
    participant.push({ type: [PARTICIPANT], individual: ref('Practitioner', nurse.id, nurse.display) });
  }
  const diagnoses = ctx.conditionRefs(streamConditions(ctx.profile, visit.stream), part2);
  return {
    resourceType: 'Encounter',
    id: ctx.nextId('Encounter'),
    meta: demoMeta({ part2 }),
    status: 'finished',
    class: visit.telehealth
      ? { system: SYSTEMS.actCode, code: 'VR', display: 'virtual' }
      : { system: SYSTEMS.actCode, code: 'AMB', display: 'ambulatory' },
    type: [visitCode(visit)],
    subject: ctx.patientRef,
    participant,
    appointment: appointmentId ? [ref('Appointment', appointmentId)] : undefined,
    period,
    diagnosis: diagnoses.length
      ? diagnoses.map((condition, i) => ({ condition, use: concept(SYSTEMS.diagnosisRole, { code: 'billing', display: 'Billing' }), rank: i + 1 }))
      : undefined,
    location: [{ location: ref('Location', locationOf(visit)), status: 'completed', period }],
    serviceProvider: ref('Organization', siteOrganization(visit.site), visit.site === 'riverside' ? RIVERSIDE_NAME : PRACTICE_NAME),
  };
}

/** Appointments (recent and upcoming) and Encounters (past) for every visit. */
export function visitRecords(ctx: PatientContext, visits: readonly Visit[]): VisitRecord[] {
  const appointments = new Map<Visit, string>();
  for (const visit of visits) {
    if (!visit.upcoming && visit.day < ctx.today - APPOINTMENT_HISTORY_DAYS) continue;
    const appointment = ctx.add(appointmentResource(ctx, visit, visit.site === 'riverside'));
    appointments.set(visit, appointment.id as string);
  }
  return visits.map((visit) => {
    const part2 = visit.site === 'riverside';
    const appointmentId = appointments.get(visit);
    if (visit.upcoming) return { visit, appointmentId, part2 };
    const encounter = ctx.add(encounterResource(ctx, visit, part2, appointmentId));
    return { visit, appointmentId, encounterId: encounter.id as string, part2 };
  });
}
