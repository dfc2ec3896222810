import type { Organization, Patient, Reference } from '@medplum/fhirtypes';

export interface PatientForm {
  family: string;
  given: string;
  birthDate: string;
  gender: string;
  phone: string;
  email: string;
  mrn: string;
}

export const EMPTY_PATIENT_FORM: PatientForm = { family: '', given: '', birthDate: '', gender: '', phone: '', email: '', mrn: '' };

/** Where each field lands in the Patient resource: how the server's OperationOutcome expressions find it. */
export const PATIENT_FIELD_PATHS: Record<keyof PatientForm, string> = {
  family: 'Patient.name.family',
  given: 'Patient.name.given',
  birthDate: 'Patient.birthDate',
  gender: 'Patient.gender',
  phone: 'Patient.telecom',
  email: 'Patient.telecom',
  mrn: 'Patient.identifier',
};

/** Checks people make before the server does, in their words. */
export function validatePatientForm(f: PatientForm, today = new Date()): Partial<Record<keyof PatientForm, string>> {
  const e: Partial<Record<keyof PatientForm, string>> = {};
  if (!f.family.trim()) e.family = 'Enter the family (last) name.';
  if (!f.given.trim()) e.given = 'Enter the given (first) name.';
  if (!f.birthDate.trim()) e.birthDate = 'Enter the birth date.';
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(f.birthDate.trim()) || !realDate(f.birthDate.trim())) e.birthDate = 'Enter a real date as year-month-day, e.g. 1984-03-21.';
  else if (new Date(f.birthDate.trim()) > today) e.birthDate = 'The birth date cannot be in the future.';
  if (!f.gender) e.gender = 'Choose the administrative sex.';
  if (f.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(f.email.trim())) e.email = 'Enter an email address like name@example.org.';
  if (f.phone.trim() && !/^[+()\d\s.-]{7,}$/.test(f.phone.trim())) e.phone = 'Enter a phone number with at least 7 digits.';
  return e;
}

function realDate(s: string): boolean {
  const [y, m, d] = s.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export function patientFromForm(f: PatientForm, organization: Reference<Organization> | undefined, mrnSystem: string): Patient {
  const telecom = [
    ...(f.phone.trim() ? [{ system: 'phone' as const, value: f.phone.trim(), use: 'home' as const }] : []),
    ...(f.email.trim() ? [{ system: 'email' as const, value: f.email.trim() }] : []),
  ];
  return {
    resourceType: 'Patient',
    active: true,
    name: [{ use: 'official', family: f.family.trim(), given: f.given.trim().split(/\s+/) }],
    birthDate: f.birthDate.trim(),
    gender: f.gender as Patient['gender'],
    ...(telecom.length ? { telecom } : {}),
    ...(f.mrn.trim()
      ? { identifier: [{ use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }], text: 'MRN' }, system: mrnSystem, value: f.mrn.trim() }] }
      : {}),
    ...(organization ? { managingOrganization: organization } : {}),
  };
}
