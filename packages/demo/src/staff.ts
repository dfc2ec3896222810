import type { Code } from './fhir-helpers.ts';
import { npi } from './npi.ts';

export type StaffRole = 'clinician' | 'front-desk' | 'billing' | 'admin';
export type Site = 'practice' | 'riverside';

/** Fixed ids of the demo practice's people. */
export const PRACTITIONER = {
  therapist1: 'demo-therapist-1',
  therapist2: 'demo-therapist-2',
  psychiatrist: 'demo-psychiatrist-1',
  psychNp: 'demo-psych-np-1',
  familyPhysician: 'demo-family-physician-1',
  nurse: 'demo-nurse-1',
  frontDesk: 'demo-front-desk-1',
  billing: 'demo-billing-1',
  admin: 'demo-admin-1',
} as const;

export interface StaffMember {
  readonly id: string;
  readonly username: string;
  readonly role: StaffRole;
  readonly display: string;
  readonly given: readonly string[];
  readonly family: string;
  readonly suffix?: string;
  readonly gender: 'female' | 'male';
  readonly title: string;
  readonly npi?: string;
  /** NUCC Health Care Provider Taxonomy code, per site where it differs. */
  readonly taxonomy?: Code;
  readonly riversideTaxonomy?: Code;
  /** HL7 v2 table 0360 degree. */
  readonly degree?: Code;
  readonly license?: string;
  readonly credential?: string;
  /** http://terminology.hl7.org/CodeSystem/practitioner-role, where one fits. */
  readonly practitionerRole?: Code;
  readonly sites: readonly Site[];
  readonly phoneExtension: string;
}

const NUCC = {
  clinicalSocialWorker: { code: '1041C0700X', display: 'Clinical Social Worker' },
  professionalCounselor: { code: '101YP2500X', display: 'Professional Counselor' },
  addictionCounselor: { code: '101YA0400X', display: 'Addiction (Substance Use Disorder) Counselor' },
  psychiatry: { code: '2084P0800X', display: 'Psychiatry Physician' },
  psychNp: { code: '363LP0808X', display: 'Psychiatric/Mental Health Nurse Practitioner' },
  familyMedicine: { code: '207Q00000X', display: 'Family Medicine Physician' },
  registeredNurse: { code: '163W00000X', display: 'Registered Nurse' },
} as const;

const DOCTOR: Code = { code: 'doctor', display: 'Doctor' };
const NURSE: Code = { code: 'nurse', display: 'Nurse' };

