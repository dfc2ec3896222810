import type { Patient, Resource } from '@medplum/fhirtypes';
import { patientCompartmentParams, resourceTypes, searchParameter } from '@confide/fhir';
import { ident, type Queryable } from './db/db.ts';
import type { RowLinks } from './write-batch.ts';

/**
 * Which organizations a row belongs to: the `organizations` column (`Organization/<id>`…) that staff access
 * to patient data is checked against. The rule, applied at write time:
 *
 * 1. a **Patient** belongs to its `managingOrganization` and to the organizations among its
 *    `generalPractitioner`s;
 * 2. a row in **patients' compartments** (R4 CompartmentDefinition Patient) belongs to those patients'
 *    organizations — whatever it says itself, so that a record cannot be moved out of a patient's
 *    organizations by naming another one;
 * 3. **any other row** belongs to the organizations it references directly, and, one hop away, to those of
 *    the Location, PractitionerRole, HealthcareService, Schedule, Device or Group it references, and of the
 *    active PractitionerRoles of a Practitioner it references (a Slot → its Schedule → the scheduled
 *    practitioner's organizations).
 *
 * A row that belongs to no organization is seen by no staff user (the policy fails closed). When a
 * Patient's organizations change, every row of its compartment is brought up to date in the same
 * transaction (`cascadeOrganizations`).
 */
export interface OrganizationRow {
  resourceType: string;
  id: string;
  resource?: Resource;
  links: RowLinks;
}

export interface ResolvedOrganizations {
  /** `Type/id` → the row's organizations (null: none). */
  rows: Map<string, string[] | null>;
  /** Patients whose organizations differ from what is stored (or are new with some). */
  changedPatients: string[];
}

const REF = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;
/** Types whose own organizations a referencing row inherits (rule 3). */
const HOP_TYPES = new Set(['Location', 'PractitionerRole', 'HealthcareService', 'Schedule', 'Device', 'Group']);

/** Organization ids a Patient names itself (rule 1). */
export function patientOrganizations(patient: Patient): string[] {
  const out = new Set<string>();
  const add = (ref: string | undefined) => {
    const m = ref ? REF.exec(ref) : null;
    if (m && m[1] === 'Organization') out.add(`Organization/${m[2]}`);
  };
  add(patient.managingOrganization?.reference);
  for (const gp of patient.generalPractitioner ?? []) add(gp.reference);
  return [...out].sort();
}

function sorted(set: Iterable<string>): string[] | null {
  const a = [...new Set(set)].sort();
  return a.length ? a : null;
}

