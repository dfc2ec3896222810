import { describe, expect, it } from 'vitest';
import {
  ACCESS_TABLE,
  decide,
  decideCapability,
  INTERACTIONS,
  accessClass,
  restrictionFor,
  ROLES,
  type Interaction,
  type Restriction,
} from '../src/index.ts';
import { LAB, patientUser, staff, system } from './fixtures.ts';

const ORG1: Restriction = { kind: 'organization', organizationIds: ['org1'] };
const P1: Restriction = { kind: 'compartment', patientIds: ['p1'] };

/**
 * Every role × interaction class (r = read/vread/history/search, w = create/update/patch, d = delete) has a
 * permitted and a refused case where the table grants that class somewhere; where it grants it nowhere
 * (`no grant`), the class is refused for every resource type (checked below, exhaustively).
 */
type RoleCase = [role: string, interaction: Interaction, type: string, allowed: boolean, restriction?: Restriction];

describe('decide: role × interaction class (staff with user/*.cruds, organization org1)', () => {
  it.each<RoleCase>([
    // clinician: clinical rw, scheduling rwd, directory r, no billing, no audit
    ['clinician', 'read', 'Observation', true, ORG1],
    ['clinician', 'search', 'DocumentReference', true, ORG1],
    ['clinician', 'read', 'Practitioner', true, undefined],
    ['clinician', 'search', 'AuditEvent', false],
    ['clinician', 'read', 'Claim', false],
    ['clinician', 'create', 'Condition', true, ORG1],
    ['clinician', 'update', 'MedicationRequest', true, ORG1],
    ['clinician', 'update', 'Claim', false],
    ['clinician', 'create', 'Practitioner', false],
    ['clinician', 'delete', 'Appointment', true, ORG1],
    ['clinician', 'delete', 'Observation', false],
    // front desk: demographics, scheduling, coverage, directory; nothing clinical
    ['front-desk', 'read', 'Patient', true, ORG1],
    ['front-desk', 'search', 'Appointment', true, ORG1],
    ['front-desk', 'vread', 'Location', true, undefined],
    ['front-desk', 'read', 'Observation', false],
    ['front-desk', 'search', 'DocumentReference', false],
    ['front-desk', 'read', 'Encounter', false],
    ['front-desk', 'create', 'Appointment', true, ORG1],
    ['front-desk', 'patch', 'Coverage', true, ORG1],
    ['front-desk', 'update', 'RelatedPerson', true, ORG1],
    ['front-desk', 'create', 'Practitioner', true, undefined],
    ['front-desk', 'update', 'Condition', false],
    ['front-desk', 'delete', 'Slot', true, ORG1],
    ['front-desk', 'delete', 'Patient', false],
    // billing: billing rw, coverage rw, reads Patient and Encounter; no notes or observations
    ['billing', 'read', 'Claim', true, ORG1],
    ['billing', 'search', 'ExplanationOfBenefit', true, ORG1],
    ['billing', 'read', 'Encounter', true, ORG1],
    ['billing', 'read', 'Patient', true, ORG1],
    ['billing', 'search', 'Observation', false],
    ['billing', 'read', 'DocumentReference', false],
    ['billing', 'create', 'Invoice', true, ORG1],
    ['billing', 'update', 'Coverage', true, ORG1],
    ['billing', 'update', 'Encounter', false],
    ['billing', 'delete', 'Claim', false], // no grant
    // admin: manages directory and catalogs; no implicit clinical access
    ['admin', 'read', 'Location', true, undefined],
    ['admin', 'search', 'Observation', false],
    ['admin', 'read', 'Patient', false],
    ['admin', 'create', 'Organization', true, undefined],
    ['admin', 'update', 'Questionnaire', true, undefined],
    ['admin', 'create', 'Observation', false],
    ['admin', 'delete', 'PractitionerRole', true, undefined],
    ['admin', 'delete', 'Patient', false],
    // auditor: reads AuditEvent only
    ['auditor', 'read', 'AuditEvent', true, undefined],
    ['auditor', 'search', 'AuditEvent', true, undefined],
    ['auditor', 'history', 'AuditEvent', true, undefined],
    ['auditor', 'read', 'Patient', false],
    ['auditor', 'search', 'Provenance', false],
    ['auditor', 'read', 'StructureDefinition', false],
    ['auditor', 'create', 'AuditEvent', false], // no grant
    ['auditor', 'delete', 'AuditEvent', false], // no grant
    // privacy officer: audit trail, consents, demographics
    ['privacy-officer', 'search', 'AuditEvent', true, undefined],
    ['privacy-officer', 'read', 'Consent', true, ORG1],
    ['privacy-officer', 'read', 'Patient', true, ORG1],
    ['privacy-officer', 'read', 'Observation', false],
    ['privacy-officer', 'update', 'Consent', true, ORG1],
    ['privacy-officer', 'create', 'Observation', false],
    ['privacy-officer', 'update', 'Patient', false],
    ['privacy-officer', 'delete', 'Consent', false], // no grant
  ])('%s %s %s → %s', (role, interaction, type, allowed, restriction) => {
    const d = decide(staff([role]), interaction, type);
    expect(d.allowed, d.reason).toBe(allowed);
    if (allowed) expect(d.restriction).toEqual(restriction);
    else expect(d.restriction).toBeUndefined();
    expect(d.reason).toBeTruthy();
  });

  it('a class the table grants a role nowhere is refused on every type', () => {
    for (const role of ROLES) {
      for (const interaction of INTERACTIONS) {
        const cls = accessClass(interaction);
        if (ACCESS_TABLE.some((row) => row.access[role]?.includes(cls))) continue;
        for (const row of ACCESS_TABLE) for (const type of row.types) expect(decide(staff([role]), interaction, type).allowed).toBe(false);
      }
    }
  });

  it('every cell of the table is what decide does, for every type and interaction', () => {
    for (const role of ROLES) {
      for (const row of ACCESS_TABLE) {
        for (const type of row.types) {
          for (const interaction of INTERACTIONS) {
            const expected = !!row.access[role]?.includes(accessClass(interaction)) && !(row.category === 'audit' && interaction !== 'create' && accessClass(interaction) !== 'r');
            expect(decide(staff([role]), interaction, type).allowed, `${role} ${interaction} ${type}`).toBe(expected);
          }
        }
      }
    }
  });

  it('the rights of several roles add up', () => {
    const a = staff(['front-desk', 'billing']);
    expect(decide(a, 'create', 'Claim').allowed).toBe(true);
    expect(decide(a, 'delete', 'Slot').allowed).toBe(true);
    expect(decide(a, 'read', 'Observation').allowed).toBe(false);
    expect(decide(a, 'read', 'Patient').reason).toMatch(/role front-desk, billing/);
  });
});

