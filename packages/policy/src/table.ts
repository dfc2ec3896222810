/**
 * THE ACCESS TABLE: which role may do what with which kind of resource. It is the only place where roles are
 * given rights; `decide` reads it and nothing else. README.md shows it rendered (`renderAccessTable`), and a
 * test keeps the two identical.
 *
 * Every R4 resource type belongs to exactly one category (a test checks all 146). A cell is a string of
 * access classes: `r` read (read, vread, history, search), `w` write (create, update, patch), `d` delete;
 * an absent cell is no access. Rights of several roles add up.
 *
 * `patientData` categories hold records about patients. For staff they are limited to the rows of the user's
 * organizations (`{ kind: 'organization' }`), for patient users to their own compartment
 * (`{ kind: 'compartment' }`); a patient user gets nothing of a patient-data type that has no patient
 * compartment (Slot, Binary...), since the store could not confine it. Other categories are shared reference
 * data (directory, catalogs, conformance) without a row restriction.
 */

export const ROLES = ['clinician', 'front-desk', 'billing', 'admin', 'auditor', 'privacy-officer'] as const;
export type Role = (typeof ROLES)[number];

/** The table's columns: the staff roles, and `patient` for patient users (who have no roles). */
export const TABLE_COLUMNS = [...ROLES, 'patient'] as const;
export type TableColumn = (typeof TABLE_COLUMNS)[number];

/** A cell: the access classes granted, in the order r, w, d. */
export type Access = 'r' | 'rw' | 'rwd' | 'rd' | 'w' | 'wd' | 'd';

export type Category =
  | 'demographics'
  | 'scheduling'
  | 'coverage'
  | 'encounter'
  | 'clinical'
  | 'messages'
  | 'billing'
  | 'consent'
  | 'provenance'
  | 'audit'
  | 'directory'
  | 'catalog'
  | 'conformance'
  | 'integration';

export interface CategoryRow {
  category: Category;
  description: string;
  /** Records about patients: organization-scoped for staff, compartment-confined for patient users. */
  patientData: boolean;
  types: readonly string[];
  access: Partial<Record<TableColumn, Access>>;
}

