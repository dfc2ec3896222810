import type { Composition } from '@medplum/fhirtypes';
import type { Actor } from '@confide/policy';
import { appendsTargets, checkNoteTransition, type NoteActor } from '@confide/notes';
import type { WriteRule } from '@confide/store';
import { replacedVersion, requireVisible, ruleError } from './rule-support.ts';

/** The caller as the note lifecycle sees them; the server's own work (no actor) is a system caller. */
export function noteActor(actor: Actor | undefined): NoteActor {
  if (!actor) return { kind: 'system' };
  return { kind: actor.kind, practitioner: actor.practitionerId ? `Practitioner/${actor.practitionerId}` : undefined };
}

/**
 * Every write of a Composition is a step of the note lifecycle (@confide/notes, docs/notes.md): a signed note
 * cannot be changed except by co-signing or entered-in-error, addenda append to signed notes only. Addendum
 * targets are read as the caller may see them, so a refusal never reveals a hidden note.
 */
export const noteRule: WriteRule = async (writes, repo) => {
  const notes = writes.filter((w) => w.resourceType === 'Composition');
  if (notes.length === 0) return;
  const actor = noteActor(repo.access?.actor);
  const batch = new Map(notes.filter((w) => !w.deleted).map((w) => [`Composition/${w.id}`, w.resource as Composition]));
  for (const w of notes) {
    if (w.deleted) await requireVisible(repo, w);
    const before = await replacedVersion<Composition>(repo, w);
    const after = w.deleted ? undefined : (w.resource as Composition);
    const known = new Set(appendsTargets(before));
    const targets = new Map<string, Composition>();
    for (const key of appendsTargets(after)) {
      if (known.has(key) || !key.startsWith('Composition/')) continue;
      const inBatch = batch.get(key);
      if (inBatch) {
        targets.set(key, inBatch);
        continue;
      }
      const seen = await repo.readVisible('Composition', key.slice('Composition/'.length));
      if (seen && !seen.deleted && seen.json) targets.set(key, JSON.parse(seen.json) as Composition);
    }
    const r = checkNoteTransition(before, after, actor, { target: (key) => targets.get(key) });
    if (!r.ok) throw ruleError(r.issue);
  }
};