describe('decide: staff rules', () => {
  it('no known role, no access; unknown role codes are ignored', () => {
    expect(decide(staff([]), 'read', 'Patient')).toMatchObject({ allowed: false, reason: expect.stringMatching(/no known role/) });
    expect(decide(staff(['nurse']), 'read', 'Patient').allowed).toBe(false);
    expect(decide(staff(['nurse', 'clinician']), 'read', 'Patient').allowed).toBe(true);
  });

  it('patient data is limited to the user’s organizations; shared reference data is not', () => {
    const a = staff(['clinician'], 'user/*.cruds', { organizations: ['org1', 'org2'] });
    expect(decide(a, 'search', 'Observation').restriction).toEqual({ kind: 'organization', organizationIds: ['org1', 'org2'] });
    expect(decide(a, 'search', 'Medication').restriction).toBeUndefined();
  });

  it('a staff user in no organization sees no patient data', () => {
    const a = staff(['clinician'], 'user/*.cruds', { organizations: [] });
    expect(decide(a, 'read', 'Observation')).toMatchObject({ allowed: false, reason: expect.stringMatching(/belongs to no organization/) });
    expect(decide(a, 'read', 'Practitioner').allowed).toBe(true);
  });

  it('scopes narrow what the role allows, never widen it', () => {
    const readOnly = staff(['clinician'], 'user/*.rs');
    expect(decide(readOnly, 'read', 'Observation').allowed).toBe(true);
    expect(decide(readOnly, 'create', 'Observation')).toMatchObject({ allowed: false, reason: expect.stringMatching(/no granted scope allows create \(c\)/) });
    const vitals = staff(['front-desk'], 'user/Observation.rs');
    expect(decide(vitals, 'read', 'Observation').allowed).toBe(false); // the role still forbids it
    expect(decide(staff(['clinician'], 'user/Observation.r'), 'search', 'Observation').allowed).toBe(false); // r is not s
    expect(decide(staff(['clinician'], 'openid fhirUser'), 'read', 'Patient').allowed).toBe(false);
  });

  it('granular user scope: search restriction AND organization', () => {
    const d = decide(staff(['clinician'], `user/Observation.rs?category=${LAB}`), 'search', 'Observation');
    expect(d.allowed).toBe(true);
    expect(d.restriction?.kind).toBe('and');
    if (d.restriction?.kind !== 'and') return;
    expect(d.restriction.parts.map((p) => p.kind)).toEqual(['search', 'organization']);
  });

  it('several scopes on a type are OR-ed; an unrestricted one wins', () => {
    const two = decide(staff(['clinician'], `user/Observation.rs?category=${LAB} user/Observation.rs?code=718-7`), 'search', 'Observation');
    expect(two.restriction?.kind).toBe('and');
    if (two.restriction?.kind === 'and') expect(two.restriction.parts[0].kind).toBe('or');
    const wide = decide(staff(['clinician'], `user/Observation.rs?category=${LAB} user/*.rs`), 'search', 'Observation');
    expect(wide.restriction).toEqual(ORG1);
  });

  it('patient/ scopes need a patient in context (EHR launch), then confine to it', () => {
    expect(decide(staff(['clinician'], 'patient/*.rs'), 'read', 'Observation')).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/needs a patient in context/),
    });
    const launched = staff(['clinician'], 'launch patient/*.rs', { launchPatientId: 'p1' });
    expect(decide(launched, 'read', 'Observation').restriction).toEqual({ kind: 'and', parts: [P1, ORG1] });
    // Shared reference data is not confined to the patient.
    expect(decide(launched, 'read', 'Practitioner').restriction).toBeUndefined();
    // Patient data without a patient compartment cannot be confined, so a patient/ scope does not cover it.
    expect(decide(launched, 'read', 'Slot').allowed).toBe(false);
  });

  it('system/ scopes do not apply to users', () => {
    expect(decide(staff(['clinician'], 'system/*.cruds'), 'read', 'Observation')).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/does not apply to a staff actor/),
    });
  });
});

