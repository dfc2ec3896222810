import type { Composition, CompositionAttester } from '@medplum/fhirtypes';
import { canonicalJson, refKey, sameExcept } from './references.ts';

/**
 * The lifecycle of a note (docs/notes.md; R4 Composition, composition.html#status): a draft is
 * `preliminary` and editable by its authors; signing makes it `final` with a legal attester who is an author
 * (and the caller); after that the only changes are a co-signature (a professional attester added) and
 * `entered-in-error`. Amendments are addenda: new Compositions that `relatesTo` `appends` a final note.
 */

/** Who is writing: the server passes the caller's kind and, for staff, their Practitioner. */
export interface NoteActor {
  kind: 'staff' | 'patient' | 'system';
  /** `Practitioner/<id>` of a staff caller. */
  practitioner?: string;
}

/** A refusal, shaped like an OperationOutcome issue (code from R4 valueset-issue-type). */
export interface NoteIssue {
  code: 'business-rule' | 'invalid' | 'required';
  /** FHIRPath of the offending element, e.g. `Composition.status`. */
  expression: string;
  message: string;
}

export type NoteCheck = { ok: true } | { ok: false; issue: NoteIssue };

export interface NoteContext {
  /**
   * The notes an addendum appends to, by `Composition/<id>`, as the caller may see them (undefined: unknown or
   * hidden from the caller). Only asked for targets the write adds.
   */
  target?: (reference: string) => Composition | undefined;
}

const OK: NoteCheck = { ok: true };
const fail = (code: NoteIssue['code'], expression: string, message: string): NoteCheck => ({ ok: false, issue: { code, expression, message } });

/**
 * The references a note appends to (relatesTo code `appends` with a targetReference). An `appends` by
 * targetIdentifier names a document elsewhere, which this server cannot look at, and is not checked.
 */
export function appendsTargets(note: Composition | undefined): string[] {
  return (note?.relatesTo ?? []).filter((r) => r.code === 'appends' && r.targetReference).map((r) => refKey(r.targetReference) ?? r.targetReference?.reference ?? '');
}

const authorsOf = (note: Composition): string[] => (note.author ?? []).map((a) => refKey(a) ?? '');
const isSigned = (status: Composition['status'] | undefined) => status === 'final' || status === 'amended';

/** A staff or patient caller must be one of the note's authors; a system caller (import, backend) is trusted. */
function requireAuthor(note: Composition, actor: NoteActor, what: string): NoteCheck {
  if (actor.kind === 'system') return OK;
  if (!actor.practitioner) return fail('business-rule', 'Composition.author', `Only an author may ${what} a note, and this account is not a Practitioner`);
  if (!authorsOf(note).includes(actor.practitioner)) {
    return fail('business-rule', 'Composition.author', `Only an author may ${what} this note: ${actor.practitioner} is not among its authors`);
  }
  return OK;
}

/**
 * Signing: at least one legal attester, each an author of the note, with a time; for staff, the caller, and no
 * other attester yet.
 */
function checkSignature(note: Composition, actor: NoteActor): NoteCheck {
  const attesters = note.attester ?? [];
  const legal = attesters.map((a, i) => [a, i] as const).filter(([a]) => a.mode === 'legal');
  if (legal.length === 0) {
    return fail('required', 'Composition.attester', 'A signed (final) note needs a legal attester: the author who signs it');
  }
  const authors = authorsOf(note);
  for (const [a, i] of legal) {
    const party = refKey(a.party);
    const at = `Composition.attester[${i}]`;
    if (!a.time) return fail('required', `${at}.time`, 'A signature needs its time');
    if (!party || !authors.includes(party)) return fail('business-rule', `${at}.party`, 'Only an author may sign a note: the legal attester must be among Composition.author');
    if (actor.kind !== 'system' && party !== actor.practitioner) {
      return fail('business-rule', `${at}.party`, 'A note is signed by its author in person: the legal attester must be the caller');
    }
  }
  // Staff co-sign after signing; a signed and co-signed note from elsewhere (import) comes with both.
  const other = attesters.findIndex((a) => a.mode !== 'legal');
  if (other >= 0 && actor.kind !== 'system') return fail('business-rule', `Composition.attester[${other}].mode`, 'A note is co-signed after it is signed, not at the same time');
  return OK;
}

/** Co-signing: the note is unchanged except for professional attesters added after the existing ones. */
function checkCosign(before: Composition, after: Composition, actor: NoteActor): NoteCheck {
  const old = before.attester ?? [];
  const now = after.attester ?? [];
  const kept = old.every((a, i) => now[i] !== undefined && canonicalJson(a) === canonicalJson(now[i]));
  if (!kept || now.length <= old.length) return fail('business-rule', 'Composition.status', signedMessage(before));
  const signers = new Set(old.map((a) => refKey(a.party)));
  for (let i = old.length; i < now.length; i++) {
    const a: CompositionAttester = now[i];
    const at = `Composition.attester[${i}]`;
    if (a.mode !== 'professional') return fail('business-rule', `${at}.mode`, 'A co-signature is an attester with mode professional');
    if (!a.time) return fail('required', `${at}.time`, 'A co-signature needs its time');
    const party = refKey(a.party);
    if (!party?.startsWith('Practitioner/')) return fail('invalid', `${at}.party`, 'A co-signer is a Practitioner');
    if (actor.kind !== 'system' && party !== actor.practitioner) return fail('business-rule', `${at}.party`, 'A co-signature is added by the co-signer in person: the attester must be the caller');
    if (signers.has(party)) return fail('business-rule', `${at}.party`, `${party} has already attested this note`);
    signers.add(party);
  }
  return OK;
}

