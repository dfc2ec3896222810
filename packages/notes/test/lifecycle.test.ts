import type { Composition } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { asAddendum, checkNoteTransition, cosignNote, newNote, signNote, SOAP, withSectionText, type NoteActor } from '../src/index.ts';

const T = '2026-03-02T15:00:00Z';
const author: NoteActor = { kind: 'staff', practitioner: 'Practitioner/ther1' };
const other: NoteActor = { kind: 'staff', practitioner: 'Practitioner/ther2' };
const supervisor: NoteActor = { kind: 'staff', practitioner: 'Practitioner/sup' };
const noPractitioner: NoteActor = { kind: 'staff' };
const system: NoteActor = { kind: 'system' };
const patient: NoteActor = { kind: 'patient' };

const draft: Composition = { ...withSectionText(newNote(SOAP, { patient: 'Patient/p1', encounter: 'Encounter/e1', author: 'Practitioner/ther1', date: T }), 0, 'Feels better.'), id: 'n1' };
const edited = withSectionText(draft, 1, 'Calm, good eye contact.');
const signed = signNote(edited, 'Practitioner/ther1', T);
const cosigned = cosignNote(signed, 'Practitioner/sup', T);
const retracted: Composition = { ...signed, status: 'entered-in-error' };
const addendum = asAddendum(newNote(SOAP, { patient: 'Patient/p1', encounter: 'Encounter/e1', author: 'Practitioner/ther1', date: T }), signed);
const addendumToDraft = asAddendum(newNote(SOAP, { patient: 'Patient/p1', encounter: 'Encounter/e1', author: 'Practitioner/ther1', date: T }), draft);
const notes = new Map<string, Composition>([['Composition/n1', signed]]);
const drafts = new Map<string, Composition>([['Composition/n1', draft]]);
const otherPatient = new Map<string, Composition>([['Composition/n1', { ...signed, subject: { reference: 'Patient/p2' } }]]);

type Case = [name: string, before: Composition | undefined, after: Composition | undefined, actor: NoteActor, expected: 'ok' | string, targets?: Map<string, Composition>];

