import { ANXIETY, DEPRESSION } from './conditions.ts';
import type { PatientContext } from './context.ts';
import { clamp, round } from './fhir-helpers.ts';
import type { LabTestKey } from './labs.ts';
import type { MedicationKey } from './medications.ts';
import type { SurveyKey } from './surveys.ts';
import { SURVEYS } from './surveys.ts';

/**
 * The clinical course: how a patient's measurements evolve under treatment. Values move from a baseline
 * towards a treated target with a time constant, plus day-to-day noise from the patient's generator.
 */
function approach(start: number, target: number, days: number, tau: number): number {
  return target + (start - target) * Math.exp(-Math.max(0, days) / tau);
}

function treatedDays(ctx: PatientContext, med: MedicationKey, day: number): number {
  const start = ctx.medicationStart.get(med);
  return start === undefined ? -1 : day - start;
}

/** Baselines drawn once per patient. */
export class ClinicalCourse {
  private readonly ctx: PatientContext;
  private readonly baseline = new Map<string, number>();

  constructor(ctx: PatientContext) {
    this.ctx = ctx;
  }

  private base(key: string, min: number, max: number): number {
    let value = this.baseline.get(key);
    if (value === undefined) {
      value = this.ctx.rng.between(min, max);
      this.baseline.set(key, value);
    }
    return value;
  }

  private has(...keys: string[]): boolean {
    return keys.some((k) => (this.ctx.profile.conditions as readonly string[]).includes(k));
  }

  surveyScore(survey: SurveyKey, day: number): number {
    const c = this.ctx.profile.conditions;
    const depressed = c.some((k) => DEPRESSION.includes(k)) || this.has('bipolar-2');
    const anxious = c.some((k) => ANXIETY.includes(k));
    const substance = this.has('oud', 'aud');
    const mentalHealth = c.some((k) => ['adjustment', 'adhd-inattentive', 'insomnia'].includes(k));
    let start: number;
    if (survey === 'phq9') {
      const [lo, hi] = depressed ? [12, 20] : substance ? [7, 15] : anxious || mentalHealth ? [5, 12] : [0, 6];
      start = this.base('phq9', lo, hi);
    } else {
      const [lo, hi] = anxious ? [10, 18] : substance ? [6, 13] : depressed || mentalHealth ? [4, 11] : [0, 6];
      start = this.base('gad7', lo, hi);
    }
    const target = start * this.base(`${survey}-response`, 0.25, 0.65);
    const value = approach(start, target, day - this.ctx.careStartDay, 110) + this.ctx.rng.normal(0, 1.3);
    return Math.round(clamp(value, 0, SURVEYS[survey].max));
  }

  weightKg(day: number): number {
    const p = this.ctx.profile;
    const h = p.heightCm / 100;
    const start = p.bmi * h * h;
    const losing = this.has('t2dm', 'obesity') ? -this.base('weight-loss', 0, 5) : this.base('weight-drift', -1.5, 2);
    return round(start + losing * clamp((day - this.ctx.careStartDay) / 365, 0, 1) + this.ctx.rng.normal(0, 0.4), 1);
  }

  bloodPressure(day: number): { systolic: number; diastolic: number } {
    const p = this.ctx.profile;
    const onMed = Math.max(treatedDays(this.ctx, 'lisinopril-10', day), treatedDays(this.ctx, 'amlodipine-5', day));
    const target = this.has('htn') ? this.base('bp-target', 124, 136) : p.systolic;
    const systolic = Math.round((onMed >= 0 ? approach(p.systolic, target, onMed, 60) : p.systolic) + this.ctx.rng.normal(0, 5));
    const diastolic = Math.round(systolic * this.base('bp-ratio', 0.58, 0.66) + this.ctx.rng.normal(0, 3));
    return { systolic, diastolic };
  }

  heartRate(): number {
    return Math.round(this.ctx.profile.heartRate + this.ctx.rng.normal(0, 5));
  }

