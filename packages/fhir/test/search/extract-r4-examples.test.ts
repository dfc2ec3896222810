import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { isResourceType } from '../../src/index.ts';
import { extractSearchValues } from '../../src/search/extract.ts';

/**
 * Robustness over the official R4 examples (hl7.fhir.r4.examples): up to five examples of every resource
 * type, plus every resource inside the Bundles among them. Extraction must never throw on valid FHIR.
 */
function examplesDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
  } catch {
    return undefined;
  }
}

const dir = examplesDir();

function collect(value: unknown, out: Resource[]): void {
  const r = value as { resourceType?: string; entry?: Array<{ resource?: unknown }>; contained?: unknown[] };
  if (!r || typeof r !== 'object' || typeof r.resourceType !== 'string' || !isResourceType(r.resourceType)) return;
  out.push(r as Resource);
  for (const e of r.entry ?? []) collect(e.resource, out);
}

describe.skipIf(!dir || !existsSync(dir))('extraction over the R4 examples', () => {
  const perType = new Map<string, number>();
  const resources: Resource[] = [];
  for (const file of readdirSync(dir as string).sort()) {
    const type = file.split('-')[0];
    if (!file.endsWith('.json') || !isResourceType(type) || (perType.get(type) ?? 0) >= 5) continue;
    perType.set(type, (perType.get(type) ?? 0) + 1);
    collect(JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')), resources);
  }

  it('covers most resource types', () => {
    expect(new Set(resources.map((r) => r.resourceType)).size).toBeGreaterThan(130);
  });

  it('extracts every example without throwing', () => {
    let withValues = 0;
    for (const r of resources) {
      if (extractSearchValues(r).size > 0) withValues++;
    }
    expect(withValues).toBeGreaterThan(resources.length * 0.9);
  });
});
