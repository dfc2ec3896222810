import type { Observation, Quantity } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { NOTE_TEMPLATES } from '@confide/notes';
import { ALLERGIES, REACTIONS } from '../src/allergies.ts';
import { CONDITIONS } from '../src/conditions.ts';
import { VACCINES } from '../src/immunizations.ts';
import { LAB_PANELS, LAB_TESTS } from '../src/labs.ts';
import { MEDICATIONS, ROUTES } from '../src/medications.ts';
import { luhnCheckDigit } from '../src/npi.ts';
import { SURVEYS } from '../src/surveys.ts';
import { SYSTEMS } from '../src/systems.ts';
import { VISITS } from '../src/visits.ts';
import { BP_COMPONENTS, VITALS } from '../src/vitals.ts';
import { byType, codingsIn, defaultPractice, resourcesOf } from './fixtures.ts';

/** SNOMED CT identifiers end in a Verhoeff check digit, preceded by the partition (00 = concept, short format). */
function isSnomedConceptId(id: string): boolean {
  const d = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
  ];
  const p = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 2, 1, 4], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
  ];
  if (!/^[1-9]\d{5,17}$/.test(id) || id.slice(-3, -1) !== '00') return false;
  let c = 0;
  [...id].reverse().forEach((ch, i) => (c = d[c][p[i % 8][Number(ch)]]));
  return c === 0;
}

/** LOINC codes end in a mod-10 check digit (the same doubling scheme as Luhn). */
function isLoinc(code: string): boolean {
  const m = /^(\d{1,7})-(\d)$/.exec(code);
  return m !== null && luhnCheckDigit(m[1]) === Number(m[2]);
}

const snomedCodes = [
  ...Object.values(CONDITIONS).flatMap((c) => (c.snomed ? [c.snomed] : [])),
  ...Object.values(ALLERGIES).map((a) => a.snomed),
  ...Object.values(REACTIONS),
  ...Object.values(ROUTES),
];
const loincCodes = [
  ...Object.values(LAB_TESTS).map((t) => t.loinc),
  ...Object.values(LAB_PANELS).map((p) => p.loinc),
  ...Object.values(VITALS).map((v) => v.loinc),
  ...Object.values(BP_COMPONENTS),
  ...Object.values(SURVEYS).flatMap((s) => [s.loinc, s.panel]),
  // Note document and section codes (@confide/notes templates).
  ...NOTE_TEMPLATES.flatMap((t) => [t.type, ...t.sections.map((s) => s.code)])
    .filter((c) => c.system === SYSTEMS.loinc)
    .map((c) => ({ code: c.code as string, display: c.display as string })),
];
const rxnormCodes = [...Object.values(MEDICATIONS).map((m) => m.rxnorm), ...Object.values(ALLERGIES).flatMap((a) => (a.rxnorm ? [a.rxnorm] : []))];

describe('code tables', () => {
  it.each(Object.values(CONDITIONS).map((c) => [c.icd10.code, c.icd10.display]))('ICD-10-CM %s is well formed (%s)', (code) => {
    expect(code).toMatch(/^[A-TV-Z]\d[\dAB](\.[\dA-TV-Z]{1,4})?$/);
  });

  it.each(snomedCodes.map((c) => [c.code, c.display]))('SNOMED CT %s carries a valid check digit (%s)', (code) => {
    expect(isSnomedConceptId(code)).toBe(true);
  });

  it.each(loincCodes.map((c) => [c.code, c.display]))('LOINC %s carries a valid check digit (%s)', (code) => {
    expect(isLoinc(code)).toBe(true);
  });

  it.each(rxnormCodes.map((c) => [c.code, c.display]))('RxNorm %s is an RXCUI (%s)', (code, display) => {
    expect(code).toMatch(/^[1-9]\d{0,7}$/);
    expect(display.length).toBeGreaterThan(3);
  });

  it.each(Object.values(VACCINES).map((v) => [v.cvx.code, v.cvx.display]))('CVX %s is well formed (%s)', (code) => {
    expect(code).toMatch(/^\d{1,3}$/);
  });

  it.each(Object.values(VISITS).map((v) => [v.code.code, v.system]))('visit code %s is a %s code', (code, system) => {
    expect(code).toMatch(system === 'cpt' ? /^\d{5}$/ : /^[A-V]\d{4}$/);
  });

  it('uses the expected diagnoses with their official ICD-10-CM descriptions', () => {
    const byCode = new Map(Object.values(CONDITIONS).map((c) => [c.icd10.code, c.icd10.display]));
    const expected = ['F32.1', 'F41.1', 'F43.10', 'F90.0', 'F33.1', 'F11.20', 'F10.20', 'E11.9', 'I10', 'J45.909', 'E78.5'];
    expect(Object.fromEntries(expected.map((c) => [c, byCode.get(c)]))).toEqual({
      'F32.1': 'Major depressive disorder, single episode, moderate',
      'F41.1': 'Generalized anxiety disorder',
      'F43.10': 'Post-traumatic stress disorder, unspecified',
      'F90.0': 'Attention-deficit hyperactivity disorder, predominantly inattentive type',
      'F33.1': 'Major depressive disorder, recurrent, moderate',
      'F11.20': 'Opioid dependence, uncomplicated',
      'F10.20': 'Alcohol dependence, uncomplicated',
      'E11.9': 'Type 2 diabetes mellitus without complications',
      I10: 'Essential (primary) hypertension',
      'J45.909': 'Unspecified asthma, uncomplicated',
      'E78.5': 'Hyperlipidemia, unspecified',
    });
  });

  it('uses the expected RxNorm clinical drugs', () => {
    const byCode = Object.fromEntries(Object.values(MEDICATIONS).map((m) => [m.rxnorm.code, m.rxnorm.display]));
    expect(byCode).toMatchObject({
      '312941': 'sertraline 50 MG Oral Tablet',
      '349332': 'escitalopram 10 MG Oral Tablet',
      '993541': '24 HR bupropion hydrochloride 150 MG Extended Release Oral Tablet',
      '1010604': 'buprenorphine 8 MG / naloxone 2 MG Sublingual Film',
      '861007': 'metformin hydrochloride 500 MG Oral Tablet',
      '314076': 'lisinopril 10 MG Oral Tablet',
      '617310': 'atorvastatin 20 MG Oral Tablet',
      '745679': '200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler',
    });
    expect(new Set(rxnormCodes.map((c) => c.code)).size).toBe(rxnormCodes.length);
  });

  it('uses UCUM units allowed by the vital-signs profiles', () => {
    expect(VITALS['heart-rate'].unit?.code).toBe('/min');
    expect(['kg', '[lb_av]', 'g']).toContain(VITALS['body-weight'].unit?.code);
    expect(['cm', '[in_i]']).toContain(VITALS['body-height'].unit?.code);
    expect(VITALS.bmi.unit?.code).toBe('kg/m2');
    expect(['Cel', '[degF]']).toContain(VITALS['body-temp'].unit?.code);
  });
});