const cases: Case[] = [
  // drafts
  ['an author creates a draft', undefined, draft, author, 'ok'],
  ['someone else cannot create a draft in another author’s name', undefined, draft, other, 'business-rule Composition.author'],
  ['a staff account without a Practitioner cannot write notes', undefined, draft, noPractitioner, 'business-rule Composition.author'],
  ['a patient cannot write notes', undefined, draft, patient, 'business-rule Composition.author'],
  ['the server itself (import) creates a draft', undefined, draft, system, 'ok'],
  ['the author autosaves the draft', draft, edited, author, 'ok'],
  ['another clinician cannot edit the draft', draft, edited, other, 'business-rule Composition.author'],
  ['the author deletes a draft', draft, undefined, author, 'ok'],
  ['another clinician cannot delete the draft', draft, undefined, other, 'business-rule Composition.author'],
  ['a draft made in error is marked entered-in-error', draft, { ...draft, status: 'entered-in-error' }, author, 'ok'],
  ['a new note cannot start entered-in-error', undefined, { ...draft, status: 'entered-in-error' }, author, 'business-rule Composition.status'],
  ['status amended is not how notes are amended', draft, { ...signed, status: 'amended' }, author, 'business-rule Composition.status'],
  // signing
  ['the author signs', edited, signed, author, 'ok'],
  ['a note signed in one step (import of a signed note)', undefined, signed, system, 'ok'],
  ['the author creates a signed note at once', undefined, signed, author, 'ok'],
  ['final without a legal attester', edited, { ...edited, status: 'final' }, author, 'required Composition.attester'],
  ['final with a signature without time', edited, { ...signed, attester: [{ mode: 'legal', party: { reference: 'Practitioner/ther1' } }] }, author, 'required Composition.attester[0].time'],
  ['the legal attester must be an author', edited, signNote(edited, 'Practitioner/ther2', T), system, 'business-rule Composition.attester[0].party'],
  ['a clinician cannot sign in someone else’s name', edited, signNote(edited, 'Practitioner/ther1', T), other, 'business-rule Composition.author'],
  [
    'a co-author cannot sign in the other author’s name',
    { ...edited, author: [{ reference: 'Practitioner/ther1' }, { reference: 'Practitioner/ther2' }] },
    { ...signNote(edited, 'Practitioner/ther1', T), author: [{ reference: 'Practitioner/ther1' }, { reference: 'Practitioner/ther2' }] },
    other,
    'business-rule Composition.attester[0].party',
  ],
  ['signing and co-signing at once', edited, cosignNote(signed, 'Practitioner/sup', T), author, 'business-rule Composition.attester[1].mode'],
  ['an imported note comes signed and co-signed', undefined, cosignNote(signed, 'Practitioner/sup', T), system, 'ok'],
  ['an absolute author reference counts as the author', edited, { ...signed, author: [{ reference: 'https://ehr.example/fhir/R4/Practitioner/ther1' }] }, author, 'ok'],
  // signed notes
  ['a signed note cannot be edited', signed, withSectionText(signed, 2, 'Changed my mind.'), author, 'business-rule Composition.status'],
  ['a signed note cannot go back to draft', signed, { ...signed, status: 'preliminary' }, author, 'business-rule Composition.status'],
  ['a signed note cannot be deleted', signed, undefined, author, 'business-rule Composition.status'],
  ['not even by the server', signed, undefined, system, 'business-rule Composition.status'],
  ['meta changes alone are no edit', signed, { ...signed, meta: { versionId: '7', security: [{ code: 'R' }] } }, author, 'business-rule Composition.status'],
  ['the supervisor co-signs', signed, cosigned, supervisor, 'ok'],
  ['a co-signature must be the caller’s', signed, cosigned, other, 'business-rule Composition.attester[1].party'],
  ['the signer cannot co-sign their own note', signed, cosignNote(signed, 'Practitioner/ther1', T), author, 'business-rule Composition.attester[1].party'],
  ['a co-signature is professional', signed, { ...signed, attester: [...signed.attester!, { mode: 'legal', time: T, party: { reference: 'Practitioner/sup' } }] }, supervisor, 'business-rule Composition.attester[1].mode'],
  ['a co-signature needs a time', signed, { ...signed, attester: [...signed.attester!, { mode: 'professional', party: { reference: 'Practitioner/sup' } }] }, supervisor, 'required Composition.attester[1].time'],
  ['co-signing cannot also edit the text', signed, withSectionText(cosigned, 0, 'x'), supervisor, 'business-rule Composition.status'],
  ['co-signing cannot remove the signature', signed, { ...signed, attester: [{ mode: 'professional', time: T, party: { reference: 'Practitioner/sup' } }] }, supervisor, 'business-rule Composition.status'],
  ['a second co-signer', cosigned, cosignNote(cosigned, 'Practitioner/ther2', T), other, 'ok'],
  ['a signed note is marked entered-in-error', signed, retracted, author, 'ok'],
  ['entered-in-error changes nothing else', signed, withSectionText(retracted, 0, 'x'), author, 'business-rule Composition.status'],
  ['an entered-in-error note is frozen', retracted, signed, author, 'business-rule Composition.status'],
  // addenda
  ['an addendum to a signed note', undefined, addendum, author, 'ok', notes],
  ['an addendum to a draft is refused', undefined, addendumToDraft, author, 'business-rule Composition.relatesTo[0].targetReference', drafts],
  ['an addendum to a note the caller cannot see', undefined, addendum, author, 'business-rule Composition.relatesTo[0].targetReference', new Map()],
  ['an addendum about another patient', undefined, addendum, author, 'business-rule Composition.subject', otherPatient],
  ['an addendum for another encounter', undefined, { ...addendum, encounter: { reference: 'Encounter/e2' } }, author, 'business-rule Composition.encounter', notes],
  ['an addendum appends to a Composition', undefined, { ...addendum, relatesTo: [{ code: 'appends', targetReference: { reference: 'Observation/o1' } }] }, author, 'invalid Composition.relatesTo[0].targetReference', notes],
  ['an addendum to a document elsewhere, by identifier, cannot be checked', undefined, { ...addendum, relatesTo: [{ code: 'appends', targetIdentifier: { system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.3' } }] }, author, 'ok', new Map()],
  ['the addendum’s draft is autosaved without looking at its target again', addendum, withSectionText(addendum, 0, 'More.'), author, 'ok', new Map()],
  ['the addendum is signed', addendum, signNote(addendum, 'Practitioner/ther1', T), author, 'ok', new Map()],
];

describe('checkNoteTransition', () => {
  it.each(cases)('%s', (_name, before, after, actor, expected, targets) => {
    const r = checkNoteTransition(before, after, actor, { target: (ref) => targets?.get(ref) });
    expect(r.ok ? 'ok' : `${r.issue.code} ${r.issue.expression}`).toBe(expected);
    if (!r.ok) expect(r.issue.message.length).toBeGreaterThan(10);
  });
});
