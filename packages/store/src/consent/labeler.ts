import type { Coding, Meta, Resource } from '@medplum/fhirtypes';
import { issue, OperationOutcomeError, operationOutcome } from '@confide/fhir';
import {
  assignLabels,
  checkLabelChange,
  isDesignatedPart2Program,
  ORGANIZATION_DESIGNATION_SYSTEM,
  PART2_PROGRAM_DESIGNATION,
  PART2_PROGRAM_TAG_SYSTEM,
  segmentedType,
  type Actor,
  type LabelRules,
} from '@confide/policy';
import { ident, type Queryable } from '../db/db.ts';
import { tagToken } from '../access/segmentation-sql.ts';
import type { PendingWrite, RowLinks } from '../write-batch.ts';

/** How the store labels what it writes (docs/consent.md). */
export interface LabelOptions {
  /** The practice's label rules (@confide/policy `DEFAULT_LABEL_RULES` when absent). */
  rules?: LabelRules;
}

/** One row of a batch as the labeler sees it: its links and the organizations the store computed for it. */
export interface LabelRow {
  write: PendingWrite;
  links: RowLinks | undefined;
}

/** Types whose program tag a record referencing them inherits (a Condition of a Part 2 visit). */
const PROGRAM_CARRIERS = new Set(['Encounter', 'EpisodeOfCare', 'CarePlan', 'ServiceRequest', 'MedicationRequest', 'DiagnosticReport', 'Composition', 'DocumentReference']);
/** Types whose organizations (organizations column: rule 3 of organizations.ts) are where a record was kept. */
const PLACE_TYPES = new Set(['Location', 'PractitionerRole', 'HealthcareService']);
const MEDICATION_USE = new Set(['MedicationRequest', 'MedicationStatement', 'MedicationDispense', 'MedicationAdministration']);
const DESIGNATION_TOKEN = tagToken(ORGANIZATION_DESIGNATION_SYSTEM, PART2_PROGRAM_DESIGNATION);

/**
 * Labels every version of a batch before it is stored (create, update, patch, transactions, import, seed: they all
 * end in one flush), and refuses what would lower labels:
 *
 * 1. An update without `meta.security` keeps the current version's labels (clients need not echo them).
 * 2. `assignLabels` adds what the practice's rules derive from the content and from the Part 2 program that keeps
 *    the record (@confide/policy labels/rules.ts). Which program keeps it: a designated Organization the record
 *    references (Encounter.serviceProvider, performer…), the program of an Encounter/EpisodeOfCare/order it
 *    references (their `part2-program` tag), the organization of a Location/PractitionerRole/HealthcareService it
 *    references, and any program that kept its earlier versions. The program is recorded on the record as a
 *    server-managed `meta.tag` (`PART2_PROGRAM_TAG_SYSTEM|Organization/<id>`) that within-program access checks.
 * 3. `checkLabelChange`: dropping a label or lowering confidentiality needs the right to lower (`privacy-officer`;
 *    the server's own work — import, seed — has it); so does adding or removing an Organization's Part 2
 *    designation. Refused with 403 and an OperationOutcome pointing at `meta.security` (or `meta.tag`).
 *
 * Mutates the writes it changes (resource and JSON text) and returns them, so the caller can re-index them.
 */