export const STAFF: readonly StaffMember[] = [
  {
    id: PRACTITIONER.therapist1,
    username: 'schen',
    role: 'clinician',
    display: 'Sarah Chen, LCSW',
    given: ['Sarah'],
    family: 'Chen',
    suffix: 'LCSW',
    gender: 'female',
    title: 'Therapist',
    npi: npi('173041982'),
    taxonomy: NUCC.clinicalSocialWorker,
    credential: 'Licensed Independent Social Worker (clinical, LCSW)',
    license: 'LISW-0418833',
    sites: ['practice'],
    phoneExtension: '211',
  },
  {
    id: PRACTITIONER.therapist2,
    username: 'mbell',
    role: 'clinician',
    display: 'Marcus Bell, LPC',
    given: ['Marcus'],
    family: 'Bell',
    suffix: 'LPC',
    gender: 'male',
    title: 'Therapist',
    npi: npi('158276304'),
    taxonomy: NUCC.professionalCounselor,
    riversideTaxonomy: NUCC.addictionCounselor,
    credential: 'Licensed Professional Counselor (LPC)',
    license: 'LPC-1907264',
    sites: ['practice', 'riverside'],
    phoneExtension: '212',
  },
  {
    id: PRACTITIONER.psychiatrist,
    username: 'praman',
    role: 'clinician',
    display: 'Priya Raman, MD',
    given: ['Priya'],
    family: 'Raman',
    suffix: 'MD',
    gender: 'female',
    title: 'Psychiatrist',
    npi: npi('142960871'),
    taxonomy: NUCC.psychiatry,
    degree: { code: 'MD', display: 'Doctor of Medicine' },
    credential: 'Doctor of Medicine, board certified in psychiatry',
    license: 'MD-35.128844',
    practitionerRole: DOCTOR,
    sites: ['practice', 'riverside'],
    phoneExtension: '221',
  },
  {
    id: PRACTITIONER.psychNp,
    username: 'jalvarez',
    role: 'clinician',
    display: 'Jordan Alvarez, PMHNP-BC',
    given: ['Jordan'],
    family: 'Alvarez',
    suffix: 'PMHNP-BC',
    gender: 'male',
    title: 'Psychiatric Nurse Practitioner',
    npi: npi('196315527'),
    taxonomy: NUCC.psychNp,
    degree: { code: 'NP', display: 'Nurse Practitioner' },
    credential: 'Psychiatric-Mental Health Nurse Practitioner, board certified',
    license: 'APRN-0.0219477',
    practitionerRole: NURSE,
    sites: ['riverside', 'practice'],
    phoneExtension: '222',
  },
  {
    id: PRACTITIONER.familyPhysician,
    username: 'dokonkwo',
    role: 'clinician',
    display: 'David Okonkwo, MD',
    given: ['David'],
    family: 'Okonkwo',
    suffix: 'MD',
    gender: 'male',
    title: 'Family Physician',
    npi: npi('120587439'),
    taxonomy: NUCC.familyMedicine,
    degree: { code: 'MD', display: 'Doctor of Medicine' },
    credential: 'Doctor of Medicine, board certified in family medicine',
    license: 'MD-35.131207',
    practitionerRole: DOCTOR,
    sites: ['practice'],
    phoneExtension: '231',
  },
  {
    id: PRACTITIONER.nurse,
    username: 'efoster',
    role: 'clinician',
    display: 'Emily Foster, RN',
    given: ['Emily'],
    family: 'Foster',
    suffix: 'RN',
    gender: 'female',
    title: 'Registered Nurse',
    npi: npi('181744096'),
    taxonomy: NUCC.registeredNurse,
    degree: { code: 'RN', display: 'Registered Nurse' },
    credential: 'Registered Nurse',
    license: 'RN-0.447120',
    practitionerRole: NURSE,
    sites: ['practice', 'riverside'],
    phoneExtension: '241',
  },
  {
    id: PRACTITIONER.frontDesk,
    username: 'tgreene',
    role: 'front-desk',
    display: 'Tasha Greene',
    given: ['Tasha'],
    family: 'Greene',
    gender: 'female',
    title: 'Front Desk Coordinator',
    sites: ['practice', 'riverside'],
    phoneExtension: '200',
  },
  {
    id: PRACTITIONER.billing,
    username: 'rkim',
    role: 'billing',
    display: 'Robert Kim',
    given: ['Robert'],
    family: 'Kim',
    gender: 'male',
    title: 'Billing Specialist',
    sites: ['practice'],
    phoneExtension: '260',
  },
  {
    id: PRACTITIONER.admin,
    username: 'gliu',
    role: 'admin',
    display: 'Grace Liu',
    given: ['Grace'],
    family: 'Liu',
    gender: 'female',
    title: 'Practice Manager',
    sites: ['practice', 'riverside'],
    phoneExtension: '201',
  },
];

export function staffMember(id: string): StaffMember {
  const member = STAFF.find((s) => s.id === id);
  if (!member) throw new Error(`unknown staff member ${id}`);
  return member;
}

/** The staff users who will get sign-in accounts (plain data: no passwords). */
export const demoStaff: Array<{ username: string; display: string; role: StaffRole; practitionerId: string }> = STAFF.map(
  (s) => ({ username: s.username, display: s.display, role: s.role, practitionerId: s.id }),
);
