import type { Resource } from '@medplum/fhirtypes';
import { patientCompartments } from '@confide/policy';
import type { Route } from '../fhir/route.ts';
import type { AuditFacts, FhirContext, FhirRequest } from '../fhir/types.ts';
import type { AuditActor, AuditInput, RestInteraction } from './audit-event.ts';
import type { AuditRecorder } from './audit-recorder.ts';

/** Where audit records go: the recorder (folding concurrent reads) in front of the hash-chained log. */
export type AuditSink = Pick<AuditRecorder, 'add' | 'log'>;

/** The R4 restful-interaction a routed request is (null: not audited, e.g. the CapabilityStatement). */
export function restInteraction(route: Route, method: string): RestInteraction | null {
  const m = method === 'HEAD' ? 'GET' : method;
  switch (route.kind) {
    case 'metadata':
      return null;
    case 'base':
      return m === 'POST' ? 'transaction' : 'search-system';
    case 'system-search':
      return 'search-system';
    case 'system-history':
      return 'history-system';
    case 'type':
      return m === 'GET' ? 'search-type' : m === 'POST' ? 'create' : m === 'PUT' ? 'update' : m === 'DELETE' ? 'delete' : null;
    case 'type-search':
    case 'compartment-search':
      return 'search-type';
    case 'type-history':
      return 'history-type';
    case 'instance':
      return m === 'GET' ? 'read' : m === 'PUT' ? 'update' : m === 'PATCH' ? 'patch' : m === 'DELETE' ? 'delete' : null;
    case 'instance-history':
      return 'history-instance';
    case 'version':
      return 'vread';
    case 'type-operation':
    case 'instance-operation':
    case 'system-operation':
    case 'bulk-status':
    case 'bulk-file':
      return 'operation';
  }
}

const SEARCHES = new Set<RestInteraction>(['search-type', 'search-system', 'operation', 'history-type', 'history-system']);
const READS = new Set<RestInteraction>(['read', 'vread', 'search-type', 'search-system', 'history-instance', 'history-type', 'history-system', 'operation']);

/** The patients whose records the facts name: from the rows' compartments, or worked out from written versions. */
export function auditPatients(facts: AuditFacts | undefined): string[] {
  const out = new Set(facts?.patients ?? []);
  for (const json of facts?.versions ?? []) {
    if (!json) continue;
    for (const c of patientCompartments(JSON.parse(json) as Resource)) out.add(c.slice('Patient/'.length));
  }
  return [...out];
}

/**
 * Records one FHIR interaction: who (from the access token), what (references only, never content), whose
 * record, from where, the outcome and the purpose of use. A backend service's access to patient data is
 * also recorded as a disclosure outside the organization (accounting of disclosures).
 */
export function auditFhir(sink: AuditSink, ctx: FhirContext, req: FhirRequest, route: Route, status: number, facts: AuditFacts | undefined, failure?: string): void {
  const access = ctx.access;
  if (!access || access.via === 'internal') return; // the server's own work (import, seed) is audited by its command
  const interaction = restInteraction(route, req.method);
  if (!interaction) return;
  const actor: AuditActor = {
    kind: access.actor.kind,
    username: access.username ?? access.actor.userId,
    fhirUser: access.fhirUser,
    clientId: access.clientId,
    purposeOfUse: access.purposeOfUse,
  };
  const patients = status < 400 ? auditPatients(facts) : [];
  const query = SEARCHES.has(interaction) ? req.path + (req.query.toString() ? `?${req.query.toString()}` : '') : undefined;
  const recorded = new Date();
  const input: AuditInput = {
    kind: 'rest',
    interaction,
    actor,
    remoteAddress: access.remoteAddress,
    outcome: { status, text: failure },
    resources: SEARCHES.has(interaction) ? undefined : (facts?.resources ?? []),
    patients,
    query,
    recorded,
  };
  // A backend service reading patient data is a disclosure outside the organization: the same record, marked
  // as a disclosure (subtype `disclosure`, the client as recipient), so the accounting of disclosures lists it.
  const disclosed = access.actor.kind === 'system' && status < 400 && patients.length > 0 && READS.has(interaction);
  sink.add(disclosed ? { ...input, kind: 'disclosure', disclosure: { recipient: access.clientId ?? access.actor.userId, purpose: access.purposeOfUse ?? 'TREAT' } } : input);
}
