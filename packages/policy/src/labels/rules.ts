import { isResourceType } from '@confide/fhir';
import { normalizeCode } from './codes.ts';
import {
  ACT_CODE_SYSTEM,
  CONFIDE_NOTE_TYPE_SYSTEM,
  describeLabel,
  ICD10CM_SYSTEM,
  isConfidentialityCode,
  PSYCHOTHERAPY_NOTE_CODE,
  RXNORM_SYSTEM,
  SNOMED_SYSTEM,
  type ConfidentialityCode,
} from './vocabulary.ts';

/**
 * THE LABEL RULES: which security labels a resource gets at write time because of what it says (its codes) or who
 * keeps it (a 42 CFR Part 2 program). Declarative and JSON-serialisable, so that a practice can read them (README.md
 * shows the defaults, rendered by `renderLabelRules`; a test keeps the two identical) and replace them with its own
 * (`validateLabelRules` says what is wrong with an edited set).
 *
 * Rules only ever ADD labels and RAISE confidentiality: `assignLabels` never removes a label or lowers a level.
 */
export interface LabelRules {
  version: 1;
  rules: LabelRule[];
}

export type LabelRule = CodeLabelRule | Part2ProgramRule;

/** A label as a rule writes it: a v3-ActCode (or other) system and code. Display comes from the vocabulary. */
export interface LabelRef {
  system: string;
  code: string;
}

export interface CodeEntry {
  code: string;
  display?: string;
}

/** Codes from `from` to `to` inclusive, compared on the first `from.length` characters (so `F10`–`F19` covers F11.20). */
export interface CodeRange {
  from: string;
  to: string;
  display?: string;
}

export interface ExcludedCode {
  /** A code or code prefix (`F17` excludes F17.200 and every other F17 code). */
  code: string;
  display?: string;
  /** Why it is excluded, for the administrator. */
  why: string;
}

interface RuleBase {
  /** Stable identifier, used in reasons and audit. */
  id: string;
  /** What the rule is for, in words an administrator understands. */
  description: string;
  /** The regulation or standard behind it. */
  citation?: string;
  /** The labels added when the rule applies (sensitivity, policy, obligation). */
  labels: LabelRef[];
  /** The confidentiality the resource must have at least when the rule applies. */
  confidentiality?: ConfidentialityCode;
}

/**
 * A resource gets the labels when a Coding of `system` at one of `elements` is in `codes` or `ranges` and not in
 * `exclude`. Codes compare without case and dots (ICD-10-CM `F11.20` = `F1120`). Codes are matched as listed — there
 * is no terminology server, so descendants of a SNOMED CT concept are not matched unless listed.
 */
export interface CodeLabelRule extends RuleBase {
  kind: 'code';
  /** Element paths, `ResourceType.element[.element…]` (see `codingsAt`). */
  elements: string[];
  system: string;
  codes?: CodeEntry[];
  ranges?: CodeRange[];
  exclude?: ExcludedCode[];
  /**
   * Also match the codes the caller resolved for this resource (`assignLabels(…, { resolvedCodes })`): the codes of a
   * Medication a MedicationRequest references, which a pure function cannot fetch.
   */
  matchResolvedCodes?: boolean;
}

/**
 * Every patient-data resource (the access table's patient-data categories) whose record-keeping organization is
 * designated a 42 CFR Part 2 program gets the labels: the regulation scopes Part 2 to records "maintained in
 * connection with the performance of any part 2 program" (42 CFR 2.12(a)), whatever they say. Directory, catalog
 * and conformance resources are not patient records and are left alone.
 */
export interface Part2ProgramRule extends RuleBase {
  kind: 'part2-program';
}

/** Where diagnoses are recorded: a diagnosis code in any of these reveals the condition. */
export const DIAGNOSIS_ELEMENTS: readonly string[] = [
  'Condition.code',
  'Encounter.reasonCode',
  'Appointment.reasonCode',
  'ServiceRequest.reasonCode',
  'Procedure.reasonCode',
  'MedicationRequest.reasonCode',
  'MedicationStatement.reasonCode',
  'MedicationAdministration.reasonCode',
  'CareTeam.reasonCode',
  'DiagnosticReport.conclusionCode',
  'ClinicalImpression.finding.itemCodeableConcept',
  'Flag.code',
  'Claim.diagnosis.diagnosisCodeableConcept',
  'ExplanationOfBenefit.diagnosis.diagnosisCodeableConcept',
];

