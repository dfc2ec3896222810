import type { AllergyIntolerance, Condition } from '@medplum/fhirtypes';
import { ALLERGIES, REACTIONS } from './allergies.ts';
import { CONDITIONS, type ConditionKey } from './conditions.ts';
import type { PatientContext } from './context.ts';
import { fhirDate, fhirDateTime } from './dates.ts';
import { coding, concept, ref } from './fhir-helpers.ts';
import { demoMeta } from './meta.ts';
import type { Visit } from './model.ts';
import { SYSTEMS } from './systems.ts';
import { streamConditions } from './timeline.ts';

/** The visit at which a diagnosis was made: the first past visit of a stream that treats it. */
export function diagnosingVisit(ctx: PatientContext, past: readonly Visit[], condition: ConditionKey): Visit | undefined {
  return past.find((v) => streamConditions(ctx.profile, v.stream).includes(condition)) ?? past[0];
}

export function conditionResources(ctx: PatientContext, past: readonly Visit[]): Condition[] {
  const p = ctx.profile;
  const out: Condition[] = [];
  for (const key of p.conditions) {
    const def = CONDITIONS[key];
    const visit = diagnosingVisit(ctx, past, key);
    if (!visit) continue;
    const part2 = def.part2 || visit.site === 'riverside';
    const id = ctx.nextId('Condition');
    ctx.conditionIds.set(key, id);
    if (part2) ctx.part2Conditions.add(key);
    const onsetDay = Math.min(visit.day - 14, Math.max(p.birthDay + 6 * 365, visit.day - Math.round(ctx.rng.between(...def.onsetYears) * 365)));
    const therapy = p.streams.find((s) => s.stream === 'therapy');
    const resolved = key === 'adjustment' && therapy !== undefined && !therapy.ongoing;
    const lastTherapy = past.filter((v) => v.stream === 'therapy').at(-1);
    out.push({
      resourceType: 'Condition',
      id,
      meta: demoMeta({ part2 }),
      clinicalStatus: resolved
        ? concept(SYSTEMS.conditionClinical, { code: 'resolved', display: 'Resolved' })
        : concept(SYSTEMS.conditionClinical, { code: 'active', display: 'Active' }),
      verificationStatus: concept(SYSTEMS.conditionVerification, { code: 'confirmed', display: 'Confirmed' }),
      category: [concept(SYSTEMS.conditionCategory, { code: 'problem-list-item', display: 'Problem List Item' })],
      code: {
        coding: [coding(SYSTEMS.icd10cm, def.icd10), ...(def.snomed ? [coding(SYSTEMS.snomed, def.snomed)] : [])],
        text: def.icd10.display,
      },
      subject: ctx.patientRef,
      onsetDateTime: fhirDate(onsetDay),
      abatementDateTime: resolved && lastTherapy ? fhirDate(lastTherapy.day) : undefined,
      recordedDate: fhirDateTime(visit.day, visit.start + 40),
      recorder: ref('Practitioner', visit.practitionerId),
      asserter: ref('Practitioner', visit.practitionerId),
    });
  }
  return out;
}

export function allergyResources(ctx: PatientContext, past: readonly Visit[]): AllergyIntolerance[] {
  const first = past[0];
  if (!first) return [];
  return ctx.profile.allergies.map((key): AllergyIntolerance => {
    const def = ALLERGIES[key];
    const reaction = ctx.rng.pick(def.reactions);
    const severe = reaction.code === REACTIONS.anaphylaxis.code;
    return {
      resourceType: 'AllergyIntolerance',
      id: ctx.nextId('AllergyIntolerance'),
      meta: demoMeta({ part2: first.site === 'riverside' }),
      clinicalStatus: concept(SYSTEMS.allergyClinical, { code: 'active', display: 'Active' }),
      verificationStatus: concept(SYSTEMS.allergyVerification, { code: 'confirmed', display: 'Confirmed' }),
      type: def.type,
      category: [def.category],
      criticality: severe ? 'high' : 'low',
      code: {
        coding: [coding(SYSTEMS.snomed, def.snomed), ...(def.rxnorm ? [coding(SYSTEMS.rxnorm, def.rxnorm)] : [])],
        text: def.snomed.display,
      },
      patient: ctx.patientRef,
      recordedDate: fhirDateTime(first.day, first.start + 10),
      recorder: ref('Practitioner', first.practitionerId),
      reaction: [{ manifestation: [concept(SYSTEMS.snomed, reaction)], severity: severe ? 'severe' : ctx.rng.pick(['mild', 'moderate'] as const) }],
    };
  });
}
