import type {
  Address,
  CodeableConcept,
  ContactPoint,
  Location,
  Organization,
  Practitioner,
  PractitionerRole,
  Resource,
} from '@medplum/fhirtypes';
import { coding, concept, ref } from './fhir-helpers.ts';
import { demoMeta } from './meta.ts';
import { npi } from './npi.ts';
import { PRACTITIONER, STAFF, type Site, type StaffMember, type StaffRole } from './staff.ts';
import { SYSTEMS } from './systems.ts';

export const ORGANIZATION = {
  practice: 'demo-practice',
  riverside: 'demo-riverside-recovery',
  lab: 'demo-reference-lab',
  medicare: 'demo-payer-medicare',
  medicaid: 'demo-payer-medicaid',
  evergreen: 'demo-payer-evergreen',
  summit: 'demo-payer-summit',
} as const;

export const LOCATION = {
  main: 'demo-location-main',
  riverside: 'demo-location-riverside',
  telehealth: 'demo-location-telehealth',
} as const;

export const PRACTICE_NAME = 'Confide Demo Practice';
export const RIVERSIDE_NAME = 'Riverside Recovery (IOP)';
export const PRACTICE_NPI = npi('190426358');
export const RIVERSIDE_NPI = npi('126983140');

export function siteOrganization(site: Site): string {
  return site === 'riverside' ? ORGANIZATION.riverside : ORGANIZATION.practice;
}

export function siteLocation(site: Site): string {
  return site === 'riverside' ? LOCATION.riverside : LOCATION.main;
}

const MAIN_ADDRESS: Address = {
  use: 'work',
  type: 'physical',
  line: ['1450 Larkspur Avenue', 'Suite 200'],
  city: 'Columbus',
  state: 'OH',
  postalCode: '43215',
  country: 'US',
};

const RIVERSIDE_ADDRESS: Address = {
  use: 'work',
  type: 'physical',
  line: ['77 Mill Race Road'],
  city: 'Columbus',
  state: 'OH',
  postalCode: '43215',
  country: 'US',
};

const phone = (value: string): ContactPoint => ({ system: 'phone', value, use: 'work' });

function npiIdentifier(value: string) {
  return {
    use: 'official' as const,
    type: concept(SYSTEMS.identifierType, { code: 'NPI', display: 'National provider identifier' }),
    system: SYSTEMS.npi,
    value,
  };
}

function organizations(): Organization[] {
  const provider = concept(SYSTEMS.organizationType, { code: 'prov', display: 'Healthcare Provider' });
  const payer = (id: string, name: string, insurer: boolean, telephone: string): Organization => ({
    resourceType: 'Organization',
    id,
    meta: demoMeta(),
    active: true,
    type: [
      concept(SYSTEMS.organizationType, { code: 'pay', display: 'Payer' }),
      ...(insurer ? [concept(SYSTEMS.organizationType, { code: 'ins', display: 'Insurance Company' })] : []),
    ],
    name,
    telecom: [phone(telephone)],
  });
  return [
    {
      resourceType: 'Organization',
      id: ORGANIZATION.practice,
      meta: demoMeta(),
      active: true,
      identifier: [npiIdentifier(PRACTICE_NPI)],
      type: [provider],
      name: PRACTICE_NAME,
      alias: ['Confide Demo Behavioral Health & Primary Care'],
      telecom: [
        phone('(614) 555-0100'),
        { system: 'fax', value: '(614) 555-0101', use: 'work' },
        { system: 'url', value: 'https://confide.example/demo' },
      ],
      address: [MAIN_ADDRESS],
    },
    {
      resourceType: 'Organization',
      id: ORGANIZATION.riverside,
      // Designated a 42 CFR Part 2 program (docs/consent.md): the server labels every record it keeps.
      meta: { ...demoMeta(), tag: [...(demoMeta().tag ?? []), { system: SYSTEMS.organizationDesignation, code: 'part2-program' }] },
      active: true,
      identifier: [npiIdentifier(RIVERSIDE_NPI)],
      type: [provider, { text: '42 CFR Part 2 substance use disorder treatment program' }],
      name: RIVERSIDE_NAME,
      alias: ['Riverside Recovery', 'Riverside Recovery Intensive Outpatient Program'],
      telecom: [phone('(614) 555-0140')],
      address: [RIVERSIDE_ADDRESS],
      partOf: ref('Organization', ORGANIZATION.practice, PRACTICE_NAME),
    },
    {
      resourceType: 'Organization',
      id: ORGANIZATION.lab,
      meta: demoMeta(),
      active: true,
      type: [provider, { text: 'Clinical laboratory' }],
      name: 'Central Ohio Reference Laboratory',
      telecom: [phone('(614) 555-0170')],
    },
    payer(ORGANIZATION.medicare, 'Medicare', false, '(800) 555-0110'),
    payer(ORGANIZATION.medicaid, 'Ohio Medicaid', false, '(800) 555-0120'),
    payer(ORGANIZATION.evergreen, 'Evergreen Health Plan', true, '(800) 555-0130'),
    payer(ORGANIZATION.summit, 'Summit Mutual Insurance', true, '(800) 555-0150'),
  ];
}