describe('codes in the generated resources', () => {
  const resources = resourcesOf(defaultPractice());
  const tables = new Map<string, Map<string, string>>([
    [SYSTEMS.icd10cm, new Map(Object.values(CONDITIONS).map((c) => [c.icd10.code, c.icd10.display]))],
    [SYSTEMS.snomed, new Map(snomedCodes.map((c) => [c.code, c.display]))],
    [SYSTEMS.loinc, new Map(loincCodes.map((c) => [c.code, c.display]))],
    [SYSTEMS.rxnorm, new Map(rxnormCodes.map((c) => [c.code, c.display]))],
    [SYSTEMS.cvx, new Map(Object.values(VACCINES).map((v) => [v.cvx.code, v.cvx.display]))],
    [SYSTEMS.cpt, new Map(Object.values(VISITS).filter((v) => v.system === 'cpt').map((v) => [v.code.code, v.code.display]))],
    [SYSTEMS.hcpcs, new Map(Object.values(VISITS).filter((v) => v.system === 'hcpcs').map((v) => [v.code.code, v.code.display]))],
  ]);

  it.each([...tables.keys()])('every %s coding is one of the table codes, with its display', (system) => {
    const table = tables.get(system) as Map<string, string>;
    const used = resources.flatMap((r) => codingsIn(r).filter((c) => c.system === system));
    expect(used.length).toBeGreaterThan(0);
    for (const c of used) {
      expect(table.has(c.code as string), `${c.path} ${c.code}`).toBe(true);
      expect(c.display).toBe(table.get(c.code as string));
    }
  });

  it('uses no code system outside the known set', () => {
    const known = new Set<string>(Object.values(SYSTEMS));
    const unknown = new Set(
      resources
        .flatMap((r) => codingsIn(r).map((c) => c.system as string))
        .filter((s) => !known.has(s)),
    );
    expect([...unknown]).toEqual([]);
  });

  it('puts each observation in the category its code belongs to', () => {
    const vital = new Set([...Object.values(VITALS).map((v) => v.loinc.code)]);
    const lab = new Set(Object.values(LAB_TESTS).map((t) => t.loinc.code));
    const survey = new Set(Object.values(SURVEYS).map((s) => s.loinc.code));
    const counts = { 'vital-signs': 0, laboratory: 0, survey: 0 };
    for (const o of byType<Observation>(defaultPractice(), 'Observation')) {
      const code = o.code.coding?.[0].code as string;
      const category = o.category?.[0].coding?.[0];
      expect(category?.system).toBe(SYSTEMS.observationCategory);
      const expected = vital.has(code) ? 'vital-signs' : lab.has(code) ? 'laboratory' : survey.has(code) ? 'survey' : 'unknown';
      expect(category?.code, code).toBe(expected);
      counts[expected as keyof typeof counts]++;
    }
    for (const n of Object.values(counts)) expect(n).toBeGreaterThan(100);
  });

  it('gives every UCUM quantity a code and a numeric value', () => {
    const quantities: Quantity[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.system === SYSTEMS.ucum) quantities.push(o as Quantity);
        Object.values(o).forEach(walk);
      }
    };
    walk(resources);
    expect(quantities.length).toBeGreaterThan(1000);
    for (const q of quantities) {
      expect(typeof q.value).toBe('number');
      expect(Number.isFinite(q.value)).toBe(true);
      expect(q.code).toBeTruthy();
    }
  });

  it('uses the immunization codes a practice would record', () => {
    const cvx = new Set(resources.flatMap((r) => codingsIn(r).filter((c) => c.system === SYSTEMS.cvx).map((c) => c.code)));
    for (const code of ['140', '150', '115', '213', '33', '187']) expect(cvx).toContain(code);
  });
});