function sameList(a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

async function lookup(tx: Queryable, type: string, ids: string[]): Promise<Map<string, string[] | null>> {
  const out = new Map<string, string[] | null>();
  if (ids.length === 0) return out;
  const r = await tx.query<{ id: string; organizations: string[] | null }>(
    `SELECT id, organizations FROM ${ident(type)} WHERE id = ANY($1::text[]) AND NOT deleted`,
    [ids],
    `orgs:${type}`,
  );
  for (const row of r.rows) out.set(row.id, row.organizations ? [...row.organizations].sort() : null);
  return out;
}

/** Computes the organizations of a batch of rows about to be written (see the rule above). */
export async function resolveOrganizations(tx: Queryable, rows: OrganizationRow[]): Promise<ResolvedOrganizations> {
  const result = new Map<string, string[] | null>();
  const batchPatients = new Map<string, string[] | null>();

  // Rule 1: patients of this batch, and whether they changed.
  const patientRows = rows.filter((r) => r.resourceType === 'Patient');
  for (const r of patientRows) {
    const orgs = r.resource ? sorted(patientOrganizations(r.resource as Patient)) : null;
    batchPatients.set(r.id, orgs);
    result.set(`Patient/${r.id}`, orgs);
  }
  const changedPatients: string[] = [];
  if (patientRows.length) {
    const before = await lookup(tx, 'Patient', patientRows.map((r) => r.id));
    for (const r of patientRows) {
      const now = batchPatients.get(r.id);
      if (before.has(r.id) ? !sameList(before.get(r.id), now) : now !== null) changedPatients.push(r.id);
    }
  }

  // Rule 2: rows in patient compartments.
  const compartmentRows = rows.filter((r) => r.resourceType !== 'Patient' && r.links.compartments.length > 0);
  const missing = new Set<string>();
  for (const r of compartmentRows) {
    for (const c of r.links.compartments) {
      const id = c.slice('Patient/'.length);
      if (!batchPatients.has(id)) missing.add(id);
    }
  }
  const stored = await lookup(tx, 'Patient', [...missing]);
  for (const r of compartmentRows) {
    const orgs: string[] = [];
    for (const c of r.links.compartments) {
      const id = c.slice('Patient/'.length);
      orgs.push(...((batchPatients.has(id) ? batchPatients.get(id) : stored.get(id)) ?? []));
    }
    result.set(`${r.resourceType}/${r.id}`, sorted(orgs));
  }

  // Rule 3: everything else. Rows of this batch are resolved before the rows that reach them (a Slot after
  // its Schedule, a Schedule after the PractitionerRoles of its practitioner); rows outside the batch are
  // read from the database.
  const others = rows.filter((r) => r.resourceType !== 'Patient' && r.links.compartments.length === 0);
  const inBatch = new Set(others.map((r) => `${r.resourceType}/${r.id}`));
  const parsed = others.map((r) => {
    const direct: string[] = [];
    const via: string[] = [];
    for (const ref of r.links.references) {
      const m = REF.exec(ref);
      if (!m) continue;
      if (m[1] === 'Organization') direct.push(ref);
      else if (HOP_TYPES.has(m[1]) || m[1] === 'Practitioner') via.push(ref);
    }
    if (r.resourceType === 'Organization') direct.push(`Organization/${r.id}`);
    return { r, key: `${r.resourceType}/${r.id}`, direct, via };
  });
  // PractitionerRoles of this batch, by practitioner: a Practitioner reference depends on them.
  const batchRoles = new Map<string, string[]>();
  for (const p of parsed) {
    if (p.r.resourceType !== 'PractitionerRole') continue;
    for (const ref of p.r.links.references) {
      if (ref.startsWith('Practitioner/')) batchRoles.set(ref, [...(batchRoles.get(ref) ?? []), p.key]);
    }
  }
  // Database values of everything reached outside the batch.
  const hopValues = new Map<string, string[] | null>();
  const hops = new Map<string, Set<string>>();
  const practitioners = new Set<string>();
  for (const p of parsed) {
    for (const ref of p.via) {
      if (inBatch.has(ref)) continue;
      const [type, id] = ref.split('/');
      if (type === 'Practitioner') practitioners.add(id);
      else {
        let set = hops.get(type);
        if (!set) hops.set(type, (set = new Set()));
        set.add(id);
      }
    }
  }
  for (const [type, ids] of hops) {
    for (const [id, orgs] of await lookup(tx, type, [...ids])) hopValues.set(`${type}/${id}`, orgs);
  }
  if (practitioners.size) {
    const prefix = `${searchParameter('PractitionerRole', 'practitioner')?.columnName ?? 'practitioner'}=`;
    const refs = [...practitioners].map((id) => `${prefix}Practitioner/${id}`);
    const r = await tx.query<{ tok: string; organizations: string[] | null }>(
      `SELECT tok, organizations FROM "PractitionerRole", unnest(search_tokens) tok
        WHERE search_tokens && $1::text[] AND tok = ANY($1::text[]) AND NOT deleted`,
      [refs],
      'orgs:practitioner',
    );
    for (const row of r.rows) {
      const key = row.tok.slice(prefix.length);
      hopValues.set(key, [...(hopValues.get(key) ?? []), ...(row.organizations ?? [])]);
    }
  }
  const dependencies = (p: (typeof parsed)[number]): string[] =>
    p.via.flatMap((ref) => (ref.startsWith('Practitioner/') ? (batchRoles.get(ref) ?? []) : inBatch.has(ref) ? [ref] : []));
  let pending = parsed;
  for (let pass = 0; pending.length > 0; pass++) {
    // After a few passes only cycles are left; they are resolved with what is known.
    const ready = pass < 4 ? pending.filter((p) => dependencies(p).every((d) => result.has(d))) : pending;
    if (ready.length === 0 && pass < 4) continue;
    for (const p of ready) {
      const orgs = [...p.direct];
      for (const ref of p.via) {
        if (ref.startsWith('Practitioner/')) {
          orgs.push(...(hopValues.get(ref) ?? []));
          for (const role of batchRoles.get(ref) ?? []) orgs.push(...(result.get(role) ?? []));
        } else orgs.push(...((inBatch.has(ref) ? result.get(ref) : hopValues.get(ref)) ?? []));
      }
      result.set(p.key, sorted(orgs));
    }
    pending = pending.filter((p) => !ready.includes(p));
  }
  return { rows: result, changedPatients };
}

let compartmentTables: string[] | undefined;

/**
 * After patients' organizations changed: recompute the organizations of every row in their compartments
 * (rule 2), in one round trip. Ids are checked against the FHIR id pattern before they are written into the
 * statement as literals (a multi-statement script takes no bind parameters).
 */
export async function cascadeOrganizations(tx: Queryable, patientIds: string[]): Promise<void> {
  const ids = patientIds.filter((id) => /^[A-Za-z0-9\-.]{1,64}$/.test(id));
  if (ids.length === 0) return;
  // AuditEvent rows are append-only (migration 0004) and not organization-scoped (policy: the audit category).
  compartmentTables ??= resourceTypes().filter((t) => t !== 'Patient' && t !== 'AuditEvent' && patientCompartmentParams(t).length > 0);
  const list = `ARRAY[${ids.map((id) => `'Patient/${id}'`).join(',')}]::text[]`;
  const sql = compartmentTables
    .map(
      (t) => `UPDATE ${ident(t)} t SET organizations = (
         SELECT array_agg(DISTINCT o ORDER BY o) FROM "Patient" p, unnest(p.organizations) o
          WHERE NOT p.deleted AND ('Patient/' || p.id) = ANY(t.compartments))
        WHERE t.compartments && ${list} AND NOT t.deleted;`,
    )
    .join('\n');
  await tx.exec(sql);
}
