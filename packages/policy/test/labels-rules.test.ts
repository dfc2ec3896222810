import { readFileSync } from 'node:fs';
import { resourceDefinitions } from '@confide/fhir';
import { describe, expect, it } from 'vitest';
import { codeMatches, DEFAULT_LABEL_RULES, renderLabelRules, validateLabelRules, type LabelRules } from '../src/index.ts';

/** A copy of the defaults to break. */
function edited(change: (r: any) => void): unknown {
  const copy = JSON.parse(JSON.stringify(DEFAULT_LABEL_RULES));
  change(copy);
  return copy;
}

describe('the label rules', () => {
  it('are valid and survive JSON (a practice stores and edits them as JSON)', () => {
    expect(validateLabelRules(DEFAULT_LABEL_RULES)).toEqual([]);
    const roundTrip = JSON.parse(JSON.stringify(DEFAULT_LABEL_RULES)) as LabelRules;
    expect(roundTrip).toEqual(DEFAULT_LABEL_RULES);
    expect(validateLabelRules(roundTrip)).toEqual([]);
  });

  it('name only element paths that exist in R4', () => {
    const defs = resourceDefinitions();
    for (const rule of DEFAULT_LABEL_RULES.rules) {
      if (rule.kind !== 'code') continue;
      for (const path of rule.elements) {
        const [type] = path.split('.');
        const elements = new Set((defs.get(type)?.snapshot?.element ?? []).map((e) => e.path));
        // medicationCodeableConcept is the CodeableConcept form of medication[x]
        const choice = path.replace(/(CodeableConcept|Reference)$/, '[x]');
        expect(elements.has(path) || elements.has(choice), path).toBe(true);
      }
    }
  });

  it.each<[string, (r: any) => void, RegExp]>([
    ['wrong version', (r) => (r.version = 2), /version must be 1/],
    ['duplicate ids', (r) => (r.rules[1].id = r.rules[0].id), /duplicate id/],
    ['unknown kind', (r) => (r.rules[0].kind = 'regex'), /kind must be/],
    ['bad confidentiality', (r) => (r.rules[0].confidentiality = 'X'), /confidentiality must be one of/],
    ['unknown resource type', (r) => (r.rules[0].elements = ['Diagnosis.code']), /'Diagnosis.code' is not ResourceType.element/],
    ['no codes', (r) => ((r.rules[1].codes = []), (r.rules[1].ranges = undefined)), /needs codes or ranges/],
    ['uneven range', (r) => (r.rules[0].ranges = [{ from: 'F1', to: 'F19' }]), /same length/],
    ['empty range', (r) => (r.rules[0].ranges = [{ from: 'F19', to: 'F10' }]), /is empty/],
    ['exclusion without reason', (r) => (r.rules[0].exclude = [{ code: 'F17' }]), /needs a why/],
    ['label without code', (r) => (r.rules[0].labels = [{ system: 'x' }]), /every label needs a system and a code/],
    ['nothing to add', (r) => ((r.rules[0].labels = []), delete r.rules[0].confidentiality), /adds no label/],
  ])('reports %s', (_name, change, error) => {
    const errors = validateLabelRules(edited(change));
    expect(errors.some((e) => error.test(e)), errors.join('\n')).toBe(true);
  });

  it('rejects what is not a rule set', () => {
    expect(validateLabelRules(null)).toEqual(['the label rules must be an object']);
    expect(validateLabelRules({ version: 1 })).toEqual(['rules must be a list']);
  });

  it.each<[string, string, boolean]>([
    ['F11.20', 'opioid dependence, with the dot', true],
    ['F1120', 'without the dot', true],
    ['f10.10', 'lower case', true],
    ['F19.99', 'upper end of the range', true],
    ['F17.210', 'nicotine dependence, excluded', false],
    ['F20.9', 'outside the range', false],
    ['F1', 'too short for the range', false],
    ['', 'empty', false],
  ])('ICD-10-CM F10–F19 except F17: %s (%s) → %s', (code, _why, expected) => {
    expect(codeMatches({ ranges: [{ from: 'F10', to: 'F19' }], exclude: [{ code: 'F17', why: 'tobacco' }] }, code)).toBe(expected);
  });

  it('is shown in README.md exactly as the code has it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderLabelRules());
  });
});
