import { ROLES } from '@confide/policy';
import { AccountError } from './account-error.ts';
import type { UserKind } from './user-record.ts';

/** Usernames are case-insensitive: stored and compared in lower case. */
export const USERNAME_PATTERN = /^[a-z0-9._@-]{3,64}$/;
export const FHIR_USER_PATTERN = /^(Practitioner|Patient)\/[A-Za-z0-9\-.]{1,64}$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** The lower-cased username, or an `invalid-username` error. */
export function checkUsername(username: unknown): string {
  const u = typeof username === 'string' ? normalizeUsername(username) : '';
  if (!USERNAME_PATTERN.test(u)) {
    throw new AccountError(
      'invalid-username',
      'Usernames are 3 to 64 characters: letters, digits, dot, underscore, at sign and hyphen.',
    );
  }
  return u;
}

export function checkKind(kind: unknown): UserKind {
  if (kind !== 'staff' && kind !== 'patient') throw new AccountError('invalid-kind', `Kind must be "staff" or "patient".`);
  return kind;
}

/** `Practitioner/<id>` for staff (optional), `Patient/<id>` for patient users (required). */
export function checkFhirUser(kind: UserKind, fhirUser: unknown): string | null {
  if (fhirUser === undefined || fhirUser === null || fhirUser === '') {
    if (kind === 'patient') throw new AccountError('invalid-fhir-user', 'A patient account must be linked to a Patient (Patient/<id>).');
    return null;
  }
  if (typeof fhirUser !== 'string' || !FHIR_USER_PATTERN.test(fhirUser)) {
    throw new AccountError('invalid-fhir-user', 'The FHIR user must be Practitioner/<id> or Patient/<id> (id: letters, digits, "-" and ".", at most 64).');
  }
  const expected = kind === 'staff' ? 'Practitioner/' : 'Patient/';
  if (!fhirUser.startsWith(expected)) {
    throw new AccountError('invalid-fhir-user', `A ${kind} account must be linked to a ${expected.slice(0, -1)}, not ${fhirUser.split('/')[0]}.`);
  }
  return fhirUser;
}

/** Known role codes, without duplicates, in the table's order. Patient accounts hold no roles. */
export function checkRoles(kind: UserKind, roles: unknown): string[] {
  if (roles === undefined || roles === null) return [];
  if (!Array.isArray(roles)) throw new AccountError('invalid-role', 'Roles must be a list.');
  const unknown = roles.filter((r) => typeof r !== 'string' || !(ROLES as readonly string[]).includes(r));
  if (unknown.length) {
    throw new AccountError('invalid-role', `Unknown role ${unknown.map((r) => JSON.stringify(String(r))).join(', ')}; the roles are ${ROLES.join(', ')}.`);
  }
  if (kind === 'patient' && roles.length) throw new AccountError('invalid-role', 'Patient accounts have no staff roles.');
  return ROLES.filter((r) => roles.includes(r));
}

/** Bare Organization ids (an `Organization/` prefix is dropped), without duplicates. Staff only. */
export function checkOrganizations(kind: UserKind, organizations: unknown): string[] {
  if (organizations === undefined || organizations === null) return [];
  if (!Array.isArray(organizations)) throw new AccountError('invalid-organization', 'Organizations must be a list of ids.');
  const ids = organizations.map((o) => (typeof o === 'string' ? o.trim().replace(/^Organization\//, '') : ''));
  const bad = ids.filter((id) => !FHIR_ID.test(id));
  if (bad.length) throw new AccountError('invalid-organization', 'Organization ids are letters, digits, "-" and "." (at most 64).');
  if (kind === 'patient' && ids.length) throw new AccountError('invalid-organization', 'Patient accounts belong to no organization.');
  return [...new Set(ids)];
}

export function checkDisplay(display: unknown): string | null {
  if (display === undefined || display === null) return null;
  if (typeof display !== 'string' || display.length > 200 || /\p{Cc}/u.test(display)) {
    throw new AccountError('invalid-display', 'The display name must be text of at most 200 characters, on one line.');
  }
  return display.trim() || null;
}
