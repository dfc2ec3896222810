/**
 * Note templates: the definitions in @confide/notes (pure and isomorphic), which the server's note rules and the
 * demo practice use too, so a note the app drafts has exactly the type, category and sections the server expects
 * (docs/notes.md). This module only gives the app the lookups it needs.
 */
import { NOTE_TEMPLATES, NOTE_TEMPLATE_SYSTEM, noteTemplate, type NoteTemplate } from '@confide/notes';

export type { NoteTemplate };
export const TEMPLATES = NOTE_TEMPLATES;
export const TEMPLATE_SYSTEM = NOTE_TEMPLATE_SYSTEM;

export function templateOf(code: string | undefined): NoteTemplate | undefined {
  return code === undefined ? undefined : noteTemplate(code);
}
