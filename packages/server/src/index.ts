export * from './app.ts';
export * from './fhir/types.ts';
export { createFhirRouter, type FhirRouterOptions } from './fhir/router.ts';
export { createHttpServer, listen, FHIR_BASE_PATH, type RunningServer } from './http/server.ts';
export { VERSION } from './version.ts';
export * from './oauth/index.ts';
export { accountAuditEvent, securityAuditEvent } from './audit/security-audit.ts';
export { buildAuditEvent, disclosureRows, type AuditInput, type DisclosureRow } from './audit/audit-event.ts';
