import type { Coding } from '@medplum/fhirtypes';

/** Code systems of the note model (docs/notes.md). */
export const LOINC = 'http://loinc.org';
export const NOTE_TEMPLATE_SYSTEM = 'https://confide.health/fhir/CodeSystem/note-template';
export const NOTE_SECTION_SYSTEM = 'https://confide.health/fhir/CodeSystem/note-section';
/**
 * The psychotherapy-note type (HIPAA 45 CFR 164.501). The same values as CONFIDE_NOTE_TYPE_SYSTEM and
 * PSYCHOTHERAPY_NOTE_CODE in @confide/policy, repeated here so that the browser app can import this package
 * without the policy's server-side dependencies; a test keeps the two equal.
 */
export const CONFIDE_NOTE_TYPE_SYSTEM = 'https://confide.health/fhir/CodeSystem/note-type';
export const PSYCHOTHERAPY_NOTE_CODE = 'psychotherapy-note';
/** R4 list-empty-reason: a section not written yet (a draft's empty sections, cmp-1/cmp-2). */
export const LIST_EMPTY_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/list-empty-reason';

export const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });
export const sectionCode = (code: string, display: string): Coding => ({ system: NOTE_SECTION_SYSTEM, code, display });