describe('decide: patient users are confined to their compartment', () => {
  it.each<[interaction: Interaction, type: string, allowed: boolean, restriction?: Restriction]>([
    ['read', 'Observation', true, P1],
    ['search', 'Condition', true, P1],
    ['history', 'MedicationRequest', true, P1],
    ['read', 'Patient', true, P1],
    ['search', 'Encounter', true, P1],
    ['read', 'ExplanationOfBenefit', true, P1],
    ['read', 'Consent', true, P1],
    ['read', 'Practitioner', true, undefined],
    ['read', 'Medication', true, undefined],
    ['create', 'Communication', true, P1],
    ['update', 'QuestionnaireResponse', true, P1],
    ['read', 'AuditEvent', false],
    ['read', 'Provenance', false],
    ['read', 'Slot', false], // patient data with no patient compartment
    ['read', 'Binary', false],
    ['create', 'Observation', false],
    ['update', 'Patient', false],
    ['delete', 'Communication', false],
    ['read', 'Subscription', false],
  ])('%s %s → %s', (interaction, type, allowed, restriction) => {
    const d = decide(patientUser('p1'), interaction, type);
    expect(d.allowed, d.reason).toBe(allowed);
    if (allowed) expect(d.restriction).toEqual(restriction);
  });

  it('patient/ scopes refer to the patient user; the compartment is not repeated', () => {
    expect(decide(patientUser('p1', 'patient/*.rs'), 'search', 'Observation').restriction).toEqual(P1);
  });

  it('granular patient scope: compartment AND the scope query', () => {
    const a = patientUser('p1', `launch/patient patient/Observation.rs?category=${LAB}`);
    const d = decide(a, 'search', 'Observation');
    expect(d.allowed).toBe(true);
    expect(d.restriction).toMatchObject({ kind: 'and', parts: [P1, { kind: 'search', resourceType: 'Observation' }] });
    expect(decide(a, 'search', 'Condition').allowed).toBe(false);
    expect(decide(a, 'create', 'Observation').allowed).toBe(false);
  });

  it('a * granular scope whose parameter the type lacks grants nothing on it', () => {
    const a = patientUser('p1', 'patient/*.rs?_security=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|N');
    const d = decide(a, 'read', 'Condition');
    expect(d.restriction).toMatchObject({ kind: 'and', parts: [P1, { kind: 'search', resourceType: 'Condition' }] });
  });

  it('without a patient id or a user scope there is nothing', () => {
    expect(decide(patientUser(null), 'read', 'Observation').allowed).toBe(false);
    expect(decide(patientUser('p1', 'system/*.rs'), 'read', 'Observation').allowed).toBe(false);
    expect(decide(patientUser('p1', ''), 'read', 'Observation').allowed).toBe(false);
  });

  it('roles and organizations of a patient actor are ignored', () => {
    const a = patientUser('p1', 'user/*.cruds', { roles: ['clinician', 'admin'], organizations: ['org1'] });
    expect(decide(a, 'create', 'Observation').allowed).toBe(false);
    expect(decide(a, 'read', 'Observation').restriction).toEqual(P1);
  });
});

