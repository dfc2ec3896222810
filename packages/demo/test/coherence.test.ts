import type { Appointment, Condition, Encounter, MedicationRequest, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { demoPatientUsers, isPart2Labelled, LOCATION, ORGANIZATION } from '../src/index.ts';
import { SYSTEMS } from '../src/systems.ts';
import { defaultPractice, NOW, referencesIn } from './fixtures.ts';

const bundles = defaultPractice().slice(1);
const DAY = 86_400_000;

interface Chart {
  patient: Patient;
  resources: Resource[];
  of<T extends Resource>(type: T['resourceType']): T[];
  icd10: string[];
  rxnorm: string[];
}

const charts: Chart[] = bundles.map((b) => {
  const resources = (b.entry ?? []).map((e) => e.resource as Resource);
  const of = <T extends Resource>(type: T['resourceType']): T[] => resources.filter((r): r is T => r.resourceType === type);
  return {
    patient: resources[0] as Patient,
    resources,
    of,
    icd10: of<Condition>('Condition').flatMap((c) => c.code?.coding?.filter((x) => x.system === SYSTEMS.icd10cm).map((x) => x.code as string) ?? []),
    rxnorm: of<MedicationRequest>('MedicationRequest')
      .filter((m) => m.status === 'active')
      .map((m) => m.medicationCodeableConcept?.coding?.[0].code as string),
  };
});

const loincOf = (o: Observation): string | undefined => o.code.coding?.[0].code;
const rxOf = (m: MedicationRequest): string | undefined => m.medicationCodeableConcept?.coding?.[0].code;
const time = (s: string | undefined): number => new Date(s as string).getTime();

describe('clinical coherence', () => {
  it.each([
    ['buprenorphine/naloxone', '1010604', /^F11\./],
    ['naltrexone', '1483744', /^F10\./],
    ['metformin', '861007', /^E11\./],
    ['lisinopril', '314076', /^I10$/],
    ['amlodipine', '197361', /^I10$/],
    ['atorvastatin', '617310', /^E78\./],
    ['albuterol', '745679', /^J45\./],
    ['lithium', '197890', /^F31\./],
  ])('every %s order belongs to a patient with the matching diagnosis', (_name, rxcui, icd) => {
    let orders = 0;
    for (const chart of charts) {
      for (const m of chart.of<MedicationRequest>('MedicationRequest').filter((x) => rxOf(x) === rxcui)) {
        orders++;
        expect(chart.icd10.some((c) => icd.test(c)), `${chart.patient.id} ${m.id}`).toBe(true);
      }
    }
    expect(orders).toBeGreaterThan(0);
  });

  it('every HbA1c result belongs to a patient with diabetes, on metformin', () => {
    let count = 0;
    for (const chart of charts) {
      for (const o of chart.of<Observation>('Observation').filter((x) => loincOf(x) === '4548-4')) {
        count++;
        expect(chart.icd10.some((c) => c.startsWith('E11.')), chart.patient.id).toBe(true);
        expect(o.valueQuantity?.value).toBeGreaterThanOrEqual(5.8);
      }
    }
    expect(count).toBeGreaterThan(5);
  });

  it('every lithium level belongs to a patient taking lithium', () => {
    let count = 0;
    for (const chart of charts) {
      for (const _ of chart.of<Observation>('Observation').filter((x) => loincOf(x) === '14334-7')) {
        count++;
        expect(chart.rxnorm).toContain('197890');
      }
    }
    expect(count).toBeGreaterThan(0);
  });

  it('medication orders give the diagnoses they treat as reasons', () => {
    for (const chart of charts) {
      const conditions = new Set(chart.of<Condition>('Condition').map((c) => `Condition/${c.id}`));
      for (const m of chart.of<MedicationRequest>('MedicationRequest')) {
        expect(m.reasonReference?.length, m.id).toBeGreaterThan(0);
        for (const r of m.reasonReference ?? []) expect(conditions.has(r.reference as string)).toBe(true);
      }
    }
  });

  it('PHQ-9 scores of depressed patients improve over treatment on average', () => {
    const changes: number[] = [];
    for (const chart of charts.filter((c) => c.icd10.some((x) => x.startsWith('F32') || x.startsWith('F33')))) {
      const scores = chart
        .of<Observation>('Observation')
        .filter((o) => loincOf(o) === '44261-6')
        .sort((a, b) => time(a.effectiveDateTime) - time(b.effectiveDateTime))
        .map((o) => o.valueInteger as number);
      if (scores.length >= 3) changes.push(scores[scores.length - 1] - scores[0]);
    }
    expect(changes.length).toBeGreaterThan(5);
    expect(changes.reduce((s, x) => s + x, 0) / changes.length).toBeLessThan(-2);
  });

  it('BMI agrees with the weight and height measured', () => {
    for (const chart of charts) {
      const obs = chart.of<Observation>('Observation');
      const height = obs.find((o) => loincOf(o) === '8302-2')?.valueQuantity?.value;
      if (!height) continue;
      for (const bmi of obs.filter((o) => loincOf(o) === '39156-5')) {
        const weight = obs.find((o) => loincOf(o) === '29463-7' && o.encounter?.reference === bmi.encounter?.reference)?.valueQuantity?.value as number;
        expect(Math.abs((bmi.valueQuantity?.value as number) - weight / (height / 100) ** 2)).toBeLessThan(0.15);
      }
    }
  });

  it('patients are adults with realistic demographics', () => {
    for (const { patient } of charts) {
      const age = (NOW.getTime() - time(patient.birthDate)) / (365.25 * DAY);
      expect(age).toBeGreaterThanOrEqual(18);
      expect(age).toBeLessThan(95);
      expect(['female', 'male']).toContain(patient.gender);
      expect(patient.identifier?.find((i) => i.system === SYSTEMS.mrn)?.value).toMatch(/^\d{7}$/);
      expect(patient.telecom?.find((t) => t.system === 'phone')?.value).toMatch(/^\(\d{3}\) 555-01\d{2}$/);
      expect(patient.telecom?.find((t) => t.system === 'email')?.value).toMatch(/@example\.com$/);
      expect(patient.communication?.[0].language.coding?.[0].system).toBe(SYSTEMS.bcp47);
    }
    const mrns = charts.map((c) => c.patient.identifier?.[0].value);
    expect(new Set(mrns).size).toBe(mrns.length);
    expect(charts.filter((c) => c.of('Coverage').length > 0).length).toBeGreaterThan(80);
  });

  it('portal users are the persona patients', () => {
    for (const user of demoPatientUsers) {
      const chart = charts.find((c) => c.patient.id === user.patientId) as Chart;
      expect(`${chart.patient.name?.[0].given?.[0]} ${chart.patient.name?.[0].family}`).toBe(user.display);
      expect(chart.patient.telecom?.find((t) => t.system === 'email')?.value).toBe(user.email);
    }
    const daniel = charts[1];
    expect(daniel.icd10).toContain('F11.20');
    expect(daniel.rxnorm).toContain('1010604');
    const linda = charts[2];
    expect(linda.icd10).toEqual(expect.arrayContaining(['E11.9', 'I10', 'E78.5', 'F32.1']));
    expect(linda.of<Observation>('Observation').some((o) => loincOf(o) === '4548-4')).toBe(true);
  });
});

describe('42 CFR Part 2 program', () => {
  const riverside = [`Organization/${ORGANIZATION.riverside}`, `Location/${LOCATION.riverside}`];

  it('treats substance use disorders at Riverside Recovery, and only there', () => {
    let encounters = 0;
    for (const chart of charts) {
      for (const e of chart.of<Encounter>('Encounter')) {
        if (e.serviceProvider?.reference !== riverside[0]) continue;
        encounters++;
        expect(chart.icd10.some((c) => c.startsWith('F11.') || c.startsWith('F10.')), chart.patient.id).toBe(true);
      }
      for (const m of chart.of<MedicationRequest>('MedicationRequest').filter((x) => ['1010604', '1483744', '835726'].includes(rxOf(x) as string))) {
        const encounter = chart.of<Encounter>('Encounter').find((e) => `Encounter/${e.id}` === m.encounter?.reference);
        expect(encounter?.serviceProvider?.reference).toBe(riverside[0]);
      }
    }
    expect(encounters).toBeGreaterThan(30);
  });

  it('labels every Part 2 record and every SUD diagnosis', () => {
    let labelled = 0;
    for (const chart of charts) {
      for (const r of chart.resources) {
        const refs = referencesIn(r).map((x) => x.reference);
        const atRiverside = refs.some((x) => riverside.includes(x));
        const sud = r.resourceType === 'Condition' && (r as Condition).code?.coding?.some((c) => /^F1[01]\./.test(c.code ?? ''));
        if (atRiverside || sud) expect(isPart2Labelled(r.meta), `${r.resourceType}/${r.id}`).toBe(true);
        if (isPart2Labelled(r.meta)) {
          labelled++;
          expect(r.meta?.security?.some((c) => c.system === SYSTEMS.confidentiality && c.code === 'R')).toBe(true);
        }
      }
    }
    expect(labelled).toBeGreaterThan(100);
  });

  it('never points from an unlabelled record to a Part 2 record', () => {
    for (const chart of charts) {
      const part2 = new Set(chart.resources.filter((r) => isPart2Labelled(r.meta)).map((r) => `${r.resourceType}/${r.id}`));
      for (const r of chart.resources.filter((x) => !isPart2Labelled(x.meta))) {
        for (const { reference, path } of referencesIn(r)) expect(part2.has(reference), `${r.resourceType}/${r.id} ${path}`).toBe(false);
      }
    }
  });
});

describe('calendar', () => {
  const now = NOW.getTime();

  it('has history over the last two years and appointments in the next two weeks', () => {
    let upcoming = 0;
    let earliest = now;
    for (const chart of charts) {
      for (const e of chart.of<Encounter>('Encounter')) {
        expect(e.status).toBe('finished');
        expect(time(e.period?.end)).toBeLessThan(now);
        expect(time(e.period?.start)).toBeGreaterThan(now - 731 * DAY);
        earliest = Math.min(earliest, time(e.period?.start));
      }
      for (const a of chart.of<Appointment>('Appointment')) {
        expect(['booked', 'fulfilled']).toContain(a.status);
        if (a.status === 'booked') {
          upcoming++;
          expect(time(a.start)).toBeGreaterThan(now);
          expect(time(a.start)).toBeLessThan(now + 15 * DAY);
        } else {
          expect(time(a.end)).toBeLessThan(now);
          const encounter = chart.of<Encounter>('Encounter').find((e) => e.appointment?.[0]?.reference === `Appointment/${a.id}`);
          expect(encounter?.period?.start, a.id).toBe(a.start);
        }
        expect(time(a.created)).toBeLessThan(now);
      }
    }
    expect(earliest).toBeLessThan(now - 600 * DAY);
    expect(upcoming).toBeGreaterThan(60);
  });

  it('never books a clinician or a patient into two visits at once', () => {
    const busy = new Map<string, Array<[number, number]>>();
    const claim = (who: string, start: number, end: number, what: string): void => {
      const list = busy.get(who) ?? [];
      for (const [s, e] of list) expect(start < e && s < end, `${who} double-booked at ${what}`).toBe(false);
      list.push([start, end]);
      busy.set(who, list);
    };
    for (const chart of charts) {
      const visits: Array<{ start: string; end: string; practitioner: string; group: boolean; id: string }> = [];
      for (const e of chart.of<Encounter>('Encounter')) {
        const code = e.type?.[0].coding?.[0].code as string;
        visits.push({
          start: e.period?.start as string,
          end: e.period?.end as string,
          practitioner: e.participant?.[0].individual?.reference as string,
          group: ['90853', 'H0015'].includes(code),
          id: e.id as string,
        });
      }
      for (const a of chart.of<Appointment>('Appointment').filter((x) => x.status === 'booked')) {
        const practitioner = a.participant.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor?.reference as string;
        visits.push({ start: a.start as string, end: a.end as string, practitioner, group: /group|intensive/i.test(a.description ?? ''), id: a.id as string });
      }
      for (const v of visits) {
        claim(chart.patient.id as string, time(v.start), time(v.end), v.id);
        if (!v.group) claim(v.practitioner, time(v.start), time(v.end), v.id);
      }
    }
  });

  it('types telehealth visits as virtual encounters at the telehealth location', () => {
    let virtual = 0;
    for (const chart of charts) {
      for (const e of chart.of<Encounter>('Encounter')) {
        const isVirtual = e.class.code === 'VR';
        expect(e.location?.[0].location.reference === `Location/${LOCATION.telehealth}`).toBe(isVirtual);
        if (isVirtual) virtual++;
        expect(e.participant?.[0].type?.[0].coding?.[0].code).toBe('PPRF');
      }
    }
    expect(virtual).toBeGreaterThan(50);
  });
});