export const ACCESS_TABLE: readonly CategoryRow[] = [
  {
    category: 'demographics',
    description: 'Who the patient is and who is related to them',
    patientData: true,
    types: ['Patient', 'Person', 'RelatedPerson'],
    access: { clinician: 'rw', 'front-desk': 'rw', billing: 'r', 'privacy-officer': 'r', patient: 'r' },
  },
  {
    category: 'scheduling',
    description: 'Appointments and the calendars they are booked in',
    patientData: true,
    types: ['Appointment', 'AppointmentResponse', 'Schedule', 'Slot'],
    access: { clinician: 'rwd', 'front-desk': 'rwd', billing: 'r', patient: 'r' },
  },
  {
    category: 'coverage',
    description: 'Insurance coverage and eligibility',
    patientData: true,
    types: ['Coverage', 'CoverageEligibilityRequest', 'CoverageEligibilityResponse', 'EnrollmentRequest', 'EnrollmentResponse'],
    access: { clinician: 'r', 'front-desk': 'rw', billing: 'rw', patient: 'r' },
  },
  {
    category: 'encounter',
    description: 'Visits and episodes of care (billing needs them to bill)',
    patientData: true,
    types: ['Encounter', 'EpisodeOfCare'],
    access: { clinician: 'rw', billing: 'r', patient: 'r' },
  },
  {
    category: 'clinical',
    description: 'The clinical record: findings, problems, medications, orders, results, notes, documents',
    patientData: true,
    types: [
      'AdverseEvent',
      'AllergyIntolerance',
      'Basic',
      'BiologicallyDerivedProduct',
      'Binary',
      'BodyStructure',
      'Bundle',
      'CarePlan',
      'CareTeam',
      'ClinicalImpression',
      'Composition',
      'Condition',
      'DetectedIssue',
      'Device',
      'DeviceMetric',
      'DeviceRequest',
      'DeviceUseStatement',
      'DiagnosticReport',
      'DocumentManifest',
      'DocumentReference',
      'FamilyMemberHistory',
      'Flag',
      'Goal',
      'Group',
      'GuidanceResponse',
      'ImagingStudy',
      'Immunization',
      'ImmunizationEvaluation',
      'ImmunizationRecommendation',
      'List',
      'Media',
      'MeasureReport',
      'MedicationAdministration',
      'MedicationDispense',
      'MedicationRequest',
      'MedicationStatement',
      'MolecularSequence',
      'NutritionOrder',
      'Observation',
      'Procedure',
      'RequestGroup',
      'ResearchSubject',
      'RiskAssessment',
      'ServiceRequest',
      'Specimen',
      'SupplyDelivery',
      'SupplyRequest',
      'Task',
      'VisionPrescription',
    ],
    access: { clinician: 'rw', patient: 'r' },
  },
  {
    category: 'messages',
    description: 'Messages and questionnaire answers, which patients may write too',
    patientData: true,
    types: ['Communication', 'CommunicationRequest', 'QuestionnaireResponse'],
    access: { clinician: 'rw', patient: 'rw' },
  },
  {
    category: 'billing',
    description: 'Charges, claims, invoices and payments',
    patientData: true,
    types: ['Account', 'ChargeItem', 'Claim', 'ClaimResponse', 'Contract', 'ExplanationOfBenefit', 'Invoice', 'PaymentNotice', 'PaymentReconciliation'],
    access: { billing: 'rw', patient: 'r' },
  },
  {
    category: 'consent',
    description: "The patient's consents and privacy directives",
    patientData: true,
    types: ['Consent'],
    access: { clinician: 'rw', 'privacy-officer': 'rw', patient: 'r' },
  },
  {
    category: 'provenance',
    description: 'Who wrote what, recorded with the data',
    patientData: true,
    types: ['Provenance'],
    access: { clinician: 'r', 'privacy-officer': 'r' },
  },
  {
    category: 'audit',
    description: 'The audit trail (written by the server itself, never through the API)',
    patientData: false,
    types: ['AuditEvent'],
    access: { auditor: 'r', 'privacy-officer': 'r' },
  },
  {
    category: 'directory',
    description: 'The practice directory: people, organizations, places, services',
    patientData: false,
    types: [
      'Endpoint',
      'HealthcareService',
      'InsurancePlan',
      'Location',
      'Organization',
      'OrganizationAffiliation',
      'Practitioner',
      'PractitionerRole',
      'VerificationResult',
    ],
    access: { clinician: 'r', 'front-desk': 'rw', billing: 'r', admin: 'rwd', 'privacy-officer': 'r', patient: 'r' },
  },
  {
    category: 'catalog',
    description: 'Definitions and knowledge: medications, questionnaires, order sets, measures',
    patientData: false,
    types: [
      'ActivityDefinition',
      'CatalogEntry',
      'ChargeItemDefinition',
      'DeviceDefinition',
      'EffectEvidenceSynthesis',
      'EventDefinition',
      'Evidence',
      'EvidenceVariable',
      'Library',
      'Measure',
      'Medication',
      'MedicationKnowledge',
      'MedicinalProduct',
      'MedicinalProductAuthorization',
      'MedicinalProductContraindication',
      'MedicinalProductIndication',
      'MedicinalProductIngredient',
      'MedicinalProductInteraction',
      'MedicinalProductManufactured',
      'MedicinalProductPackaged',
      'MedicinalProductPharmaceutical',
      'MedicinalProductUndesirableEffect',
      'ObservationDefinition',
      'PlanDefinition',
      'Questionnaire',
      'ResearchDefinition',
      'ResearchElementDefinition',
      'ResearchStudy',
      'RiskEvidenceSynthesis',
      'SpecimenDefinition',
      'Substance',
      'SubstanceNucleicAcid',
      'SubstancePolymer',
      'SubstanceProtein',
      'SubstanceReferenceInformation',
      'SubstanceSourceMaterial',
      'SubstanceSpecification',
    ],
    access: { clinician: 'r', 'front-desk': 'r', billing: 'r', admin: 'rwd', patient: 'r' },
  },
  {
    category: 'conformance',
    description: 'Profiles, terminology and server capabilities',
    patientData: false,
    types: [
      'CapabilityStatement',
      'CodeSystem',
      'CompartmentDefinition',
      'ConceptMap',
      'ExampleScenario',
      'GraphDefinition',
      'ImplementationGuide',
      'MessageDefinition',
      'NamingSystem',
      'OperationDefinition',
      'OperationOutcome',
      'Parameters',
      'SearchParameter',
      'StructureDefinition',
      'StructureMap',
      'TerminologyCapabilities',
      'TestReport',
      'TestScript',
      'ValueSet',
    ],
    access: { clinician: 'r', 'front-desk': 'r', billing: 'r', admin: 'rwd', 'privacy-officer': 'r', patient: 'r' },
  },
  {
    category: 'integration',
    description: 'Subscriptions, messaging and record linkage: they can move any data, so only system clients with a scope for them',
    patientData: false,
    types: ['Linkage', 'MessageHeader', 'Subscription'],
    access: {},
  },
];

let byType: Map<string, CategoryRow> | undefined;

/** The table row of a resource type; undefined for a name that is not an R4 resource type. */
export function categoryOf(resourceType: string): CategoryRow | undefined {
  if (!byType) {
    byType = new Map();
    for (const row of ACCESS_TABLE) for (const t of row.types) byType.set(t, row);
  }
  return byType.get(resourceType);
}

export function isRole(code: string): code is Role {
  return (ROLES as readonly string[]).includes(code);
}

/** The access table as Markdown, as shown in README.md. */
export function renderAccessTable(): string {
  const head = `| Category | What | Types | ${TABLE_COLUMNS.join(' | ')} |`;
  const rule = `| --- | --- | --- | ${TABLE_COLUMNS.map(() => ':-:').join(' | ')} |`;
  const rows = ACCESS_TABLE.map((row) => {
    const name = row.patientData ? `**${row.category}** (patient data)` : `**${row.category}**`;
    const cells = TABLE_COLUMNS.map((c) => row.access[c] ?? '–');
    return `| ${name} | ${row.description} | ${row.types.join(', ')} | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}
