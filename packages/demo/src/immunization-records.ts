import type { Immunization } from '@medplum/fhirtypes';
import type { PatientContext, VisitRecord } from './context.ts';
import { ageOn, civil, dayNumber, fhirDate, fhirDateTime, weekdayOnOrBefore } from './dates.ts';
import { nurseRooms } from './encounter-records.ts';
import { concept, ref, ucum } from './fhir-helpers.ts';
import { VACCINES, type VaccineKey } from './immunizations.ts';
import { demoMeta } from './meta.ts';
import { siteLocation } from './practice.ts';
import { PRACTITIONER } from './staff.ts';
import { SYSTEMS } from './systems.ts';
import { HISTORY_DAYS } from './timeline.ts';

const ADMINISTERING = concept(SYSTEMS.performerFunction, { code: 'AP', display: 'Administering Provider' });

function lotNumber(ctx: PatientContext): string {
  return `${ctx.rng.chars('ABCDEFGHJKLMNPRSTUVWXYZ', 2)}${ctx.rng.chars('0123456789', 4)}${ctx.rng.chars('ABCDEFGHJKLMNPRSTUVWXYZ', 1)}`;
}

function administered(ctx: PatientContext, key: VaccineKey, record: VisitRecord): Immunization {
  const def = VACCINES[key];
  const { visit } = record;
  const arm = ctx.rng.chance(0.5) ? { code: 'LA', display: 'left arm' } : { code: 'RA', display: 'right arm' };
  return {
    resourceType: 'Immunization',
    id: ctx.nextId('Immunization'),
    meta: demoMeta({ part2: record.part2 }),
    status: 'completed',
    vaccineCode: concept(SYSTEMS.cvx, def.cvx),
    patient: ctx.patientRef,
    encounter: ref('Encounter', record.encounterId as string),
    occurrenceDateTime: fhirDateTime(visit.day, visit.end - 10),
    recorded: fhirDateTime(visit.day, visit.end - 5),
    primarySource: true,
    location: ref('Location', siteLocation(visit.site)),
    manufacturer: { display: def.manufacturer },
    lotNumber: lotNumber(ctx),
    expirationDate: fhirDate(visit.day + ctx.rng.int(120, 400)),
    site: concept(SYSTEMS.actSite, arm),
    route: concept(SYSTEMS.routeOfAdministration, { code: 'IM', display: 'Injection, intramuscular' }),
    doseQuantity: ucum(def.doseMl, 'mL'),
    performer: [{ function: ADMINISTERING, actor: ref('Practitioner', PRACTITIONER.nurse) }],
  };
}

function historical(ctx: PatientContext, key: VaccineKey, day: number): Immunization {
  const def = VACCINES[key];
  return {
    resourceType: 'Immunization',
    id: ctx.nextId('Immunization'),
    meta: demoMeta(),
    status: 'completed',
    vaccineCode: concept(SYSTEMS.cvx, def.cvx),
    patient: ctx.patientRef,
    occurrenceDateTime: fhirDate(day),
    primarySource: false,
    reportOrigin: concept(SYSTEMS.immunizationOrigin, { code: 'record', display: 'Written Record' }),
  };
}

function fluVaccine(ctx: PatientContext, seasonYear: number): VaccineKey {
  if (seasonYear >= 2024) return 'flu-tiv-pf';
  return ctx.rng.chance(0.85) ? 'flu-qiv-pf' : 'flu-qiv';
}

/**
 * Vaccines given by the nurse at in-person visits (flu in season, pneumococcal, zoster, hepatitis A/B for
 * people in opioid treatment) and outside records of earlier doses (Tdap, COVID-19, flu at a pharmacy).
 */
export function immunizationResources(ctx: PatientContext, records: readonly VisitRecord[]): Immunization[] {
  const p = ctx.profile;
  const out: Immunization[] = [];
  const inPerson = records.filter(
    (r) => r.encounterId && nurseRooms(r.visit) && (r.visit.stream === 'primary-care' || r.visit.stream === 'sud-medical'),
  );
  const earliest = ctx.today - HISTORY_DAYS;

  // Influenza, each season (September to December) within the history window.
  const firstYear = civil(earliest).year;
  for (let year = firstYear; year <= civil(ctx.today).year; year++) {
    const seasonStart = Math.max(earliest, dayNumber(year, 9, 1));
    const seasonEnd = Math.min(ctx.today - 1, dayNumber(year, 12, 31));
    if (seasonStart > seasonEnd) continue;
    const visit = inPerson.find((r) => r.visit.day >= seasonStart && r.visit.day <= seasonEnd && !r.part2);
    if (visit && ctx.rng.chance(0.65)) {
      out.push(administered(ctx, fluVaccine(ctx, year), visit));
    } else if (ctx.rng.chance(0.35)) {
      const lo = Math.max(seasonStart, dayNumber(year, 9, 15));
      const hi = Math.min(seasonEnd, dayNumber(year, 11, 30));
      if (lo <= hi) out.push(historical(ctx, fluVaccine(ctx, year), weekdayOnOrBefore(ctx.rng.int(lo, hi))));
    }
  }

  const age = ageOn(p.birthDay, ctx.today);
  const practiceVisits = inPerson.filter((r) => !r.part2);
  if ((age >= 65 || p.conditions.some((c) => ['t2dm', 'asthma', 'tobacco'].includes(c))) && practiceVisits.length > 0 && ctx.rng.chance(0.5)) {
    out.push(administered(ctx, 'ppsv23', ctx.rng.pick(practiceVisits)));
  }
  if (age >= 50 && practiceVisits.length > 0 && ctx.rng.chance(0.35)) {
    const first = ctx.rng.pick(practiceVisits);
    out.push(administered(ctx, 'zoster', first));
    const second = practiceVisits.find((r) => r.visit.day >= first.visit.day + 60);
    if (second) out.push(administered(ctx, 'zoster', second));
  }
  if (p.conditions.includes('oud')) {
    const intake = inPerson.find((r) => r.visit.stream === 'sud-medical');
    if (intake && ctx.rng.chance(0.6)) {
      out.push(administered(ctx, 'hepa-adult', intake));
      out.push(administered(ctx, 'hepb-adult', intake));
    }
  }

  // Outside records.
  if (ctx.rng.chance(0.3)) out.push(historical(ctx, 'tdap', ctx.today - ctx.rng.int(200, 9 * 365)));
  const covidStart = dayNumber(2020, 12, 11);
  if (ctx.rng.chance(0.3)) {
    const day = dayNumber(2021, ctx.rng.int(3, 8), ctx.rng.int(1, 28));
    if (day >= covidStart && day < ctx.today - 1) out.push(historical(ctx, 'covid-pfizer', day));
  }
  if (ctx.rng.chance(0.4)) {
    const day = ctx.today - ctx.rng.int(60, HISTORY_DAYS);
    if (day >= covidStart) out.push(historical(ctx, 'covid-unspecified', day));
  }
  return out.sort((a, b) => String(a.occurrenceDateTime).localeCompare(String(b.occurrenceDateTime)));
}
