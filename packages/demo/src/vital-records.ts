import type { Observation } from '@medplum/fhirtypes';
import type { PatientContext, VisitRecord } from './context.ts';
import type { ClinicalCourse } from './course.ts';
import { fhirDateTime } from './dates.ts';
import { concept, ref, round, ucum } from './fhir-helpers.ts';
import { demoMeta } from './meta.ts';
import { PRACTITIONER } from './staff.ts';
import { SYSTEMS } from './systems.ts';
import { BP_COMPONENTS, MM_HG, VITALS, type VitalKey } from './vitals.ts';

const VITAL_SIGNS_CATEGORY = concept(SYSTEMS.observationCategory, { code: 'vital-signs', display: 'Vital Signs' });

function vital(ctx: PatientContext, record: VisitRecord, key: VitalKey, effective: string, value: Partial<Observation>): Observation {
  const def = VITALS[key];
  return {
    resourceType: 'Observation',
    id: ctx.nextId('Observation'),
    meta: demoMeta({ profile: def.profile, part2: record.part2 }),
    status: 'final',
    category: [VITAL_SIGNS_CATEGORY],
    code: concept(SYSTEMS.loinc, def.loinc),
    subject: ctx.patientRef,
    encounter: ref('Encounter', record.encounterId as string),
    effectiveDateTime: effective,
    performer: [ref('Practitioner', PRACTITIONER.nurse)],
    ...value,
  };
}

function quantity(key: VitalKey, value: number) {
  const def = VITALS[key];
  if (!def.unit) throw new Error(`${key} has components, not a value`);
  return { valueQuantity: ucum(round(value, def.decimals), def.unit.code, def.unit.display) };
}

/** Vitals taken when the nurse rooms the patient: the full set in primary care, a shorter one elsewhere. */
export function vitalSigns(ctx: PatientContext, course: ClinicalCourse, record: VisitRecord): Observation[] {
  const { visit } = record;
  const effective = fhirDateTime(visit.day, visit.start + 5);
  const full = visit.stream === 'primary-care';
  const bp = course.bloodPressure(visit.day);
  const out: Observation[] = [
    vital(ctx, record, 'bp', effective, {
      component: [
        { code: concept(SYSTEMS.loinc, BP_COMPONENTS.systolic), valueQuantity: ucum(bp.systolic, MM_HG.code, MM_HG.display) },
        { code: concept(SYSTEMS.loinc, BP_COMPONENTS.diastolic), valueQuantity: ucum(bp.diastolic, MM_HG.code, MM_HG.display) },
      ],
    }),
    vital(ctx, record, 'heart-rate', effective, quantity('heart-rate', course.heartRate())),
  ];
  if (full || ctx.rng.chance(0.5)) {
    const weight = course.weightKg(visit.day);
    const h = ctx.profile.heightCm / 100;
    out.push(vital(ctx, record, 'body-weight', effective, quantity('body-weight', weight)));
    if (full && (visit.first || visit.kind.startsWith('preventive'))) {
      out.push(vital(ctx, record, 'body-height', effective, quantity('body-height', ctx.profile.heightCm)));
    }
    out.push(vital(ctx, record, 'bmi', effective, quantity('bmi', weight / (h * h))));
  }
  if (full && ctx.rng.chance(0.5)) out.push(vital(ctx, record, 'body-temp', effective, quantity('body-temp', course.temperature())));
  return out;
}
