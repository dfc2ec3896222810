import { isValidId } from '@confide/fhir';
import type { Organization, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { demoPatientUsers, demoStaff, ORGANIZATION, PRACTICE_NAME, RIVERSIDE_NAME } from '../src/index.ts';
import { isValidNpi } from '../src/npi.ts';
import { SYSTEMS } from '../src/systems.ts';
import { byType, defaultPractice, referencesIn, resourcesOf } from './fixtures.ts';

const bundles = defaultPractice();

describe('bundles', () => {
  it('are transactions of PUTs to fixed ids with urn:uuid fullUrls', () => {
    const fullUrls = new Set<string>();
    for (const bundle of bundles) {
      expect(bundle.resourceType).toBe('Bundle');
      expect(bundle.type).toBe('transaction');
      for (const entry of bundle.entry ?? []) {
        const r = entry.resource as Resource;
        expect(entry.request).toEqual({ method: 'PUT', url: `${r.resourceType}/${r.id}` });
        expect(entry.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(fullUrls.has(entry.fullUrl as string)).toBe(false);
        fullUrls.add(entry.fullUrl as string);
      }
    }
  });

  it('come as one practice bundle followed by one bundle per patient', () => {
    expect(bundles).toHaveLength(101);
    const types = new Set(resourcesOf([bundles[0]]).map((r) => r.resourceType));
    expect([...types].sort()).toEqual(['Location', 'Organization', 'Practitioner', 'PractitionerRole', 'Schedule', 'Slot']);
    bundles.slice(1).forEach((bundle, i) => {
      const patients = (bundle.entry ?? []).filter((e) => e.resource?.resourceType === 'Patient');
      expect(patients.map((e) => e.resource?.id)).toEqual([`demo-patient-${String(i + 1).padStart(3, '0')}`]);
      expect(bundle.entry?.[0].resource?.resourceType).toBe('Patient');
    });
  });

  it('hold a few thousand resources, 30 to 60 per patient on average', () => {
    const sizes = bundles.slice(1).map((b) => b.entry?.length ?? 0);
    const mean = sizes.reduce((s, n) => s + n, 0) / sizes.length;
    expect(mean).toBeGreaterThanOrEqual(30);
    expect(mean).toBeLessThanOrEqual(60);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(160);
    expect(resourcesOf(bundles).length).toBeGreaterThan(3000);
  });
});

describe('ids and references', () => {
  it('ids are valid FHIR ids, unique per resource type', () => {
    const seen = new Set<string>();
    for (const r of resourcesOf(bundles)) {
      expect(isValidId(r.id as string), r.id).toBe(true);
      const key = `${r.resourceType}/${r.id}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it('every reference points to a resource loaded earlier (same bundle or an earlier one)', () => {
    const loaded = new Set<string>();
    const dangling: string[] = [];
    for (const bundle of bundles) {
      // Within a bundle, order entries so that targets come first; across bundles, earlier bundles.
      for (const entry of bundle.entry ?? []) {
        const r = entry.resource as Resource;
        for (const { path, reference } of referencesIn(r)) {
          expect(reference).toMatch(/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/);
          if (!loaded.has(reference)) dangling.push(`${r.resourceType}/${r.id} ${path} -> ${reference}`);
        }
        loaded.add(`${r.resourceType}/${r.id}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  it('patient bundles only reference their own patient', () => {
    for (const bundle of bundles.slice(1)) {
      const patientId = bundle.entry?.[0].resource?.id;
      for (const entry of bundle.entry ?? []) {
        for (const { reference } of referencesIn(entry.resource)) {
          if (reference.startsWith('Patient/')) expect(reference).toBe(`Patient/${patientId}`);
        }
      }
    }
  });
});

describe('the practice', () => {
  const organizations = byType<Organization>(bundles, 'Organization');
  const practitioners = byType<Practitioner>(bundles, 'Practitioner');
  const roles = byType<PractitionerRole>(bundles, 'PractitionerRole');

  it('has the main practice and the Part 2 program as a site of it, both with NPIs', () => {
    const practice = organizations.find((o) => o.id === ORGANIZATION.practice);
    const riverside = organizations.find((o) => o.id === ORGANIZATION.riverside);
    expect(practice?.name).toBe(PRACTICE_NAME);
    expect(riverside?.name).toBe(RIVERSIDE_NAME);
    expect(riverside?.partOf?.reference).toBe(`Organization/${ORGANIZATION.practice}`);
    for (const org of [practice, riverside]) {
      const npi = org?.identifier?.find((i) => i.system === SYSTEMS.npi)?.value as string;
      expect(isValidNpi(npi)).toBe(true);
    }
  });

  it('has the clinical team with valid NPIs, plus front-desk, billing and admin staff', () => {
    const clinicians = demoStaff.filter((s) => s.role === 'clinician');
    expect(clinicians.length).toBeGreaterThanOrEqual(6);
    for (const s of clinicians) {
      const p = practitioners.find((x) => x.id === s.practitionerId);
      const npi = p?.identifier?.find((i) => i.system === SYSTEMS.npi)?.value as string;
      expect(isValidNpi(npi), s.username).toBe(true);
    }
    const npis = practitioners.flatMap((p) => p.identifier?.map((i) => i.value) ?? []);
    expect(new Set(npis).size).toBe(npis.length);
    for (const role of ['front-desk', 'billing', 'admin'] as const) expect(demoStaff.some((s) => s.role === role)).toBe(true);
    const suffixes = practitioners.flatMap((p) => p.name?.[0].suffix ?? []);
    for (const credential of ['LCSW', 'LPC', 'MD', 'PMHNP-BC', 'RN']) expect(suffixes).toContain(credential);
  });

  it('links every staff member to an organization through a role carrying their staff role', () => {
    for (const s of demoStaff) {
      const own = roles.filter((r) => r.practitioner?.reference === `Practitioner/${s.practitionerId}`);
      expect(own.length, s.username).toBeGreaterThan(0);
      for (const r of own) expect(r.code?.[0].coding?.some((c) => c.system === SYSTEMS.staffRole && c.code === s.role)).toBe(true);
    }
    const riversideStaff = roles.filter((r) => r.organization?.reference === `Organization/${ORGANIZATION.riverside}`);
    expect(riversideStaff.length).toBeGreaterThanOrEqual(3);
  });

  it('describes staff and portal users as plain data that match the generated resources', () => {
    expect(new Set(demoStaff.map((s) => s.username)).size).toBe(demoStaff.length);
    for (const s of demoStaff) {
      expect(Object.keys(s).sort()).toEqual(['display', 'practitionerId', 'role', 'username']);
      expect(practitioners.some((p) => p.id === s.practitionerId)).toBe(true);
    }
    expect(demoPatientUsers).toHaveLength(3);
    const patientIds = new Set(resourcesOf(bundles).filter((r) => r.resourceType === 'Patient').map((r) => r.id));
    for (const u of demoPatientUsers) {
      expect(patientIds.has(u.patientId)).toBe(true);
      expect(JSON.stringify(u)).not.toMatch(/password/i);
    }
  });
});
