import { errors, isResourceType, isValidId, patientCompartmentParams, resourceTypes, searchParameters } from '@confide/fhir';
import { ident, type Db } from './db/db.ts';

export interface EverythingOptions {
  /** Only resources changed at or after this instant (`_since`). */
  since?: string;
  /** Only these types (`_type`). */
  types?: string[];
}

export interface EverythingRow {
  resource_type: string;
  id: string;
  content: string;
}

/** Types that can hold resources of a patient's compartment (R4 compartmentdefinition-patient). */
export function compartmentTypes(): string[] {
  return resourceTypes().filter((t) => t === 'Patient' || patientCompartmentParams(t).length > 0);
}

/**
 * `Patient/[id]/$everything` (R4 patient-operation-everything): the patient, every resource in the
 * patient's compartment, and the resources those reference that are not in any patient's compartment
 * (practitioners, organizations, locations, medications...). Rows are streamed straight from the database,
 * JSON text untouched, so memory stays flat whatever the size of the record.
 */
export async function* patientEverything(db: Db, patientId: string, options: EverythingOptions = {}): AsyncIterable<EverythingRow> {
  if (!isValidId(patientId)) throw errors.notFound(`Patient/${patientId} not found`);
  for (const t of options.types ?? []) if (!isResourceType(t)) throw errors.badRequest(`Unknown resource type in _type: ${t}`, '_type');
  const exists = await db.query<{ deleted: boolean }>(`SELECT deleted FROM "Patient" WHERE id = $1`, [patientId]);
  if (!exists.rows[0]) throw errors.notFound(`Patient/${patientId} not found`);
  if (exists.rows[0].deleted) throw errors.gone(`Patient/${patientId} was deleted`);
  const wanted = (t: string) => !options.types || options.types.includes(t);
  const inCompartment = compartmentTypes();
  const params: unknown[] = [[`Patient/${patientId}`]];
  let since = '';
  if (options.since) {
    params.push(options.since);
    since = ` AND last_updated >= $2`;
  }
  const parts = inCompartment
    .filter(wanted)
    .map((t) => `SELECT ${literal(t)} AS resource_type, id, content FROM ${ident(t)} WHERE compartments @> $1::text[] AND NOT deleted${since}`);
  if (parts.length > 0) {
    // The patient first, then the rest grouped by type, as clients reading a stream expect.
    const sql = `SELECT resource_type, id, content FROM (${parts.join(' UNION ALL ')}) AS e ORDER BY resource_type <> 'Patient', resource_type, id`;
    yield* db.stream<EverythingRow>(sql, params, 200);
  }
  // Referenced resources outside every patient compartment.
  const outside = new Set(resourceTypes().filter((t) => !inCompartment.includes(t)));
  const refs = new Map<string, Set<string>>();
  // One query for the references of every compartment table (one round trip instead of one per table).
  const refParts: string[] = [];
  for (const t of inCompartment) {
    const cols = [...searchParameters(t).values()].filter((d) => d.type === 'reference' && !d.special).map((d) => d.columnName);
    if (cols.length === 0) continue;
    refParts.push(
      `SELECT unnest(${cols.map((c) => `coalesce(${ident(c)}, '{}')`).join(' || ')}) AS ref FROM ${ident(t)} WHERE compartments @> $1::text[] AND NOT deleted`,
    );
  }
  const r = await db.query<{ ref: string }>(`SELECT DISTINCT ref FROM (${refParts.join(' UNION ALL ')}) AS refs`, [[`Patient/${patientId}`]]);
  for (const { ref } of r.rows) {
    const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
    if (!m || !outside.has(m[1]) || !wanted(m[1])) continue;
    if (!refs.has(m[1])) refs.set(m[1], new Set());
    refs.get(m[1])?.add(m[2]);
  }
  for (const [type, ids] of [...refs].sort(([a], [b]) => a.localeCompare(b))) {
    const p: unknown[] = [[...ids]];
    if (options.since) p.push(options.since);
    yield* db.stream<EverythingRow>(
      `SELECT ${literal(type)} AS resource_type, id, content FROM ${ident(type)} WHERE id = ANY($1::text[]) AND NOT deleted${since} ORDER BY id`,
      p,
      200,
    );
  }
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
