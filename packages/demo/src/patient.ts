import type { Bundle } from '@medplum/fhirtypes';
import { transactionBundle } from './bundle.ts';
import { PatientContext } from './context.ts';
import { ClinicalCourse } from './course.ts';
import { nurseRooms, visitRecords } from './encounter-records.ts';
import { immunizationResources } from './immunization-records.ts';
import { LabOrders, labPanel } from './lab-records.ts';
import { medicationResources } from './medication-records.ts';
import { noteResources } from './note-records.ts';
import { coverageResource, patientResource } from './patient-record.ts';
import { allergyResources, conditionResources } from './problem-records.ts';
import { buildProfile } from './profile.ts';
import { Rng } from './prng.ts';
import type { Schedule } from './schedule.ts';
import { surveyObservation, surveysAt } from './survey-records.ts';
import { planVisits } from './timeline.ts';
import { vitalSigns } from './vital-records.ts';

/** One patient's chart as a transaction Bundle. */
export function patientBundle(seed: number, index: number, today: number, schedule: Schedule): Bundle {
  const profile = buildProfile(seed, index, today);
  // Separate streams, so that scheduling around other patients never changes this patient's clinical content.
  const visits = planVisits(profile, today, schedule, Rng.derive(seed, 'schedule', index));
  const ctx = new PatientContext(profile, today, Rng.derive(seed, 'chart', index));
  const past = visits.filter((v) => !v.upcoming);
  // The clinical course runs from the start of behavioral-health or substance-use care (else from the first visit).
  const careStart = past.find((v) => v.stream !== 'primary-care') ?? past[0];
  ctx.careStartDay = careStart ? careStart.day : today;

  ctx.add(patientResource(ctx));
  const coverage = coverageResource(ctx, past.length > 0 ? past[0].day : today);
  if (coverage) ctx.add(coverage);
  for (const condition of conditionResources(ctx, past)) ctx.add(condition);
  for (const allergy of allergyResources(ctx, past)) ctx.add(allergy);
  const records = visitRecords(ctx, visits);
  for (const request of medicationResources(ctx, records)) ctx.add(request);

  const course = new ClinicalCourse(ctx);
  const labs = new LabOrders();
  const seen = new Map<string, number>();
  for (const record of records) {
    if (!record.encounterId) continue;
    const n = seen.get(record.visit.stream) ?? 0;
    seen.set(record.visit.stream, n + 1);
    for (const survey of surveysAt(ctx, record, n)) ctx.add(surveyObservation(ctx, course, record, survey));
    if (nurseRooms(record.visit)) for (const vital of vitalSigns(ctx, course, record)) ctx.add(vital);
    for (const panel of labs.panelsAt(ctx, record)) {
      const { observations, report } = labPanel(ctx, course, record, panel);
      for (const o of observations) ctx.add(o);
      ctx.add(report);
    }
  }
  for (const immunization of immunizationResources(ctx, records)) ctx.add(immunization);
  for (const note of noteResources(ctx, records, Rng.derive(seed, 'notes', index))) ctx.add(note);

  return transactionBundle(ctx.all(), Rng.derive(seed, 'uuid', index));
}