export async function labelWrites(tx: Queryable, rows: LabelRow[], actor: Actor | undefined, options: LabelOptions): Promise<Set<PendingWrite>> {
  const live = rows.filter((r) => !r.write.deleted && r.write.resource);
  const changed = new Set<PendingWrite>();
  if (live.length === 0) return changed;
  const canLower = actor === undefined || (actor.kind === 'staff' && actor.roles.includes('privacy-officer'));
  const current = await currentVersions(tx, live.filter((r) => r.write.versionId > 1 && (segmentedType(r.write.resourceType) || r.write.resourceType === 'Organization')));
  // Records of the batch by reference: a Condition takes the program of an Encounter written with it, as that
  // Encounter is labelled (carriers are labelled first, see the order below).
  const inBatch = new Map(live.map((r) => [`${r.write.resourceType}/${r.write.id}`, r.write]));

  // Organization designations first: they decide the labels of the rest of the batch.
  for (const r of live) {
    if (r.write.resourceType !== 'Organization') continue;
    const before = current.get(`Organization/${r.write.id}`);
    if (!canLower && isDesignatedPart2Program(before) !== isDesignatedPart2Program(r.write.resource)) {
      throw refusal("Designating an organization a 42 CFR Part 2 program (or ending it) needs the privacy officer's right", 'Organization.meta.tag');
    }
  }
  const segmented = live.filter((r) => segmentedType(r.write.resourceType)).sort((a, b) => carrierRank(a.write.resourceType) - carrierRank(b.write.resourceType));
  if (segmented.length === 0) return changed;
  const programs = await part2Programs(tx, live);
  const refs = segmented.flatMap((r) => r.links?.references ?? []);
  const carried = programs.size ? await referencedPrograms(tx, refs, inBatch) : new Map<string, string[]>();
  const medications = await medicationCodes(tx, segmented, refs);

  for (const r of segmented) {
    const w = r.write;
    const resource = w.resource as Resource;
    const before = current.get(`${w.resourceType}/${w.id}`);
    const beforeLabels = before?.meta?.security;
    const given = resource.meta?.security;
    const start: Resource = given === undefined && beforeLabels?.length ? withMeta(resource, { ...resource.meta, security: beforeLabels }) : resource;
    const keeping = new Set<string>(programTags(before));
    for (const ref of r.links?.references ?? []) {
      if (ref.startsWith('Organization/') && programs.has(ref)) keeping.add(ref);
      const batch = inBatch.get(ref);
      const fromBatch = batch && PROGRAM_CARRIERS.has(batch.resourceType) ? programTags(batch.resource) : undefined;
      for (const p of fromBatch ?? carried.get(ref) ?? []) keeping.add(p);
    }
    const assignment = assignLabels(start, {
      rules: options.rules,
      part2Programs: [...programs],
      authoringOrganizations: [...keeping],
      resolvedCodes: MEDICATION_USE.has(w.resourceType) ? (r.links?.references ?? []).flatMap((ref) => medications.get(ref) ?? []) : [],
    });
    const change = checkLabelChange(beforeLabels, assignment.security, canLower);
    if (!change.allowed) throw refusal(`Security labels cannot be lowered: ${change.reason}`, `${w.resourceType}.meta.security`);
    const keptPrograms = [...keeping].filter((o) => programs.has(o) || programTags(before).includes(o)).sort();
    const tags = mergeProgramTags(start.meta?.tag, keptPrograms);
    const security = assignment.security.length ? assignment.security : undefined;
    if (sameJson(security, resource.meta?.security) && sameJson(tags, resource.meta?.tag)) continue;
    const meta: Meta = { ...start.meta };
    if (security) meta.security = security;
    else delete meta.security;
    if (tags) meta.tag = tags;
    else delete meta.tag;
    w.resource = withMeta(resource, meta);
    w.json = JSON.stringify(w.resource);
    changed.add(w);
  }
  return changed;
}

/** Episodes, then encounters, then orders and documents, then the rest: what carries a program is labelled before what inherits it. */
function carrierRank(type: string): number {
  if (type === 'EpisodeOfCare') return 0;
  if (type === 'Encounter') return 1;
  return PROGRAM_CARRIERS.has(type) ? 2 : 3;
}

function refusal(text: string, expression: string): OperationOutcomeError {
  return new OperationOutcomeError(403, operationOutcome([issue('forbidden', text, expression)]));
}

