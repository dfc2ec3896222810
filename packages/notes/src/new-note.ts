import type { Composition, CompositionSection, Practitioner, Reference, Resource } from '@medplum/fhirtypes';
import { LIST_EMPTY_REASON_SYSTEM } from './codes.ts';
import { textNarrative } from './narrative.ts';
import type { NoteTemplate } from './templates.ts';

export type RefLike = string | Reference;

export interface NewNoteInput {
  /** `Patient/<id>` or a Reference to it. */
  patient: RefLike;
  /** `Encounter/<id>`: required by progress-note templates. */
  encounter?: RefLike;
  /** `Practitioner/<id>` of the writer (or several). */
  author: RefLike | RefLike[];
  /** Composition.date, an R4 dateTime (default: now). */
  date?: string;
  /** Default: the template's title. */
  title?: string;
}

const toRef = <T extends Resource = Resource>(r: RefLike): Reference<T> => (typeof r === 'string' ? { reference: r } : (r as Reference<T>));

/** An empty section: R4 cmp-1 needs text, entries or sub-sections, so a draft's unwritten section says "not started". */
function emptySection(s: NoteTemplate['sections'][number]): CompositionSection {
  return {
    title: s.title,
    code: { coding: [s.code] },
    emptyReason: { coding: [{ system: LIST_EMPTY_REASON_SYSTEM, code: 'notstarted', display: 'Not Started' }] },
  };
}

/** A new draft note (Composition, status `preliminary`) from a template, with every section empty. */
export function newNote(template: NoteTemplate, input: NewNoteInput): Composition {
  if (template.encounterRequired && !input.encounter) {
    throw new TypeError(`A ${template.title} is written about a visit: give its encounter`);
  }
  const authors = (Array.isArray(input.author) ? input.author : [input.author]).map((r) => toRef<Practitioner>(r));
  if (authors.length === 0) throw new TypeError('A note needs an author');
  return {
    resourceType: 'Composition',
    status: 'preliminary',
    type: { coding: [template.type], text: template.type.display },
    category: [{ coding: [template.category] }],
    subject: toRef(input.patient),
    ...(input.encounter ? { encounter: toRef(input.encounter) } : {}),
    date: input.date ?? new Date().toISOString(),
    author: authors,
    title: input.title ?? template.title,
    section: template.sections.map(emptySection),
  };
}

/**
 * The note with one section's text set (by index): an empty text makes the section "not started" again.
 * Returns a new object; the note is not changed.
 */
export function withSectionText(note: Composition, index: number, text: string): Composition {
  const sections = [...(note.section ?? [])];
  const s = sections[index];
  if (!s) throw new RangeError(`The note has no section ${index}`);
  const { text: _old, emptyReason: _reason, ...rest } = s;
  sections[index] = text.trim()
    ? { ...rest, text: textNarrative(text) }
    : { ...rest, emptyReason: { coding: [{ system: LIST_EMPTY_REASON_SYSTEM, code: 'notstarted', display: 'Not Started' }] } };
  return { ...note, section: sections };
}