/** Where medications are named: the CodeableConcept, or a Reference to a contained Medication. */
export const MEDICATION_ELEMENTS: readonly string[] = [
  'MedicationRequest.medicationCodeableConcept',
  'MedicationRequest.medicationReference',
  'MedicationStatement.medicationCodeableConcept',
  'MedicationStatement.medicationReference',
  'MedicationDispense.medicationCodeableConcept',
  'MedicationDispense.medicationReference',
  'MedicationAdministration.medicationCodeableConcept',
  'MedicationAdministration.medicationReference',
];

/** Where a note says what kind of note it is. */
export const NOTE_TYPE_ELEMENTS: readonly string[] = ['DocumentReference.type', 'Composition.type'];

const SUD: LabelRef = { system: ACT_CODE_SYSTEM, code: 'SUD' };

/**
 * The defaults. Sources for the codes:
 * - v3 labels: FHIR R4 v3-ActCode / v3-Confidentiality (2018-08-12).
 * - ICD-10-CM chapter 5 (F01–F99) blocks: F10–F19 "mental and behavioral disorders due to psychoactive substance use";
 *   HIV: B20, Z21 and O98.7- as in the HCUP Elixhauser HIV/AIDS value set (hl7.org/fhir/us/mcode, elixhauser-aids-vs).
 * - SNOMED CT: the CDC opioid guideline value sets (fhir.org/guides/cdc/opioid-cds: opioid-misuse-disorders,
 *   conditions-documenting-substance-misuse) for 5602001, 75544000, 191816009, 1254812006, 66214007, 7200002, 66590003;
 *   15167005 from the VSAC alcohol abuse value set (2.16.840.1.113762.1.4.1222.24); HIV 111880001 from the Swiss
 *   CH EKM HIV manifestation value set. 86406008 is from memory (not confirmed by a published value set here).
 * - RxNorm: ingredients 1819 buprenorphine and 6813 methadone are the RxMix inputs of the CDC buprenorphine-medications
 *   and methadone-medications value sets, and the product codes are from their expansions (2025-02). 7243 naltrexone
 *   is from memory (not confirmed here).
 */
