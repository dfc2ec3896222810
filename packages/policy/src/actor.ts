import type { Scope } from './scopes.ts';

/**
 * Who is asking. Built by the server from the access token (scopes, launch context) and the user record
 * (practitioner, organizations and roles from PractitionerRole); the policy never looks anything up.
 */
export interface Actor {
  /** `staff`: a practice user; `patient`: a patient (portal) user; `system`: a backend service (SMART Backend Services). */
  kind: 'staff' | 'patient' | 'system';
  /** The login (or client id for `system`), for reasons and audit. */
  userId: string;
  /** Staff: the Practitioner this user is. */
  practitionerId?: string;
  /** Patient users: the Patient this user is. Their data access is confined to this patient's compartment. */
  patientId?: string;
  /**
   * Staff launched with a patient in context (EHR launch, `launch/patient`): the patient that `patient/` scopes
   * refer to. Without it a staff actor's `patient/` scopes grant nothing.
   */
  launchPatientId?: string;
  /** Staff: ids of the Organizations the user belongs to (through PractitionerRole.organization). */
  organizations: string[];
  /**
   * Staff: ids of the user's PractitionerRoles in force. Consents may name a recipient by PractitionerRole
   * (Consent.provision.actor), so the caller is known by them too (`Segmentation.recipients`).
   */
  practitionerRoles?: string[];
  /** Staff: role codes (see `Role`); unknown codes grant nothing. Ignored for patient and system actors. */
  roles: string[];
  /** The granted scopes, parsed (`parseScopes`). No resource scope, no access. */
  scopes: Scope[];
  /**
   * The purpose of use of this request (HL7 v3-ActReason: TREAT, HPAYMT, HOPERAT, PATRQT, ETREAT…), as the server
   * established it (docs/consent.md). Absent: TREAT for staff and system actors, PATRQT for patients.
   */
  purposeOfUse?: string;
  /** Staff: patients (bare ids) for whom the user holds an active break-the-glass grant (emergency access). */
  breakGlassPatients?: string[];
}

/** FHIR RESTful interactions (R4 http.html) as the policy distinguishes them. */
export type Interaction =
  | 'read'
  | 'vread'
  /** Instance history (`[type]/[id]/_history`). */
  | 'history'
  /** Type- or system-level history (`[type]/_history`): a search over versions, so SMART `s`. */
  | 'history-type'
  | 'search'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete';

export const INTERACTIONS: readonly Interaction[] = ['read', 'vread', 'history', 'history-type', 'search', 'create', 'update', 'patch', 'delete'];

/** Interaction classes of the role table: `r` read (read, vread, history, search), `w` write (create, update, patch), `d` delete. */
export type AccessClass = 'r' | 'w' | 'd';

export function accessClass(interaction: Interaction): AccessClass {
  switch (interaction) {
    case 'read':
    case 'vread':
    case 'history':
    case 'history-type':
    case 'search':
      return 'r';
    case 'create':
    case 'update':
    case 'patch':
      return 'w';
    case 'delete':
      return 'd';
  }
}

/**
 * The SMART v2 permission an interaction needs (scopes-and-launch-context.html): `r` covers read, vread and
 * instance history; `s` search and type/system history; `u` update and patch; `c` create; `d` delete.
 */
export function scopePermission(interaction: Interaction): 'c' | 'r' | 'u' | 'd' | 's' {
  switch (interaction) {
    case 'read':
    case 'vread':
    case 'history':
      return 'r';
    case 'search':
    case 'history-type':
      return 's';
    case 'create':
      return 'c';
    case 'update':
    case 'patch':
      return 'u';
    case 'delete':
      return 'd';
  }
}
