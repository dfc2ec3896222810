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