describe('decide: system clients (SMART Backend Services)', () => {
  it.each<[scopes: string, interaction: Interaction, type: string, allowed: boolean]>([
    ['system/Observation.rs', 'read', 'Observation', true],
    ['system/Observation.rs', 'search', 'Observation', true],
    ['system/Observation.rs', 'create', 'Observation', false],
    ['system/Observation.rs', 'read', 'Patient', false],
    ['system/*.read', 'search', 'Patient', true],
    ['system/*.cruds', 'delete', 'Observation', true],
    ['system/*.cruds', 'create', 'Subscription', true],
    ['system/*.cruds', 'create', 'AuditEvent', true],
    ['system/*.cruds', 'update', 'AuditEvent', false], // append-only
    ['system/*.cruds', 'delete', 'AuditEvent', false],
    ['user/*.cruds', 'read', 'Observation', false],
    ['patient/*.rs', 'read', 'Observation', false],
  ])('%s: %s %s → %s', (scopes, interaction, type, allowed) => {
    const d = decide(system(scopes), interaction, type);
    expect(d.allowed, d.reason).toBe(allowed);
    if (allowed) expect(d.restriction).toBeUndefined();
  });

  it('granular system scope gives a search restriction', () => {
    const d = decide(system(`system/Observation.rs?category=${LAB}`), 'search', 'Observation');
    expect(d.restriction).toMatchObject({ kind: 'search', resourceType: 'Observation', source: `system/Observation.rs?category=${LAB}` });
  });
});

describe('decide: other rules', () => {
  it('unknown types are refused', () => {
    expect(decide(system('system/*.cruds'), 'read', 'Foo')).toMatchObject({ allowed: false, reason: 'Foo is not a known resource type' });
  });

  it('AuditEvent is append-only for everyone', () => {
    for (const interaction of ['update', 'patch', 'delete'] as const) {
      expect(decide(staff(['auditor', 'privacy-officer', 'admin']), interaction, 'AuditEvent').allowed).toBe(false);
    }
  });

  it('restrictionFor: none when refused, the decision’s restriction otherwise', () => {
    expect(restrictionFor(staff(['front-desk']), 'search', 'Observation')).toEqual({ kind: 'none' });
    expect(restrictionFor(staff(['clinician']), 'search', 'Observation')).toEqual(ORG1);
    expect(restrictionFor(staff(['clinician']), 'search', 'Practitioner')).toBeUndefined();
  });

  it('decideCapability: user management is for admins', () => {
    expect(decideCapability(staff(['admin']), 'manage-users').allowed).toBe(true);
    expect(decideCapability(staff(['clinician', 'privacy-officer']), 'manage-users').allowed).toBe(false);
    expect(decideCapability(system('system/*.cruds'), 'manage-users').allowed).toBe(false);
    expect(decideCapability(patientUser('p1', 'user/*.cruds', { roles: ['admin'] }), 'manage-users').allowed).toBe(false);
  });

  it('is deterministic and does not mutate the actor', () => {
    const a = staff(['clinician']);
    const copy = JSON.stringify({ ...a, scopes: a.scopes.map((s) => s.text) });
    expect(decide(a, 'read', 'Observation')).toEqual(decide(a, 'read', 'Observation'));
    expect(JSON.stringify({ ...a, scopes: a.scopes.map((s) => s.text) })).toBe(copy);
  });
});
