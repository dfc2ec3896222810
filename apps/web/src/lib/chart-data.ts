import type { AllergyIntolerance, Appointment, Condition, Encounter, Immunization, MedicationRequest, Observation, Patient, Resource } from '@medplum/fhirtypes';
import type { FhirClient, SearchResult } from './fhir-client.ts';
import { isShownObservation } from './chart-edits.ts';

export interface ChartData {
  patient: Patient;
  conditions: Condition[];
  medications: MedicationRequest[];
  allergies: AllergyIntolerance[];
  immunizations: Immunization[];
  vitals: Observation[];
  labs: Observation[];
  encounters: Encounter[];
  appointments: Appointment[];
  /** Newest first, at most a page: the summary's "latest" and "recent". */
  /** Some search answered with a `suppressed` notice: records withheld by consent. */
  withheld: boolean;
  /** Labels on what was shown (e.g. 42CFRPart2), for the banner's flags. */
  securityLabels: Set<string>;
}

/**
 * Everything the chart shows, one search per section, all at once. Each search is bounded (`_count`) and
 * sorted by the server, so a patient with thousands of resources costs a handful of indexed queries.
 */
export async function loadChart(fhir: FhirClient, patientId: string, now = new Date()): Promise<ChartData> {
  const patient = `Patient/${patientId}`;
  // The summary needs only the newest vitals and results; the Vitals & labs tab loads the full series itself.
  const [p, conditions, medications, allergies, immunizations, vitals, labs, encounters, appointments] = await Promise.all([
    fhir.read<Patient>('Patient', patientId),
    fhir.search<Condition>('Condition', { patient, _count: 200, _sort: '-_lastUpdated' }),
    fhir.search<MedicationRequest>('MedicationRequest', { patient, _count: 200, _sort: '-authoredon' }),
    fhir.search<AllergyIntolerance>('AllergyIntolerance', { patient, _count: 100 }),
    fhir.search<Immunization>('Immunization', { patient, _count: 10, _sort: '-date' }),
    fhir.search<Observation>('Observation', { patient, category: 'vital-signs', _count: 40, _sort: '-date' }),
    fhir.search<Observation>('Observation', { patient, category: 'laboratory', _count: 10, _sort: '-date' }),
    fhir.search<Encounter>('Encounter', { patient, _count: 10, _sort: '-date' }),
    fhir.search<Appointment>('Appointment', { patient, date: `ge${now.toISOString().slice(0, 10)}`, _count: 10, _sort: 'date' }),
  ]);
  const all: SearchResult<Resource>[] = [conditions, medications, allergies, immunizations, vitals, labs, encounters, appointments];
  const labels = new Set<string>();
  for (const r of [p, ...all.flatMap((s) => s.resources)]) for (const l of r.meta?.security ?? []) if (l.code) labels.add(l.code);
  return {
    patient: p,
    conditions: conditions.resources,
    medications: medications.resources,
    allergies: allergies.resources,
    immunizations: immunizations.resources,
    vitals: vitals.resources,
    labs: labs.resources,
    encounters: encounters.resources,
    appointments: appointments.resources.filter((a) => a.status !== 'cancelled'),
    withheld: all.some((s) => s.suppressed),
    securityLabels: labels,
  };
}

export function isActiveCondition(c: Condition): boolean {
  const s = c.clinicalStatus?.coding?.[0]?.code;
  return s === 'active' || s === 'recurrence' || s === 'relapse';
}

export function isActiveMedication(m: MedicationRequest): boolean {
  return m.status === 'active' || m.status === 'on-hold' || m.status === 'draft';
}

/** Observations grouped by code (LOINC), oldest first: one series per vital sign or lab test. */
export interface Series {
  key: string;
  label: string;
  unit: string;
  points: { t: number; v: number; date: string }[];
}

export function seriesOf(observations: Observation[]): Series[] {
  const map = new Map<string, Series>();
  const add = (key: string, label: string, unit: string, date: string | undefined, v: number | undefined) => {
    if (v === undefined || !date) return;
    let s = map.get(key);
    if (!s) map.set(key, (s = { key, label, unit, points: [] }));
    s.points.push({ t: new Date(date).getTime(), v, date });
  };
  for (const o of observations) {
    if (!isShownObservation(o)) continue;
    const date = o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued;
    const c = o.code?.coding?.[0];
    const label = o.code?.text ?? c?.display ?? c?.code ?? 'Observation';
    if (o.component?.length) {
      for (const comp of o.component) {
        const cc = comp.code?.coding?.[0];
        add(`${c?.code}|${cc?.code}`, comp.code?.text ?? cc?.display ?? label, comp.valueQuantity?.unit ?? '', date, comp.valueQuantity?.value);
      }
    } else add(c?.code ?? label, label, o.valueQuantity?.unit ?? '', date, o.valueQuantity?.value);
  }
  for (const s of map.values()) s.points.sort((a, b) => a.t - b.t);
  return [...map.values()].sort((a, b) => a.label.localeCompare(b.label));
}

/** The newest value of each series. */
export function latest(series: Series[]): { label: string; value: string; date: string }[] {
  return series.map((s) => {
    const p = s.points[s.points.length - 1];
    return { label: s.label, value: `${Math.round(p.v * 10) / 10} ${s.unit}`.trim(), date: p.date };
  });
}

/** The full series for the Vitals & labs tab (one search per category, newest first, up to 1,000 each). */
export async function loadObservations(fhir: FhirClient, patientId: string): Promise<{ vitals: Observation[]; labs: Observation[]; withheld: boolean }> {
  const patient = `Patient/${patientId}`;
  const [vitals, labs] = await Promise.all([
    fhir.search<Observation>('Observation', { patient, category: 'vital-signs', _count: 1000, _sort: '-date' }),
    fhir.search<Observation>('Observation', { patient, category: 'laboratory', _count: 1000, _sort: '-date' }),
  ]);
  return { vitals: vitals.resources, labs: labs.resources, withheld: vitals.suppressed || labs.suppressed };
}
