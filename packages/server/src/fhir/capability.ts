import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { FHIR_VERSION, resourceTypes } from '@confide/fhir';

export interface CapabilityOptions {
  baseUrl: string;
  version: string;
  /** Search parameters per type, when search is available. */
  searchParams?: (type: string) => { name: string; type: string; definition?: string }[];
  /** FHIR Bulk Data export is served (bulk/bulk-export.ts). */
  bulkExport?: boolean;
}

/** Bulk Data STU2 (https://hl7.org/fhir/uv/bulkdata/STU2/): its CapabilityStatement and OperationDefinitions. */
const BULK = 'http://hl7.org/fhir/uv/bulkdata';
export const BULK_DATA_CAPABILITY = `${BULK}/CapabilityStatement/bulk-data`;

/**
 * The CapabilityStatement lists exactly what this server implements (R4 capabilitystatement.html). It is
 * built from the same definitions the router uses, so it cannot drift from the code.
 */
export function capabilityStatement(options: CapabilityOptions): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = resourceTypes().map((type) => {
    const r: CapabilityStatementRestResource = {
      type: type as CapabilityStatementRestResource['type'],
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      interaction: [
        { code: 'read' },
        { code: 'vread' },
        { code: 'update' },
        { code: 'patch' },
        { code: 'delete' },
        { code: 'history-instance' },
        { code: 'history-type' },
        { code: 'create' },
        ...(options.searchParams ? [{ code: 'search-type' as const }] : []),
      ],
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalRead: 'not-supported',
      conditionalUpdate: true,
      conditionalDelete: 'multiple',
    };
    // Bulk Data STU2 export.html#endpoint---all-patients and #endpoint---group-of-patients.
    if (options.bulkExport && type === 'Patient') r.operation = [{ name: 'export', definition: `${BULK}/OperationDefinition/patient-export` }];
    if (options.bulkExport && type === 'Group') r.operation = [{ name: 'export', definition: `${BULK}/OperationDefinition/group-export` }];
    const params = options.searchParams?.(type);
    if (params?.length) r.searchParam = params.map((p) => ({ name: p.name, type: p.type as 'string', definition: p.definition }));
    return r;
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    // The server implements the Bulk Data Access IG's server CapabilityStatement (export, Patient and Group export).
    ...(options.bulkExport ? { instantiates: [BULK_DATA_CAPABILITY] } : {}),
    publisher: 'Confide',
    kind: 'instance',
    software: { name: 'Confide', version: options.version },
    implementation: { description: 'Confide FHIR R4 server', url: options.baseUrl },
    fhirVersion: FHIR_VERSION as '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        ...(options.bulkExport ? { operation: [{ name: 'export', definition: `${BULK}/OperationDefinition/export` }] } : {}),
      },
    ],
  };
}