export const DEFAULT_LABEL_RULES: LabelRules = {
  version: 1,
  rules: [
    {
      kind: 'code',
      id: 'sud-diagnosis-icd10cm',
      description: 'Substance use disorder diagnoses (ICD-10-CM): alcohol, opioids, cannabis, sedatives, cocaine, other stimulants, hallucinogens, inhalants, other substances',
      citation:
        '42 CFR 2.11 ("substance use disorder" excludes tobacco and caffeine). Caffeine has no block of its own in ICD-10-CM (it is coded with other stimulants in F15), so F15 stays labelled.',
      elements: [...DIAGNOSIS_ELEMENTS],
      system: ICD10CM_SYSTEM,
      ranges: [{ from: 'F10', to: 'F19', display: 'Mental and behavioral disorders due to psychoactive substance use' }],
      exclude: [{ code: 'F17', display: 'Nicotine dependence', why: 'tobacco is not a substance use disorder under 42 CFR 2.11' }],
      labels: [SUD],
      confidentiality: 'R',
    },
    {
      kind: 'code',
      id: 'sud-diagnosis-snomed',
      description: 'Substance use disorder diagnoses (SNOMED CT), the listed concepts only',
      citation: '42 CFR 2.11',
      elements: [...DIAGNOSIS_ELEMENTS],
      system: SNOMED_SYSTEM,
      codes: [
        { code: '5602001', display: 'Opioid abuse' },
        { code: '75544000', display: 'Opioid dependence' },
        { code: '66214007', display: 'Substance abuse' },
        { code: '1254812006', display: 'Substance dependence' },
        { code: '191816009', display: 'Drug dependence (older concept, replaced by 1254812006)' },
        { code: '7200002', display: 'Alcoholism' },
        { code: '66590003', display: 'Alcohol dependence' },
        { code: '15167005', display: 'Alcohol abuse' },
      ],
      labels: [SUD],
      confidentiality: 'R',
    },
    {
      kind: 'code',
      id: 'sud-medication-rxnorm',
      description:
        'Medications for opioid and alcohol use disorder (RxNorm): buprenorphine, buprenorphine/naloxone, methadone, naltrexone. Buprenorphine and methadone are also prescribed for pain; they are labelled anyway (over-labelling is the safe error — a practice that prescribes them for pain may narrow the list)',
      citation: '42 CFR 2.11 ("treatment" of a substance use disorder)',
      elements: [...MEDICATION_ELEMENTS],
      system: RXNORM_SYSTEM,
      matchResolvedCodes: true,
      codes: [
        { code: '1819', display: 'buprenorphine (ingredient)' },
        { code: '6813', display: 'methadone (ingredient)' },
        { code: '7243', display: 'naltrexone (ingredient)' },
        { code: '351264', display: 'buprenorphine 2 MG Sublingual Tablet' },
        { code: '351265', display: 'buprenorphine 8 MG Sublingual Tablet' },
        { code: '351266', display: 'buprenorphine 2 MG / naloxone 0.5 MG Sublingual Tablet' },
        { code: '351267', display: 'buprenorphine 8 MG / naloxone 2 MG Sublingual Tablet' },
        { code: '1010600', display: 'buprenorphine 2 MG / naloxone 0.5 MG Sublingual Film' },
        { code: '1010604', display: 'buprenorphine 8 MG / naloxone 2 MG Sublingual Film' },
        { code: '1307056', display: 'buprenorphine 4 MG / naloxone 1 MG Sublingual Film' },
        { code: '1307061', display: 'buprenorphine 12 MG / naloxone 3 MG Sublingual Film' },
        { code: '1431076', display: 'buprenorphine 1.4 MG / naloxone 0.36 MG Sublingual Tablet' },
        { code: '1431102', display: 'buprenorphine 5.7 MG / naloxone 1.4 MG Sublingual Tablet' },
        { code: '1597568', display: 'buprenorphine 11.4 MG / naloxone 2.9 MG Sublingual Tablet' },
        { code: '1597573', display: 'buprenorphine 8.6 MG / naloxone 2.1 MG Sublingual Tablet' },
        { code: '1666338', display: 'buprenorphine 2.9 MG / naloxone 0.71 MG Sublingual Tablet' },
        { code: '1864412', display: 'buprenorphine 0.7 MG / naloxone 0.18 MG Sublingual Tablet' },
        { code: '1542390', display: 'buprenorphine 2.1 MG / naloxone 0.3 MG Buccal Film' },
        { code: '1544851', display: 'buprenorphine 4.2 MG / naloxone 0.7 MG Buccal Film' },
        { code: '1544854', display: 'buprenorphine 6.3 MG / naloxone 1 MG Buccal Film' },
        { code: '1996184', display: '0.5 ML buprenorphine 200 MG/ML Prefilled Syringe' },
        { code: '1996192', display: '1.5 ML buprenorphine 200 MG/ML Prefilled Syringe' },
        { code: '1797650', display: 'buprenorphine 74.2 MG Drug Implant' },
        { code: '864706', display: 'methadone hydrochloride 10 MG Oral Tablet' },
        { code: '864718', display: 'methadone hydrochloride 5 MG Oral Tablet' },
        { code: '864978', display: 'methadone hydrochloride 40 MG Tablet for Oral Suspension' },
        { code: '864761', display: 'methadone hydrochloride 1 MG/ML Oral Solution' },
        { code: '864769', display: 'methadone hydrochloride 2 MG/ML Oral Solution' },
        { code: '991147', display: 'methadone hydrochloride 10 MG/ML Oral Solution' },
        { code: '864984', display: 'methadone hydrochloride 20 MG/ML Oral Solution' },
        { code: '864714', display: 'methadone hydrochloride 10 MG/ML Injectable Solution' },
      ],
      labels: [SUD],
      confidentiality: 'R',
    },
    {
      kind: 'code',
      id: 'mental-health-icd10cm',
      description:
        'Psychiatric diagnoses (ICD-10-CM): psychotic, mood, anxiety, stress-related and somatoform disorders (F20–F48), behavioral syndromes such as eating and sleep disorders (F50–F59), personality disorders (F60–F69), unspecified mental disorder (F99). Both PSY and MH are assigned so that a consent written with either code matches',
      citation: 'HL7 v3-ActCode PSY, MH (specially protected information, SPI)',
      elements: [...DIAGNOSIS_ELEMENTS],
      system: ICD10CM_SYSTEM,
      ranges: [
        { from: 'F20', to: 'F48', display: 'Schizophrenia, mood, anxiety, dissociative, stress-related and somatoform disorders' },
        { from: 'F50', to: 'F69', display: 'Behavioral syndromes; disorders of adult personality and behavior' },
        { from: 'F99', to: 'F99', display: 'Mental disorder, not otherwise specified' },
      ],
      labels: [
        { system: ACT_CODE_SYSTEM, code: 'PSY' },
        { system: ACT_CODE_SYSTEM, code: 'MH' },
      ],
      confidentiality: 'R',
    },
    {
      kind: 'code',
      id: 'behavioral-health-icd10cm',
      description: 'Behavioral and emotional disorders with onset in childhood and adolescence (ICD-10-CM F90–F98: ADHD, conduct disorders, tics…)',
      citation: 'HL7 v3-ActCode BH',
      elements: [...DIAGNOSIS_ELEMENTS],
      system: ICD10CM_SYSTEM,
      ranges: [{ from: 'F90', to: 'F98', display: 'Behavioral and emotional disorders with onset usually occurring in childhood and adolescence' }],
      labels: [{ system: ACT_CODE_SYSTEM, code: 'BH' }],
      confidentiality: 'R',
    },
    {
      kind: 'code',
      id: 'hiv-icd10cm',
      description: 'HIV disease and asymptomatic HIV infection status (ICD-10-CM)',
      citation: 'HL7 v3-ActCode HIV',
      elements: [...DIAGNOSIS_ELEMENTS],
      system: ICD10CM_SYSTEM,
      codes: [
        { code: 'B20', display: 'Human immunodeficiency virus [HIV] disease' },
        { code: 'Z21', display: 'Asymptomatic human immunodeficiency virus [HIV] infection status' },
      ],
      ranges: [{ from: 'O98.7', to: 'O98.7', display: 'HIV disease complicating pregnancy, childbirth and the puerperium' }],
      labels: [{ system: ACT_CODE_SYSTEM, code: 'HIV' }],
      confidentiality: 'R',
    },
    {
      kind: 'code',
      id: 'hiv-snomed',
      description: 'HIV infection (SNOMED CT), the listed concepts only',
      citation: 'HL7 v3-ActCode HIV',
      elements: [...DIAGNOSIS_ELEMENTS],
      system: SNOMED_SYSTEM,
      codes: [
        { code: '86406008', display: 'Human immunodeficiency virus infection' },
        { code: '111880001', display: 'Acute HIV infection' },
      ],
      labels: [{ system: ACT_CODE_SYSTEM, code: 'HIV' }],
      confidentiality: 'R',
    },
    {
      kind: 'code',
      id: 'psychotherapy-note',
      description:
        'Psychotherapy notes: a DocumentReference or Composition whose type is Confide\'s psychotherapy-note code. There is no single LOINC code for the HIPAA category, so Confide marks these notes with its own type (a note\'s category, e.g. clinical-note, is not enough to tell). A psychotherapy session\'s visit or claim (CPT 90832–90837) is not a psychotherapy note and is not labelled by this rule',
      citation: '45 CFR 164.508(a)(2) (psychotherapy notes need the patient\'s authorization); HL7 v3-ActCode PSYTHPN, HIPAAPsyNotes',
      elements: [...NOTE_TYPE_ELEMENTS],
      system: CONFIDE_NOTE_TYPE_SYSTEM,
      codes: [{ code: PSYCHOTHERAPY_NOTE_CODE, display: 'Psychotherapy note' }],
      labels: [
        { system: ACT_CODE_SYSTEM, code: 'PSYTHPN' },
        { system: ACT_CODE_SYSTEM, code: 'HIPAAPsyNotes' },
      ],
      confidentiality: 'V',
    },
    {
      kind: 'part2-program',
      id: 'part2-program',
      description:
        'Every patient record kept by an organization the practice has designated a 42 CFR Part 2 program: the Part 2 policy label, restricted confidentiality, and the obligation not to redisclose without consent',
      citation: '42 CFR 2.11 ("part 2 program"), 2.12(a) (records maintained in connection with a part 2 program), 2.32 (prohibition on redisclosure)',
      labels: [
        { system: ACT_CODE_SYSTEM, code: '42CFRPart2' },
        { system: ACT_CODE_SYSTEM, code: 'NORDSCLCD' },
      ],
      confidentiality: 'R',
    },
  ],
};

