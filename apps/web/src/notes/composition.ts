import type { Composition, CompositionSection } from '@medplum/fhirtypes';
import { TEMPLATE_SYSTEM, templateOf, type NoteTemplate } from './templates.ts';

const XHTML = 'http://www.w3.org/1999/xhtml';

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text as a Narrative div (FHIR R4 narrative.html: XHTML in a div), line breaks kept. */
export function textToDiv(text: string): string {
  const paras = text.split(/\n{2,}/).map((p) => `<p>${escape(p).replace(/\n/g, '<br/>')}</p>`);
  return `<div xmlns="${XHTML}">${paras.join('')}</div>`;
}

/** The text back from a div written by textToDiv (or any simple XHTML). */
export function divToText(div: string | undefined): string {
  if (!div) return '';
  return div
    .replace(/^<div[^>]*>|<\/div>$/g, '')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<\/p>\s*<p>/g, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

export interface NewNote {
  template: NoteTemplate;
  patientId: string;
  author: string;
  encounterId?: string;
  /** An addendum to this signed note (docs/notes.md: relatesTo appends). */
  appendsTo?: Composition;
}

/** A draft note: status preliminary, one empty section per template section. */
export function draftNote(n: NewNote, now = new Date()): Composition {
  const sections: CompositionSection[] = n.appendsTo
    ? [{ title: 'Addendum', code: { coding: [{ system: 'https://confide.health/fhir/CodeSystem/note-section', code: 'addendum', display: 'Addendum' }] }, text: { status: 'additional', div: textToDiv('') } }]
    : n.template.sections.map((s) => ({ title: s.title, code: { coding: [s.code] }, text: { status: 'additional', div: textToDiv('') } }));
  return {
    resourceType: 'Composition',
    status: 'preliminary',
    type: { coding: [n.template.type], text: n.template.type.display },
    category: [{ coding: [n.template.category] }],
    subject: { reference: `Patient/${n.patientId}` },
    ...(n.encounterId ? { encounter: { reference: `Encounter/${n.encounterId}` } } : {}),
    date: now.toISOString(),
    author: [{ reference: n.author }],
    title: n.appendsTo ? `Addendum to ${n.appendsTo.title}` : n.template.title,
    ...(n.appendsTo ? { relatesTo: [{ code: 'appends', targetReference: { reference: `Composition/${n.appendsTo.id}` } }] } : {}),
    section: sections,
  };
}

export function templateOfNote(c: Composition): NoteTemplate | undefined {
  return templateOf(c.category?.flatMap((x) => x.coding ?? []).find((x) => x.system === TEMPLATE_SYSTEM)?.code);
}

/** Sets one section's text (by index), and the note's date (last edited). */
export function withSectionText(c: Composition, index: number, text: string, now = new Date()): Composition {
  return {
    ...c,
    date: now.toISOString(),
    section: (c.section ?? []).map((s, i) => (i === index ? { ...s, text: { status: 'additional', div: textToDiv(text) } } : s)),
  };
}

/** Signing: final, with the author's legal attestation (docs/notes.md). */
export function signed(c: Composition, party: string, now = new Date()): Composition {
  return { ...c, status: 'final', date: now.toISOString(), attester: [...(c.attester ?? []), { mode: 'legal', time: now.toISOString(), party: { reference: party } }] };
}

/** Co-signing: a supervising clinician's professional attestation, the only change to a final note. */
export function cosigned(c: Composition, party: string, now = new Date()): Composition {
  return { ...c, attester: [...(c.attester ?? []), { mode: 'professional', time: now.toISOString(), party: { reference: party } }] };
}

export function isAuthor(c: Composition, who: string | undefined): boolean {
  return !!who && (c.author ?? []).some((a) => a.reference === who);
}
