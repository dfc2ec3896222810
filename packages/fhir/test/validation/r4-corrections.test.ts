import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { resourceDefinitions, typeDefinitions } from '../../src/index.ts';
import { r4SnapshotElements } from '../../src/validation/r4-corrections.ts';

// The corrected snapshots must match the StructureDefinitions published with R4 (shipped in the
// hl7.fhir.r4.examples package) in everything the validator reads.
const require = createRequire(import.meta.url);
const dir = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));

function signature(elements: ElementDefinition[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const e of elements) {
    const constraints = Object.keys(e).filter((k) => /^(fixed|pattern)[A-Z]/.test(k));
    result[e.path as string] = {
      min: e.min,
      max: e.max,
      baseMax: e.base?.max,
      contentReference: e.contentReference,
      types: (e.type ?? []).map((t) => [t.code, t.targetProfile ?? [], t.profile ?? []]),
      binding: e.binding?.strength === 'required' ? e.binding.valueSet : undefined,
      constraints,
    };
  }
  return result;
}

const definitions = new Map<string, StructureDefinition>([...typeDefinitions(), ...resourceDefinitions()]);

describe('R4 corrections of the Medplum definitions', () => {
  it.each([...definitions.keys()].sort())('%s matches the published R4 definition', (type) => {
    const sd = definitions.get(type) as StructureDefinition;
    const file = path.join(dir, `StructureDefinition-${sd.id}.json`);
    const official = JSON.parse(fs.readFileSync(file, 'utf8')) as StructureDefinition;
    expect(signature(r4SnapshotElements(sd))).toEqual(signature(official.snapshot?.element ?? []));
  });
});