/** What is wrong with a rule set (an edited one, read from JSON); empty when it can be used. */
export function validateLabelRules(rules: unknown): string[] {
  const errors: string[] = [];
  if (typeof rules !== 'object' || rules === null) return ['the label rules must be an object'];
  const r = rules as Partial<LabelRules>;
  if (r.version !== 1) errors.push('version must be 1');
  if (!Array.isArray(r.rules)) return [...errors, 'rules must be a list'];
  const ids = new Set<string>();
  r.rules.forEach((rule: LabelRule, i) => {
    const at = `rules[${i}]${rule && typeof rule.id === 'string' ? ` (${rule.id})` : ''}`;
    if (typeof rule !== 'object' || rule === null) return errors.push(`${at}: must be an object`);
    if (typeof rule.id !== 'string' || rule.id === '') errors.push(`${at}: id is required`);
    else if (ids.has(rule.id)) errors.push(`${at}: duplicate id`);
    else ids.add(rule.id);
    if (typeof rule.description !== 'string' || rule.description === '') errors.push(`${at}: description is required`);
    if (!Array.isArray(rule.labels)) errors.push(`${at}: labels must be a list`);
    else if (rule.labels.some((l) => typeof l?.system !== 'string' || typeof l?.code !== 'string' || l.code === '')) errors.push(`${at}: every label needs a system and a code`);
    if (rule.confidentiality !== undefined && !isConfidentialityCode(rule.confidentiality)) errors.push(`${at}: confidentiality must be one of U, L, M, N, R, V`);
    if (Array.isArray(rule.labels) && rule.labels.length === 0 && rule.confidentiality === undefined) errors.push(`${at}: adds no label and no confidentiality`);
    if (rule.kind === 'code') errors.push(...codeRuleErrors(rule, at));
    else if (rule.kind !== 'part2-program') errors.push(`${at}: kind must be 'code' or 'part2-program'`);
  });
  return errors;
}