function withMeta(resource: Resource, meta: Meta): Resource {
  return { ...resource, meta } as Resource;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function programTags(r: Resource | undefined): string[] {
  return (r?.meta?.tag ?? []).filter((t) => t.system === PART2_PROGRAM_TAG_SYSTEM && t.code).map((t) => t.code as string);
}

/** The record's tags with the program tags the server keeps: exactly `programs` (a client cannot add or drop them). */
function mergeProgramTags(tags: Coding[] | undefined, programs: string[]): Coding[] | undefined {
  const others = (tags ?? []).filter((t) => t.system !== PART2_PROGRAM_TAG_SYSTEM);
  const out = [...others, ...programs.map((code) => ({ system: PART2_PROGRAM_TAG_SYSTEM, code }))];
  return out.length ? out : undefined;
}

async function currentVersions(tx: Queryable, rows: LabelRow[]): Promise<Map<string, Resource>> {
  const out = new Map<string, Resource>();
  const byType = new Map<string, string[]>();
  for (const r of rows) byType.set(r.write.resourceType, [...(byType.get(r.write.resourceType) ?? []), r.write.id]);
  for (const [type, ids] of byType) {
    const res = await tx.query<{ id: string; content: string }>(`SELECT id, content FROM ${ident(type)} WHERE id = ANY($1::text[]) AND NOT deleted`, [ids], `labels:${type}`);
    for (const row of res.rows) out.set(`${type}/${row.id}`, JSON.parse(row.content) as Resource);
  }
  return out;
}

/** `Organization/<id>` of every designated Part 2 program: stored ones, as this batch leaves them. */
async function part2Programs(tx: Queryable, live: LabelRow[]): Promise<Set<string>> {
  const r = await tx.query<{ id: string }>(`SELECT id FROM "Organization" WHERE search_tokens @> $1::text[] AND NOT deleted`, [[DESIGNATION_TOKEN]], 'part2-programs');
  const out = new Set(r.rows.map((row) => `Organization/${row.id}`));
  for (const row of live) {
    if (row.write.resourceType !== 'Organization') continue;
    const key = `Organization/${row.write.id}`;
    if (isDesignatedPart2Program(row.write.resource)) out.add(key);
    else out.delete(key);
  }
  return out;
}

/** For each referenced record or place: the organizations whose program it belongs to. */
async function referencedPrograms(tx: Queryable, refs: string[], inBatch: Map<string, PendingWrite>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const byType = new Map<string, Set<string>>();
  for (const ref of new Set(refs)) {
    const [type, id] = ref.split('/');
    if (!id || !(PROGRAM_CARRIERS.has(type) || PLACE_TYPES.has(type))) continue;
    if (inBatch.has(ref) && PROGRAM_CARRIERS.has(type)) continue; // read from the batch when labelled
    if (!byType.has(type)) byType.set(type, new Set());
    byType.get(type)!.add(id);
  }
  for (const [type, ids] of byType) {
    const place = PLACE_TYPES.has(type);
    const r = await tx.query<{ id: string; search_tokens: string[] | null; organizations: string[] | null }>(
      `SELECT id, search_tokens, organizations FROM ${ident(type)} WHERE id = ANY($1::text[]) AND NOT deleted`,
      [[...ids]],
      `programs:${type}`,
    );
    const prefix = `_tag=${PART2_PROGRAM_TAG_SYSTEM}|`;
    for (const row of r.rows) {
      const programs = place ? (row.organizations ?? []) : (row.search_tokens ?? []).filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length));
      out.set(`${type}/${row.id}`, programs);
    }
  }
  return out;
}

/** The codes of Medications that medication-use records of the batch reference (for rules that match them). */
async function medicationCodes(tx: Queryable, rows: LabelRow[], refs: string[]): Promise<Map<string, Coding[]>> {
  const out = new Map<string, Coding[]>();
  if (!rows.some((r) => MEDICATION_USE.has(r.write.resourceType))) return out;
  const ids = [...new Set(refs.filter((r) => r.startsWith('Medication/')).map((r) => r.slice(11)))];
  if (ids.length === 0) return out;
  const r = await tx.query<{ id: string; content: string }>(`SELECT id, content FROM "Medication" WHERE id = ANY($1::text[]) AND NOT deleted`, [ids], 'labels:Medication');
  for (const row of r.rows) {
    const med = JSON.parse(row.content) as { code?: { coding?: Coding[] } };
    out.set(`Medication/${row.id}`, med.code?.coding ?? []);
  }
  return out;
}