const signedMessage = (note: Composition) =>
  `This note is ${note.status} (signed) and cannot be changed: write an addendum, co-sign it, or mark it entered-in-error`;

/** An addendum's targets (those the write adds): each visible, signed, of the same patient and encounter. */
function checkAppends(before: Composition | undefined, after: Composition, ctx: NoteContext): NoteCheck {
  const added = new Set(appendsTargets(before));
  const relations = after.relatesTo ?? [];
  for (let i = 0; i < relations.length; i++) {
    const r = relations[i];
    if (r.code !== 'appends' || !r.targetReference) continue;
    const at = `Composition.relatesTo[${i}].targetReference`;
    const key = refKey(r.targetReference);
    if (!key || !key.startsWith('Composition/')) return fail('invalid', at, 'An addendum appends to a Composition: targetReference must be Composition/<id>');
    if (added.has(key)) continue;
    const target = ctx.target?.(key);
    if (!target) return fail('business-rule', at, `The note this addendum appends to (${key}) was not found`);
    if (!isSigned(target.status)) return fail('business-rule', at, `An addendum appends to a signed note; ${key} is ${target.status}`);
    if (refKey(target.subject) !== refKey(after.subject)) return fail('business-rule', 'Composition.subject', 'An addendum is about the same patient as the note it appends to');
    if (target.encounter && refKey(target.encounter) !== refKey(after.encounter)) {
      return fail('business-rule', 'Composition.encounter', 'An addendum belongs to the same encounter as the note it appends to');
    }
  }
  return OK;
}

const all = (...checks: (() => NoteCheck)[]): NoteCheck => {
  for (const c of checks) {
    const r = c();
    if (!r.ok) return r;
  }
  return OK;
};

/**
 * Whether writing `after` over `before` is a step the note lifecycle allows: `before` undefined is a create,
 * `after` undefined a delete. Pure: the caller fetches the addendum targets into `ctx`.
 */
export function checkNoteTransition(before: Composition | undefined, after: Composition | undefined, actor: NoteActor, ctx: NoteContext = {}): NoteCheck {
  if (!after) {
    if (!before) return OK;
    if (before.status === 'preliminary') return requireAuthor(before, actor, 'delete');
    return fail('business-rule', 'Composition.status', `A ${before.status} note cannot be deleted; mark it entered-in-error instead`);
  }
  if (!before || before.status === 'preliminary') {
    return all(
      () => (before ? requireAuthor(before, actor, 'edit') : OK),
      () => {
        switch (after.status) {
          case 'preliminary':
            return all(() => requireAuthor(after, actor, 'write'), () => checkAppends(before, after, ctx));
          case 'final':
            return all(() => requireAuthor(after, actor, 'sign'), () => checkSignature(after, actor), () => checkAppends(before, after, ctx));
          case 'entered-in-error':
            return before ? OK : fail('business-rule', 'Composition.status', 'A new note cannot be entered-in-error');
          case 'amended':
            return fail('business-rule', 'Composition.status', 'A signed note is amended with an addendum (a new Composition that relatesTo appends it), not by status amended');
          default:
            return fail('invalid', 'Composition.status', 'Unknown note status');
        }
      },
    );
  }
  if (before.status === 'entered-in-error') return fail('business-rule', 'Composition.status', 'This note was entered in error and cannot be changed');
  // A signed note (final, or amended by another system before it was imported).
  if (after.status === 'entered-in-error') {
    return sameExcept(before, after, ['status'])
      ? OK
      : fail('business-rule', 'Composition.status', 'Marking a signed note entered-in-error changes its status and nothing else');
  }
  if (after.status === before.status && sameExcept(before, after, ['attester'])) return checkCosign(before, after, actor);
  return fail('business-rule', 'Composition.status', signedMessage(before));
}

/** The note signed by `practitioner` at `time` (status final + legal attester); the server checks the rest. */
export function signNote(note: Composition, practitioner: string, time: string): Composition {
  return { ...note, status: 'final', date: time, attester: [{ mode: 'legal', time, party: { reference: practitioner } }] };
}

/** The signed note with `practitioner`'s co-signature (professional attester) added. */
export function cosignNote(note: Composition, practitioner: string, time: string): Composition {
  return { ...note, attester: [...(note.attester ?? []), { mode: 'professional', time, party: { reference: practitioner } }] };
}

/** Makes `addendum` (e.g. from `newNote`) an addendum to the signed note `target`. */
export function asAddendum(addendum: Composition, target: Composition): Composition {
  if (!target.id) throw new TypeError('The note to append to has no id');
  return {
    ...addendum,
    subject: target.subject,
    ...(target.encounter ? { encounter: target.encounter } : {}),
    relatesTo: [...(addendum.relatesTo ?? []), { code: 'appends', targetReference: { reference: `Composition/${target.id}` } }],
  };
}