function codeRuleErrors(rule: CodeLabelRule, at: string): string[] {
  const errors: string[] = [];
  if (!Array.isArray(rule.elements) || rule.elements.length === 0) errors.push(`${at}: elements must list at least one element path`);
  else {
    for (const path of rule.elements) {
      const [type, ...steps] = typeof path === 'string' ? path.split('.') : [];
      if (!type || !isResourceType(type) || steps.length === 0 || steps.some((s) => s === '')) errors.push(`${at}: '${String(path)}' is not ResourceType.element`);
    }
  }
  if (typeof rule.system !== 'string' || rule.system === '') errors.push(`${at}: system is required`);
  const codes = rule.codes ?? [];
  const ranges = rule.ranges ?? [];
  if (codes.length === 0 && ranges.length === 0) errors.push(`${at}: needs codes or ranges`);
  if (codes.some((c) => typeof c?.code !== 'string' || c.code.trim() === '')) errors.push(`${at}: every code needs a code`);
  for (const range of ranges) {
    if (typeof range?.from !== 'string' || typeof range?.to !== 'string') {
      errors.push(`${at}: a range needs from and to`);
      continue;
    }
    const from = normalizeCode(range.from);
    const to = normalizeCode(range.to);
    if (from === '' || from.length !== to.length) errors.push(`${at}: range ${range.from}–${range.to} must have bounds of the same length`);
    else if (from > to) errors.push(`${at}: range ${range.from}–${range.to} is empty`);
  }
  for (const ex of rule.exclude ?? []) {
    if (typeof ex?.code !== 'string' || ex.code.trim() === '') errors.push(`${at}: every exclusion needs a code`);
    if (typeof ex?.why !== 'string' || ex.why === '') errors.push(`${at}: exclusion ${String(ex?.code)} needs a why`);
  }
  return errors;
}

