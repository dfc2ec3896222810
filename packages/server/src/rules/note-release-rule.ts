import type { Composition, Consent, DocumentReference } from '@medplum/fhirtypes';
import { errors, issue } from '@confide/fhir';
import { isNoteAuthorization, isPsychotherapyNote, namedNotes, noteAuthorizationProblems, noteAuthorizationWrite, referenceKey, type NamedNote } from '@confide/policy';
import type { Repository, WriteRule } from '@confide/store';
import { currentVersion, replacedVersion, requireVisible } from './rule-support.ts';

/**
 * Psychotherapy-note authorizations (45 CFR 164.508(a)(2); @confide/policy consent/note-release.ts, docs/consent.md):
 * every write of a Consent that is one — before or after the write, whatever its status, on every write path
 * (REST, Bundles, import, seed) — must be made by someone who may release the notes it names
 * (`noteAuthorizationWrite`: the author of each, or a privacy officer; 403), and an active one must count
 * (`noteAuthorizationProblems`; 422), so that nobody takes a defective authorization for one in force.
 */
export const noteReleaseRule: WriteRule = async (writes, repo) => {
  for (const w of writes) {
    if (w.resourceType !== 'Consent') continue;
    if (w.deleted) await requireVisible(repo, w);
    const before = await replacedVersion<Consent>(repo, w);
    const after = w.deleted ? undefined : (w.resource as Consent);
    const versions = [before, after].filter((c): c is Consent => c !== undefined && isNoteAuthorization(c));
    if (versions.length === 0) continue;
    const notes = [...new Set(versions.flatMap(namedNotes))];
    const patient = (after ?? before)?.patient?.reference;
    const who = noteAuthorizationWrite(repo.access?.actor, patient ? referenceKey(patient) : undefined, await Promise.all(notes.map((n) => namedNote(repo, n))));
    if (!who.ok) throw who.status === 403 ? errors.forbidden(who.message) : errors.unprocessable([issue('business-rule', who.message, 'Consent.provision.data')]);
    if (after && after.status === 'active' && isNoteAuthorization(after)) {
      const problems = noteAuthorizationProblems(after);
      if (problems.length) throw errors.unprocessable(problems.map((p) => issue('business-rule', p.message, p.expression)));
    }
  }
};

/** A note an authorization names, read unrestricted (the rule decides on it; nothing of it reaches the caller). */
async function namedNote(repo: Repository, ref: string): Promise<NamedNote> {
  const [type, id] = ref.split('/');
  const found = await currentVersion<Composition | DocumentReference>(repo.as(undefined), type, id);
  if (!found) return { ref };
  const note = found.resource;
  const subject = note.subject?.reference;
  return {
    ref,
    psychotherapy: isPsychotherapyNote(note),
    authors: (note.author ?? []).map((a) => (a.reference ? referenceKey(a.reference) : '')).filter((a) => a.startsWith('Practitioner/')),
    patient: subject ? referenceKey(subject) : undefined,
  };
}