function locationType(code: string, display: string): CodeableConcept {
  return concept(SYSTEMS.roleCode, { code, display });
}

function locations(): Location[] {
  return [
    {
      resourceType: 'Location',
      id: LOCATION.main,
      meta: demoMeta(),
      status: 'active',
      name: `${PRACTICE_NAME} - Main Clinic`,
      mode: 'instance',
      type: [locationType('PC', 'Primary care clinic'), locationType('PSY', 'Psychiatry clinic')],
      telecom: [phone('(614) 555-0100')],
      address: MAIN_ADDRESS,
      physicalType: concept(SYSTEMS.locationPhysicalType, { code: 'bu', display: 'Building' }),
      managingOrganization: ref('Organization', ORGANIZATION.practice, PRACTICE_NAME),
    },
    {
      resourceType: 'Location',
      id: LOCATION.riverside,
      meta: demoMeta(),
      status: 'active',
      name: 'Riverside Recovery',
      mode: 'instance',
      type: [locationType('SURF', 'Substance use rehabilitation facility')],
      telecom: [phone('(614) 555-0140')],
      address: RIVERSIDE_ADDRESS,
      physicalType: concept(SYSTEMS.locationPhysicalType, { code: 'bu', display: 'Building' }),
      managingOrganization: ref('Organization', ORGANIZATION.riverside, RIVERSIDE_NAME),
    },
    {
      resourceType: 'Location',
      id: LOCATION.telehealth,
      meta: demoMeta(),
      status: 'active',
      name: 'Telehealth (video visit)',
      description: 'Virtual visits held over the practice video platform',
      mode: 'kind',
      telecom: [{ system: 'url', value: 'https://confide.example/demo/telehealth' }],
      managingOrganization: ref('Organization', ORGANIZATION.practice, PRACTICE_NAME),
    },
  ];
}

function practitioner(member: StaffMember): Practitioner {
  const resource: Practitioner = {
    resourceType: 'Practitioner',
    id: member.id,
    meta: demoMeta(),
    active: true,
    name: [{ use: 'official', family: member.family, given: [...member.given], ...(member.suffix ? { suffix: [member.suffix] } : {}) }],
    telecom: [
      { system: 'phone', value: `(614) 555-0100 ext. ${member.phoneExtension}`, use: 'work' },
      { system: 'email', value: `${member.username}@confide.example`, use: 'work' },
    ],
    gender: member.gender,
  };
  if (member.npi) resource.identifier = [npiIdentifier(member.npi)];
  if (member.taxonomy) {
    const codings = [coding(SYSTEMS.nucc, member.taxonomy)];
    if (member.degree) codings.push(coding(SYSTEMS.degree, member.degree));
    resource.qualification = [
      {
        identifier: member.license ? [{ system: SYSTEMS.stateLicense, value: member.license }] : undefined,
        code: { coding: codings, text: member.credential },
        issuer: { display: 'State of Ohio' },
      },
    ];
  }
  return resource;
}

const STAFF_ROLE_DISPLAY: Record<StaffRole, string> = {
  clinician: 'Clinician',
  'front-desk': 'Front desk',
  billing: 'Billing',
  admin: 'Practice administrator',
};

function practitionerRole(member: StaffMember, site: Site): PractitionerRole {
  const codings = [coding(SYSTEMS.staffRole, { code: member.role, display: STAFF_ROLE_DISPLAY[member.role] })];
  if (member.practitionerRole) codings.unshift(coding(SYSTEMS.practitionerRole, member.practitionerRole));
  const taxonomy = site === 'riverside' && member.riversideTaxonomy ? member.riversideTaxonomy : member.taxonomy;
  const orgId = siteOrganization(site);
  return {
    resourceType: 'PractitionerRole',
    id: `${member.id.replace(/^demo-/, 'demo-role-')}-${site}`,
    meta: demoMeta(),
    active: true,
    practitioner: ref('Practitioner', member.id, member.display),
    organization: ref('Organization', orgId, site === 'riverside' ? RIVERSIDE_NAME : PRACTICE_NAME),
    code: [{ coding: codings, text: member.title }],
    specialty: taxonomy ? [concept(SYSTEMS.nucc, taxonomy)] : undefined,
    location: [ref('Location', siteLocation(site))],
    telecom: [{ system: 'phone', value: `(614) 555-0100 ext. ${member.phoneExtension}`, use: 'work' }],
  };
}

/** The practice: organizations (with the Part 2 program and payers), locations, staff and their roles. */
export function practiceResources(): Resource[] {
  const roles = STAFF.flatMap((m) => m.sites.map((site) => practitionerRole(m, site)));
  return [...organizations(), ...locations(), ...STAFF.map(practitioner), ...roles];
}

export { PRACTITIONER };