const SYSTEM_NAMES: Record<string, string> = {
  [ICD10CM_SYSTEM]: 'ICD-10-CM',
  [SNOMED_SYSTEM]: 'SNOMED CT',
  [RXNORM_SYSTEM]: 'RxNorm',
  [CONFIDE_NOTE_TYPE_SYSTEM]: 'Confide note type',
};

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function codeText(c: { code: string; display?: string }): string {
  return c.display ? `${c.code} ${c.display}` : c.code;
}

function whatText(rule: LabelRule): string {
  if (rule.kind === 'part2-program') return 'Any patient record whose record-keeping organization is a designated Part 2 program';
  const parts: string[] = [];
  for (const r of rule.ranges ?? []) parts.push(r.from === r.to ? `${r.from}* ${r.display ?? ''}`.trim() : `${r.from}–${r.to}${r.display ? ` ${r.display}` : ''}`);
  for (const c of rule.codes ?? []) parts.push(codeText(c));
  const except = (rule.exclude ?? []).map((e) => `${codeText(e)} (${e.why})`);
  const system = SYSTEM_NAMES[rule.system] ?? rule.system;
  return `${system}: ${parts.join('; ')}${except.length ? `; except ${except.join('; ')}` : ''}`;
}

/** Named element lists, so that the table can say "diagnosis elements" instead of repeating fourteen paths. */
const ELEMENT_GROUPS: ReadonlyArray<{ name: string; elements: readonly string[] }> = [
  { name: 'diagnosis elements', elements: DIAGNOSIS_ELEMENTS },
  { name: 'medication elements', elements: MEDICATION_ELEMENTS },
  { name: 'note type elements', elements: NOTE_TYPE_ELEMENTS },
];

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function whereText(rule: LabelRule): string {
  if (rule.kind === 'part2-program') return 'patient-data resources (the access table\'s patient-data categories)';
  const extra = rule.matchResolvedCodes ? ', and the codes of a referenced Medication (resolved by the server)' : '';
  const group = ELEMENT_GROUPS.find((g) => sameSet(g.elements, rule.elements));
  return `${group ? `*${group.name}*` : rule.elements.join(', ')}${extra}`;
}

/**
 * The rule set as Markdown, for README.md and the administration screen: a table with one row per rule, then the
 * element lists the table refers to by name.
 */
export function renderLabelRules(rules: LabelRules = DEFAULT_LABEL_RULES): string {
  const lines = ['| Rule | What it matches | Where | Labels added | At least | Why |', '| --- | --- | --- | --- | :-: | --- |'];
  for (const rule of rules.rules) {
    const labels = rule.labels.map((l) => describeLabel(l)).join(', ') || '–';
    lines.push(
      `| **${cell(rule.id)}** — ${cell(rule.description)} | ${cell(whatText(rule))} | ${cell(whereText(rule))} | ${cell(labels)} | ${rule.confidentiality ?? '–'} | ${cell(rule.citation ?? '')} |`,
    );
  }
  const used = ELEMENT_GROUPS.filter((g) => rules.rules.some((r) => r.kind === 'code' && sameSet(g.elements, r.elements)));
  if (used.length) {
    lines.push('');
    for (const g of used) lines.push(`- *${g.name}*: ${g.elements.join(', ')}`);
  }
  return lines.join('\n');
}
