import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { FHIR_VERSION, resourceTypes } from '@confide/fhir';

export interface CapabilityOptions {
  baseUrl: string;
  version: string;
  /** Search parameters per type, when search is available. */
  searchParams?: (type: string) => { name: string; type: string; definition?: string }[];
}

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
    const params = options.searchParams?.(type);
    if (params?.length) r.searchParam = params.map((p) => ({ name: p.name, type: p.type as 'string', definition: p.definition }));
    return r;
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
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
      },
    ],
  };
}
