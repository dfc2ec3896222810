import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { resourceTypes } from '../../src/index.ts';
import { extractionDiagnostics, extractSearchValues } from '../../src/search/extract.ts';
import type { IndexValue } from '../../src/search/index-value.ts';

const SYNTHEA_DIR = '/work/shared/data/synthea-r4';

function loadSynthea(): Resource[] {
  const resources: Resource[] = [];
  for (const file of readdirSync(SYNTHEA_DIR).filter((f) => f.endsWith('.json'))) {
    const bundle = JSON.parse(readFileSync(`${SYNTHEA_DIR}/${file}`, 'utf8')) as Bundle;
    for (const entry of bundle.entry ?? []) if (entry.resource) resources.push(entry.resource);
  }
  return resources;
}

describe('compilation of every R4 search parameter', () => {
  const diagnostics = extractionDiagnostics(resourceTypes());

  it('needs no FHIRPath fallback for any R4 core expression', () => {
    expect(diagnostics.fallbacks).toEqual([]);
  });

  it('only drops the choice alternatives that have no meaning for the parameter type', () => {
    const dropped = diagnostics.unconverted.map((u) => `${u.resourceType}.${u.code}: ${u.fhirType}`).sort();
    expect(dropped).toEqual([
      'CarePlan.activity-date: string', // scheduled[x] string ("every morning")
      'Consent.source-reference: Attachment', // source[x] Attachment
      'Group.characteristic-value: Quantity', // token component over value[x]
      'Group.characteristic-value: Range',
      'Immunization.date: string', // occurrence[x] string
      'Procedure.date: Age', // performed[x] Age / Range / string
      'Procedure.date: Range',
      'Procedure.date: string',
    ]);
  });
});

describe.skipIf(!existsSync(SYNTHEA_DIR))('extraction over the Synthea bundles', () => {
  const resources = loadSynthea();
  const extracted = resources.map((r) => [r, extractSearchValues(r)] as const);
  const ofType = (type: string): Array<readonly [Resource, Map<string, IndexValue[]>]> => extracted.filter(([r]) => r.resourceType === type);

  it('extracts every resource without throwing', () => {
    expect(resources.length).toBeGreaterThan(1000);
    expect(extracted.length).toBe(resources.length);
    for (const [, values] of extracted) expect(values.size).toBeGreaterThan(0);
  });

  it.each([
    ['Observation', 'code', 'token'],
    ['Observation', 'subject', 'reference'],
    ['Observation', 'date', 'date'],
    ['Observation', 'status', 'token'],
    ['Patient', 'name', 'string'],
    ['Patient', 'family', 'string'],
    ['Patient', 'birthdate', 'date'],
    ['Patient', 'identifier', 'token'],
    ['Patient', 'gender', 'token'],
    ['Encounter', 'subject', 'reference'],
    ['Encounter', 'date', 'date'],
    ['Condition', 'code', 'token'],
    ['Condition', 'subject', 'reference'],
    ['Claim', 'patient', 'reference'],
  ])('every %s has %s (%s)', (type, code, kind) => {
    const rows = ofType(type);
    expect(rows.length).toBeGreaterThan(0);
    for (const [resource, values] of rows) {
      const v = values.get(code);
      expect(v, `${type}/${resource.id} ${code}`).toBeDefined();
      for (const x of v ?? []) expect(x.kind).toBe(kind);
    }
  });

  it('gives date ranges as UTC instants with an exclusive end after the start', () => {
    for (const [, values] of extracted) {
      for (const list of values.values()) {
        for (const v of list) {
          if (v.kind !== 'date') continue;
          if (v.start !== '-infinity') expect(v.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
          if (v.end !== 'infinity') expect(v.end).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
          if (v.start !== '-infinity' && v.end !== 'infinity') expect(v.start < v.end).toBe(true);
        }
      }
    }
  });

  it('indexes vital-sign components as code/value-quantity tuples', () => {
    const bp = ofType('Observation').find(([r]) => (r as { component?: unknown[] }).component?.length === 2);
    expect(bp).toBeDefined();
    const tuples = bp?.[1].get('component-code-value-quantity') ?? [];
    expect(tuples).toHaveLength(2);
    for (const t of tuples) {
      expect(t.kind).toBe('composite');
      if (t.kind === 'composite') expect(t.components.map((c) => c[0].kind)).toEqual(['token', 'quantity']);
    }
  });

  it('indexes numbers so that the value lies in [low, high)', () => {
    for (const [, values] of extracted) {
      for (const list of values.values()) {
        for (const v of list) {
          if (v.kind === 'quantity' || v.kind === 'number') {
            expect(v.low <= v.value && v.value < v.high).toBe(true);
          }
        }
      }
    }
  });
});
