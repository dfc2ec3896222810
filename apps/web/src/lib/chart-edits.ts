import type { AllergyIntolerance, Observation } from '@medplum/fhirtypes';

// Corrections to what the chart recorded, as FHIR R4 says to make them: a status change on the same resource
// (the server keeps every version), never a delete.

const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const ALLERGY_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

/** The clinical statuses a clinician can set (R4 allergyintolerance-clinical). */
export const ALLERGY_STATUSES = ['active', 'inactive', 'resolved'] as const;
export type AllergyStatus = (typeof ALLERGY_STATUSES)[number] | 'entered-in-error' | 'refuted' | 'unknown';

/** What the chart shows as an allergy's status: a verification status that voids it wins over the clinical one. */
export function allergyStatus(a: AllergyIntolerance): AllergyStatus {
  const verification = a.verificationStatus?.coding?.find((c) => c.system === ALLERGY_VERIFICATION || !c.system)?.code;
  if (verification === 'entered-in-error' || verification === 'refuted') return verification;
  const clinical = a.clinicalStatus?.coding?.find((c) => c.system === ALLERGY_CLINICAL || !c.system)?.code;
  return clinical === 'active' || clinical === 'inactive' || clinical === 'resolved' ? clinical : 'unknown';
}

/** Allergies to warn about: active, or recorded without a status (an unknown status is treated as active). */
export function isActiveAllergy(a: AllergyIntolerance): boolean {
  const s = allergyStatus(a);
  return s === 'active' || s === 'unknown';
}

/**
 * The allergy with a new status. `entered-in-error` sets the verification status and removes the clinical
 * status, which R4 forbids alongside it (invariant ait-2); any other status is clinical, and takes an allergy
 * back out of "entered in error" as confirmed.
 */
export function withAllergyStatus(a: AllergyIntolerance, status: (typeof ALLERGY_STATUSES)[number] | 'entered-in-error'): AllergyIntolerance {
  if (status === 'entered-in-error') {
    const { clinicalStatus: _dropped, ...rest } = a;
    return { ...rest, verificationStatus: { coding: [{ system: ALLERGY_VERIFICATION, code: 'entered-in-error' }] } };
  }
  const verification = allergyStatus(a) === 'entered-in-error' ? { coding: [{ system: ALLERGY_VERIFICATION, code: 'confirmed' }] } : a.verificationStatus;
  return { ...a, clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: status }] }, ...(verification ? { verificationStatus: verification } : {}) };
}

/** Observations that count: not entered in error, not cancelled (R4 observation-status). */
export function isShownObservation(o: Observation): boolean {
  return o.status !== 'entered-in-error' && o.status !== 'cancelled';
}

/** One number of a measurement, as the correction form shows it. */
export interface MeasuredValue {
  label: string;
  unit: string;
  value: number | undefined;
}

/** The numbers of a measurement: its value, or each component's (a blood pressure panel has two). */
export function measuredValues(o: Observation): MeasuredValue[] {
  const label = o.code?.text ?? o.code?.coding?.[0]?.display ?? 'Value';
  if (o.component?.length) {
    return o.component.map((c) => ({ label: c.code?.text ?? c.code?.coding?.[0]?.display ?? label, unit: c.valueQuantity?.unit ?? '', value: c.valueQuantity?.value }));
  }
  return [{ label, unit: o.valueQuantity?.unit ?? '', value: o.valueQuantity?.value }];
}

/**
 * The measurement with corrected numbers (in `measuredValues` order) and status `amended` (R4: "subsequent
 * to being final, the observation has been modified"). Only numbers that are already quantities change.
 */
export function correctedObservation(o: Observation, values: number[]): Observation {
  if (values.length !== measuredValues(o).length || values.some((v) => !Number.isFinite(v))) throw new RangeError('One number per value of the measurement');
  if (o.component?.length) {
    return { ...o, status: 'amended', component: o.component.map((c, i) => (c.valueQuantity ? { ...c, valueQuantity: { ...c.valueQuantity, value: values[i] } } : c)) };
  }
  return o.valueQuantity ? { ...o, status: 'amended', valueQuantity: { ...o.valueQuantity, value: values[0] } } : o;
}

/** The measurement marked as recorded by mistake; it stays in the record (and its history) but out of the chart. */
export function observationEnteredInError(o: Observation): Observation {
  return { ...o, status: 'entered-in-error' };
}