  temperature(): number {
    return round(this.ctx.rng.between(36.4, 37.1), 1);
  }

  /** A lab value; the caller rounds and interprets it. */
  lab(test: LabTestKey, day: number): number {
    const r = this.ctx.rng;
    const female = this.ctx.profile.sex === 'female';
    const since = (med: MedicationKey): number => treatedDays(this.ctx, med, day);
    switch (test) {
      case 'hba1c':
        return this.has('t2dm')
          ? approach(this.base('a1c', 7.4, 9.6), this.base('a1c-target', 6.5, 7.4), since('metformin-500'), 120) + r.normal(0, 0.15)
          : this.base('a1c', 4.8, 5.6);
      case 'glucose':
        return this.has('t2dm')
          ? approach(this.base('glucose', 150, 210), this.base('glucose-target', 105, 135), since('metformin-500'), 100) + r.normal(0, 10)
          : this.base('glucose', 78, 96) + r.normal(0, 5);
      case 'bun':
        return this.base('bun', 9, 18) + r.normal(0, 1.5);
      case 'creatinine':
        return (female ? this.base('creatinine', 0.62, 0.98) : this.base('creatinine', 0.78, 1.22)) + r.normal(0, 0.04);
      case 'sodium':
        return this.base('sodium', 137, 143) + r.normal(0, 1);
      case 'potassium':
        return this.base('potassium', 3.7, 4.8) + r.normal(0, 0.15);
      case 'chloride':
        return this.base('chloride', 99, 106) + r.normal(0, 1);
      case 'co2':
        return this.base('co2', 23, 28) + r.normal(0, 1);
      case 'calcium':
        return this.base('calcium', 8.9, 10.0) + r.normal(0, 0.15);
      case 'wbc':
        return this.base('wbc', 4.8, 9.6) + r.normal(0, 0.5);
      case 'hemoglobin':
        return (female ? this.base('hgb', 12.2, 14.8) : this.base('hgb', 13.7, 16.6)) + r.normal(0, 0.3);
      case 'hematocrit':
        return (female ? this.base('hgb', 12.2, 14.8) : this.base('hgb', 13.7, 16.6)) * 3 + r.normal(0, 0.8);
      case 'platelets':
        return this.base('plt', 180, 360) + r.normal(0, 15);
      case 'hdl':
        return this.base('hdl', female ? 45 : 36, female ? 72 : 58) + r.normal(0, 2);
      case 'triglycerides':
        return (this.has('hld', 't2dm') ? this.base('tg', 140, 260) : this.base('tg', 60, 145)) + r.normal(0, 12);
      case 'ldl':
        return this.has('hld')
          ? approach(this.base('ldl', 140, 190), this.base('ldl-target', 78, 105), since('atorvastatin-20'), 45) + r.normal(0, 6)
          : this.base('ldl', 70, 128) + r.normal(0, 6);
      case 'cholesterol':
        throw new Error('total cholesterol is derived from its fractions');
      case 'alt':
        return this.has('aud')
          ? approach(this.base('alt', 45, 85), this.base('alt-target', 22, 40), day - this.ctx.careStartDay, 90) + r.normal(0, 3)
          : this.has('oud')
            ? this.base('alt', 15, 55) + r.normal(0, 3)
            : this.base('alt', 12, 35) + r.normal(0, 3);
      case 'ast':
        return this.has('aud')
          ? approach(this.base('ast', 55, 110), this.base('ast-target', 22, 38), day - this.ctx.careStartDay, 90) + r.normal(0, 3)
          : this.base('ast', 14, 34) + r.normal(0, 3);
      case 'tsh':
        return (this.has('bipolar-2') && since('lithium-300') > 0 ? this.base('tsh', 1.5, 5.2) : this.base('tsh', 0.7, 3.6)) + r.normal(0, 0.2);
      case 'lithium':
        return this.base('lithium', 0.55, 1.0) + r.normal(0, 0.07);
    }
  }
}
