import type { StructureDefinition } from '@medplum/fhirtypes';
import { resourceDefinitions, typeDefinitions } from '../definitions.ts';
import { compileStructure } from './compile-schema.ts';
import type { TypeSchema } from './schema.ts';

/**
 * Where the walker gets its schemas: compiles each StructureDefinition on first use and keeps the result.
 * The default registry reads the R4 definitions (definitions.ts); tests can build one over modified
 * definitions (e.g. to exercise fixed[x]/pattern[x], which no base R4 element uses).
 */
export class SchemaRegistry {
  private readonly compiled = new Map<string, Map<string, TypeSchema>>();
  private elementSchema: TypeSchema | undefined;

  /**
   * @param resources concrete resource StructureDefinitions by type name
   * @param dataTypes data type StructureDefinitions (and the abstract Element) by type name
   */
  constructor(
    private readonly resources: ReadonlyMap<string, StructureDefinition>,
    private readonly dataTypes: ReadonlyMap<string, StructureDefinition>,
  ) {}

  isResourceType(name: string): boolean {
    return this.resources.has(name);
  }

  /** The schema of a concrete resource type, or undefined for anything else. */
  resource(type: string): TypeSchema | undefined {
    const sd = this.resources.get(type);
    return sd ? this.schemasOf(type, sd).get(type) : undefined;
  }

  /** The schema of a complex data type (HumanName, Extension...), or undefined. */
  dataType(name: string): TypeSchema | undefined {
    const sd = this.dataTypes.get(name);
    if (!sd || sd.kind === 'resource' || sd.kind === 'primitive-type') return undefined;
    return this.schemasOf(name, sd).get(name);
  }

  /** The element half of a primitive, `_name` in JSON: id and extension (R4 json.html#primitive). */
  primitiveElement(): TypeSchema {
    this.elementSchema ??= this.dataType('Element');
    if (!this.elementSchema) throw new Error('The R4 definitions have no Element type');
    return this.elementSchema;
  }

  private schemasOf(name: string, sd: StructureDefinition): Map<string, TypeSchema> {
    let schemas = this.compiled.get(name);
    if (!schemas) {
      schemas = compileStructure(sd, (type) => this.resources.has(type));
      this.compiled.set(name, schemas);
    }
    return schemas;
  }
}

let defaultRegistry: SchemaRegistry | undefined;

/** The registry over the base R4 definitions, shared by every validateResource call. */
export function r4Registry(): SchemaRegistry {
  defaultRegistry ??= new SchemaRegistry(resourceDefinitions(), typeDefinitions());
  return defaultRegistry;
}
