import { readFileSync } from 'node:fs';
import { resourceTypes } from '@confide/fhir';
import { describe, expect, it } from 'vitest';
import { ACCESS_TABLE, categoryOf, hasPatientCompartment, renderAccessTable, TABLE_COLUMNS } from '../src/index.ts';

describe('the access table', () => {
  it('puts every R4 resource type in exactly one category, and nothing else', () => {
    const listed = ACCESS_TABLE.flatMap((row) => row.types);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...resourceTypes()].sort());
    for (const t of resourceTypes()) expect(categoryOf(t)?.types).toContain(t);
  });

  it('has cells only for known columns, spelled in the order r, w, d', () => {
    for (const row of ACCESS_TABLE) {
      for (const [column, access] of Object.entries(row.access)) {
        expect(TABLE_COLUMNS as readonly string[]).toContain(column);
        expect(access).toMatch(/^r?w?d?$/);
        expect(access).not.toBe('');
      }
      expect(row.description).not.toBe('');
    }
  });

  it('gives patient users only categories they can be confined in', () => {
    // Every patient-data category a patient user may use has at least one type with a patient compartment.
    for (const row of ACCESS_TABLE) {
      if (row.patientData && row.access.patient) expect(row.types.some(hasPatientCompartment), row.category).toBe(true);
    }
  });

  it('is shown in README.md exactly as the code has it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderAccessTable());
  });
});
