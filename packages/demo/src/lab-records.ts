import type { DiagnosticReport, Observation, ObservationReferenceRange } from '@medplum/fhirtypes';
import type { PatientContext, VisitRecord } from './context.ts';
import type { ClinicalCourse } from './course.ts';
import { ageOn, fhirDateTime } from './dates.ts';
import { concept, ref, round, ucum } from './fhir-helpers.ts';
import { LAB_PANELS, LAB_TESTS, interpretationCode, rangeFor, type LabPanelKey, type LabTestKey } from './labs.ts';
import { demoMeta } from './meta.ts';
import { ORGANIZATION } from './practice.ts';
import { SYSTEMS } from './systems.ts';

const LABORATORY_CATEGORY = concept(SYSTEMS.observationCategory, { code: 'laboratory', display: 'Laboratory' });
const LAB_SECTION = concept(SYSTEMS.diagnosticServiceSection, { code: 'LAB', display: 'Laboratory' });

/** Tracks when each panel was last drawn, to order monitoring labs at sensible intervals. */
export class LabOrders {
  private readonly last = new Map<LabPanelKey, number>();

  /** The panels ordered at a visit, following the monitoring each diagnosis and medication calls for. */
  panelsAt(ctx: PatientContext, record: VisitRecord): LabPanelKey[] {
    const { visit } = record;
    if (visit.telehealth) return [];
    const p = ctx.profile;
    const has = (k: string): boolean => (p.conditions as readonly string[]).includes(k);
    const due = (panel: LabPanelKey, days: number): boolean => visit.day - (this.last.get(panel) ?? Number.NEGATIVE_INFINITY) >= days;
    const out = new Set<LabPanelKey>();
    switch (visit.stream) {
      case 'primary-care': {
        const preventive = visit.kind.startsWith('preventive');
        const age = ageOn(p.birthDay, visit.day);
        const chronic = has('htn') || has('t2dm') || has('hld');
        if (visit.first && (age >= 40 || chronic)) {
          out.add('bmp');
          if (age >= 40 || has('hld') || has('t2dm')) out.add('lipid');
        }
        if (has('t2dm') && due('a1c', 80)) out.add('a1c');
        if ((has('htn') || has('t2dm')) && due('bmp', 300)) out.add('bmp');
        if ((has('hld') || has('t2dm')) && due('lipid', 300)) out.add('lipid');
        if (preventive && due('cbc', 330)) out.add('cbc');
        if (preventive && age >= 40 && due('lipid', 330)) out.add('lipid');
        break;
      }
      case 'psychiatry':
        if (p.medications.some((m) => m.key === 'lithium-300')) {
          if (visit.first) out.add('bmp').add('tsh');
          else {
            if (due('lithium', 80)) out.add('lithium');
            if (due('tsh', 300)) out.add('tsh');
            if (due('bmp', 300)) out.add('bmp');
          }
        }
        break;
      case 'sud-medical':
        if (visit.first) out.add('hepatic').add('cbc');
        else if (has('aud') && due('hepatic', 150)) out.add('hepatic');
        break;
      default:
        break;
    }
    for (const panel of out) this.last.set(panel, visit.day);
    return [...out];
  }
}

function referenceRange(test: LabTestKey, sex: 'female' | 'male'): ObservationReferenceRange {
  const def = LAB_TESTS[test];
  const range = rangeFor(def, sex);
  return {
    low: range.low !== undefined ? ucum(range.low, def.unit.code, def.unit.display) : undefined,
    high: range.high !== undefined ? ucum(range.high, def.unit.code, def.unit.display) : undefined,
    text: def.rangeText,
  };
}

/** The observations of one panel draw and the DiagnosticReport that groups them. */
export function labPanel(
  ctx: PatientContext,
  course: ClinicalCourse,
  record: VisitRecord,
  panelKey: LabPanelKey,
): { observations: Observation[]; report: DiagnosticReport } {
  const panel = LAB_PANELS[panelKey];
  const { visit } = record;
  const collected = fhirDateTime(visit.day, visit.start + 20);
  const issued = fhirDateTime(visit.day, 19 * 60 + ctx.rng.int(0, 170));
  const values = new Map<LabTestKey, number>();
  for (const test of panel.tests) if (test !== 'cholesterol') values.set(test, round(course.lab(test, visit.day), LAB_TESTS[test].decimals));
  if (panel.tests.includes('cholesterol')) {
    // Friedewald: LDL = total - HDL - triglycerides / 5, so the total is derived from the fractions.
    values.set('cholesterol', Math.round((values.get('ldl') ?? 0) + (values.get('hdl') ?? 0) + (values.get('triglycerides') ?? 0) / 5));
  }
  const observations = panel.tests.map((test): Observation => {
    const def = LAB_TESTS[test];
    const value = values.get(test) as number;
    return {
      resourceType: 'Observation',
      id: ctx.nextId('Observation'),
      meta: demoMeta({ part2: record.part2 }),
      status: 'final',
      category: [LABORATORY_CATEGORY],
      code: concept(SYSTEMS.loinc, def.loinc),
      subject: ctx.patientRef,
      encounter: ref('Encounter', record.encounterId as string),
      effectiveDateTime: collected,
      issued,
      performer: [ref('Organization', ORGANIZATION.lab)],
      valueQuantity: ucum(value, def.unit.code, def.unit.display),
      interpretation: [concept(SYSTEMS.interpretation, interpretationCode(value, rangeFor(def, ctx.profile.sex)))],
      referenceRange: [referenceRange(test, ctx.profile.sex)],
    };
  });
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id: ctx.nextId('DiagnosticReport'),
    meta: demoMeta({ part2: record.part2 }),
    status: 'final',
    category: [LAB_SECTION, concept(SYSTEMS.diagnosticServiceSection, panel.section)],
    code: concept(SYSTEMS.loinc, panel.loinc),
    subject: ctx.patientRef,
    encounter: ref('Encounter', record.encounterId as string),
    effectiveDateTime: collected,
    issued,
    performer: [ref('Organization', ORGANIZATION.lab)],
    resultsInterpreter: [ref('Practitioner', visit.practitionerId)],
    result: observations.map((o) => ref('Observation', o.id as string)),
  };
  return { observations, report };
}
