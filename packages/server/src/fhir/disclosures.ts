import type { AuditEvent, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { errors, parseSearchRequest } from '@confide/fhir';
import { isRole } from '@confide/policy';
import { executeSearch } from '@confide/store';
import { CONFIDE_AUDIT_SUBTYPE, disclosureRows } from '../audit/audit-event.ts';
import type { FhirContext, FhirRequest, FhirResponse } from './types.ts';

const MAX = 1000;

/**
 * `GET Patient/[id]/$disclosures`: the accounting of disclosures (45 CFR 164.528 style) — every release of
 * the patient's data outside the organization the audit trail recorded (date, recipient, what, purpose),
 * oldest first, as a Parameters resource with one `disclosure` part per release. Open to the patient
 * (their own) and to staff with the privacy-officer or auditor role who may see the patient.
 */
export async function disclosures(ctx: FhirContext, req: FhirRequest, id: string): Promise<FhirResponse> {
  if (req.method !== 'GET') throw errors.methodNotAllowed('$disclosures takes GET');
  for (const key of req.query.keys()) throw errors.badRequest(`Unsupported $disclosures parameter: ${key}`, key);
  const actor = ctx.repo.access?.actor;
  if (actor) {
    const own = actor.kind === 'patient' && actor.patientId === id;
    const officer = actor.kind === 'staff' && actor.roles.some((r) => isRole(r) && (r === 'privacy-officer' || r === 'auditor'));
    if (!own && !officer) throw errors.forbidden('The accounting of disclosures is for the patient and the privacy officer');
  }
  const patient = await ctx.repo.readVisible('Patient', id);
  if (!patient) throw errors.notFound(`Patient/${id} not found`);
  if (patient.deleted) throw errors.gone(`Patient/${id} was deleted`);
  // The audit trail itself is read unrestricted: the decision above is about this one report.
  const { request } = parseSearchRequest('AuditEvent', [
    ['patient', `Patient/${id}`],
    ['subtype', `${CONFIDE_AUDIT_SUBTYPE}|disclosure`],
    ['_sort', 'date'],
    ['_count', String(MAX)],
  ]);
  const result = await executeSearch(ctx.repo.queryable, request);
  const events = result.matches.filter((m) => m.json).map((m) => JSON.parse(m.json as string) as AuditEvent);
  const parameter: ParametersParameter[] = disclosureRows(events, id).map((row) => ({
    name: 'disclosure',
    part: [
      { name: 'date', valueDateTime: row.date },
      { name: 'recipient', valueString: row.recipient },
      ...row.what.map((w) => ({ name: 'what', valueString: w })),
      { name: 'purpose', valueString: row.purpose },
    ],
  }));
  if (result.next) parameter.push({ name: 'truncated', valueBoolean: true });
  const body: Parameters = { resourceType: 'Parameters', parameter };
  return { status: 200, body, audit: { resources: [`Patient/${id}`], patients: [id] } };
}
