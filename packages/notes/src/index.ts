export * from './codes.ts';
export * from './templates.ts';
export { newNote, withSectionText, type NewNoteInput, type RefLike } from './new-note.ts';
export { textNarrative, narrativeText } from './narrative.ts';
export { refKey, sameExcept, canonicalJson } from './references.ts';
export {
  appendsTargets,
  asAddendum,
  checkNoteTransition,
  cosignNote,
  signNote,
  type NoteActor,
  type NoteCheck,
  type NoteContext,
  type NoteIssue,
} from './lifecycle.ts';
