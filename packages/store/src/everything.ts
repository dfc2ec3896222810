import { errors, isResourceType, isValidId, patientCompartmentParams, resourceTypes, searchParameters } from '@confide/fhir';
import { ident, type Db } from './db/db.ts';
import type { RestrictHook } from './access/access.ts';
import { SqlParams } from './search/sql-params.ts';

export interface EverythingOptions {
  /** Only resources changed at or after this instant (`_since`). */
  since?: string;
  /** Only these types (`_type`). */
  types?: string[];
  /** The caller's row restriction per table (access policy): hidden rows are neither returned nor followed. */
  restrict?: RestrictHook;
}

export interface EverythingRow {
  resource_type: string;
  id: string;
  content: string;
}

/**
 * Types that can hold resources of a patient's compartment (R4 compartmentdefinition-patient), without
 * AuditEvent: the audit trail is a record of who accessed the record, not part of it, and is read by
 * auditors through AuditEvent search (docs/audit.md).
 */
export function compartmentTypes(): string[] {
  return resourceTypes().filter((t) => t !== 'AuditEvent' && (t === 'Patient' || patientCompartmentParams(t).length > 0));
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
  const check = new SqlParams();
  const patientWhere = [`t.id = ${check.add(patientId)}`, options.restrict?.('Patient', 't', check)].filter(Boolean);
  const exists = await db.query<{ deleted: boolean }>(`SELECT t.deleted FROM "Patient" t WHERE ${patientWhere.join(' AND ')}`, check.values);
  if (!exists.rows[0]) throw errors.notFound(`Patient/${patientId} not found`);
  if (exists.rows[0].deleted) throw errors.gone(`Patient/${patientId} was deleted`);
  const wanted = (t: string) => !options.types || options.types.includes(t);
  const inCompartment = compartmentTypes();
  // Each table's condition: in the compartment, not deleted, and within what the caller may see. Tables the
  // caller may not see at all are left out. Built once per statement, since each has its own parameters.
  // Only the tables a statement uses get conditions: a restriction binds parameters, and PostgreSQL cannot type
  // a parameter that no expression uses.
  const conditions = (params: SqlParams, only: (t: string) => boolean = () => true): Map<string, string> => {
    const patient = params.textArray([`Patient/${patientId}`]);
    const out = new Map<string, string>();
    for (const t of inCompartment) {
      if (!only(t)) continue;
      const r = options.restrict?.(t, 't', params);
      if (r === 'false') continue;
      out.set(t, `t.compartments @> ${patient} AND NOT t.deleted${r ? ` AND ${r}` : ''}`);
    }
    return out;
  };
  const params = new SqlParams();
  const main = conditions(params, wanted);
  const since = options.since ? ` AND t.last_updated >= ${params.add(options.since)}` : '';
  const parts = [...main].map(([t, where]) => `SELECT ${literal(t)} AS resource_type, t.id, t.content FROM ${ident(t)} t WHERE ${where}${since}`);
  if (parts.length > 0) {
    // The patient first, then the rest grouped by type, as clients reading a stream expect.
    const sql = `SELECT resource_type, id, content FROM (${parts.join(' UNION ALL ')}) AS e ORDER BY resource_type <> 'Patient', resource_type, id`;
    yield* db.stream<EverythingRow>(sql, params.values, 200);
  }
  // Referenced resources outside every patient compartment.
  const outside = new Set(resourceTypes().filter((t) => !inCompartment.includes(t)));
  const refs = new Map<string, Set<string>>();
  // One query for the references of every visible compartment row (one round trip instead of one per table).
  const refParams = new SqlParams();
  const refParts: string[] = [];
  for (const [t, where] of conditions(refParams)) {
    const cols = [...searchParameters(t).values()].filter((d) => d.type === 'reference' && !d.special).map((d) => d.columnName);
    if (cols.length === 0) continue;
    refParts.push(`SELECT unnest(${cols.map((c) => `coalesce(t.${ident(c)}, '{}')`).join(' || ')}) AS ref FROM ${ident(t)} t WHERE ${where}`);
  }
  if (refParts.length) {
    const r = await db.query<{ ref: string }>(`SELECT DISTINCT ref FROM (${refParts.join(' UNION ALL ')}) AS refs`, refParams.values);
    for (const { ref } of r.rows) {
      const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
      if (!m || !outside.has(m[1]) || !wanted(m[1])) continue;
      if (!refs.has(m[1])) refs.set(m[1], new Set());
      refs.get(m[1])?.add(m[2]);
    }
  }
  for (const [type, ids] of [...refs].sort(([a], [b]) => a.localeCompare(b))) {
    const p = new SqlParams();
    const where = [`t.id = ANY(${p.textArray([...ids])})`, 'NOT t.deleted'];
    if (options.since) where.push(`t.last_updated >= ${p.add(options.since)}`);
    const r = options.restrict?.(type, 't', p);
    if (r) where.push(r);
    yield* db.stream<EverythingRow>(
      `SELECT ${literal(type)} AS resource_type, t.id, t.content FROM ${ident(type)} t WHERE ${where.join(' AND ')} ORDER BY t.id`,
      p.values,
      200,
    );
  }
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
