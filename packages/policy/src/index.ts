/**
 * Access policy, the pure half: SMART scopes, the role table, access decisions and row restrictions, and the
 * in-memory checks for writes. No I/O; the store enforces what this decides. See README.md.
 */
export { accessClass, INTERACTIONS, scopePermission, type AccessClass, type Actor, type Interaction } from './actor.ts';
export {
  formatScope,
  isScopeSubset,
  parseScope,
  parseScopes,
  parseScopesLenient,
  PERMISSION_ORDER,
  scopeFilters,
  ScopeError,
  SPECIAL_SCOPES,
  type ResourceScope,
  type Scope,
  type ScopeContext,
  type ScopePermission,
  type ScopeQuery,
  type SpecialScope,
  type SpecialScopeName,
} from './scopes.ts';
export {
  ACCESS_TABLE,
  categoryOf,
  isRole,
  renderAccessTable,
  ROLES,
  TABLE_COLUMNS,
  type Access,
  type Category,
  type CategoryRow,
  type Role,
  type TableColumn,
} from './table.ts';
export {
  allOf,
  anyOf,
  describeRestriction,
  NONE,
  type AndRestriction,
  type CompartmentRestriction,
  type NoneRestriction,
  type OrganizationRestriction,
  type OrRestriction,
  type Restriction,
  type SearchRestriction,
} from './restriction.ts';
export { CAPABILITIES, decide, decideCapability, restrictionFor, type Capability, type Decision } from './decide.ts';
export {
  evaluateRestriction,
  hasPatientCompartment,
  matchesRestriction,
  patientCompartments,
  resourceFacts,
  type MatchResult,
  type RestrictionContext,
} from './match.ts';
export {
  checkDelete,
  checkRead,
  checkWrite,
  denialError,
  enforce,
  type CheckOptions,
  type ResourceDecision,
  type WriteOptions,
} from './write.ts';
// Security labels and consent (issue #5, the pure half): DS4P vocabularies, label rules and their assignment at
// write time, the no-lowering check, FHIR Consent evaluation and the 42 CFR Part 2 disclosure rule. See README.md.
export {
  ACT_CODE_SYSTEM,
  ACT_REASON_SYSTEM,
  actCodeLabel,
  compareConfidentiality,
  compareLabels,
  CONFIDE_NOTE_TYPE_SYSTEM,
  CONFIDENTIALITY_CODES,
  CONFIDENTIALITY_SYSTEM,
  confidentialityLabel,
  confidentialityOf,
  confidentialityRank,
  CONSENT_SCOPE_SYSTEM,
  DEFAULT_CONFIDENTIALITY,
  describeLabel,
  effectiveConfidentiality,
  hasLabel,
  ICD10CM_SYSTEM,
  isConfidentialityCode,
  isEmergencyPurpose,
  isPurposeOfUse,
  label,
  labelCovers,
  labelKey,
  labelKind,
  LABELS,
  LOINC_SYSTEM,
  maxConfidentiality,
  normalizeLabels,
  PARTICIPATION_TYPE_SYSTEM,
  PSYCHOTHERAPY_NOTE_CODE,
  PURPOSE_OF_USE,
  purposeCodes,
  purposeCovers,
  sensitiveActCodes,
  RESOURCE_TYPES_SYSTEM,
  RXNORM_SYSTEM,
  sameLabel,
  securityLabels,
  SNOMED_SYSTEM,
  type ConfidentialityCode,
  type LabelKind,
} from './labels/vocabulary.ts';
export { codingsAt, normalizeCode, type FoundCoding } from './labels/codes.ts';
export {
  DEFAULT_LABEL_RULES,
  DIAGNOSIS_ELEMENTS,
  MEDICATION_ELEMENTS,
  NOTE_TYPE_ELEMENTS,
  renderLabelRules,
  validateLabelRules,
  type CodeEntry,
  type CodeLabelRule,
  type CodeRange,
  type ExcludedCode,
  type LabelRef,
  type LabelRule,
  type LabelRules,
  type Part2ProgramRule,
} from './labels/rules.ts';
export { assignLabels, codeMatches, organizationKey, type LabelAssignment, type LabelContext } from './labels/assign.ts';
export { checkLabelChange, type LabelChange } from './labels/lowering.ts';
export { needsRedisclosureNotice, PART2_REDISCLOSURE_NOTICE, PART2_REDISCLOSURE_NOTICE_LONG } from './labels/notice.ts';
export { allOfTri, anyOfTri, instantRange, periodContains, periodInside, periodRange, type Interval, type Tri } from './consent/period.ts';
export {
  keyOf,
  matchProvision,
  matchSecurityLabels,
  referenceKey,
  SOURCE_ROLES,
  type ConsentRequest,
  type Criterion,
  type CriterionResult,
} from './consent/provision.ts';
export {
  baseType,
  decideConsent,
  evaluateConsent,
  type ConsentDecision,
  type ConsentDecisionValue,
  type ConsentEvaluation,
} from './consent/evaluate.ts';
export {
  EMERGENCY_DISCLOSURE_RECORD,
  part2ConsentGaps,
  part2DisclosureAllowed,
  type Part2Decision,
  type Part2Request,
  type Part2Rule,
} from './consent/part2.ts';
export { compileConsent, recipientKeys, type ConsentRule } from './consent/compile.ts';
export {
  compileNoteRelease,
  isNoteAuthorization,
  namedNotes,
  NOTE_RESOURCE_TYPES,
  noteAuthorizationProblems,
  noteAuthorizationWrite,
  noteReleased,
  RELEASE_OF_INFORMATION_CATEGORY,
  RELEASE_RECIPIENT_TYPES,
  type NamedNote,
  type NoteAuthorizationProblem,
  type NoteAuthorizationWrite,
  type NoteRelease,
  type NoteReleaseRequest,
} from './consent/note-release.ts';
export {
  CONSENT_EXEMPT_TYPES,
  defaultPurposeOfUse,
  isPsychotherapyNote,
  NOTE_DELEGATE_TAG_SYSTEM,
  noteIdentitiesOf,
  ORGANIZATION_DESIGNATION_SYSTEM,
  PART2_LABEL_KEY,
  PART2_PROGRAM_DESIGNATION,
  PART2_PROGRAM_TAG_SYSTEM,
  PSYCHOTHERAPY_LABEL_KEYS,
  segmentationFor,
  segmentedType,
  versionVisible,
  type Segmentation,
} from './segmentation.ts';
