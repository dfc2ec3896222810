import { describe, expect, it } from 'vitest';
import { CONFIDE_NOTE_TYPE_SYSTEM as POLICY_SYSTEM, PSYCHOTHERAPY_NOTE_CODE as POLICY_CODE, assignLabels } from '@confide/policy';
import {
  CONFIDE_NOTE_TYPE_SYSTEM,
  NOTE_TEMPLATES,
  PSYCHOTHERAPY,
  PSYCHOTHERAPY_NOTE_CODE,
  SOAP,
  narrativeText,
  newNote,
  noteTemplate,
  textNarrative,
  withSectionText,
} from '../src/index.ts';
import { validateResource } from '@confide/fhir';

describe('note templates', () => {
  it('the psychotherapy note type is the one the consent rules label', () => {
    expect([CONFIDE_NOTE_TYPE_SYSTEM, PSYCHOTHERAPY_NOTE_CODE]).toEqual([POLICY_SYSTEM, POLICY_CODE]);
    const note = newNote(PSYCHOTHERAPY, { patient: 'Patient/p1', author: 'Practitioner/t1', date: '2026-01-05T10:00:00Z' });
    expect(assignLabels(note, { part2Programs: [], authoringOrganizations: [] }).security.map((c) => c.code)).toContain('PSYTHPN');
  });

  it.each(NOTE_TEMPLATES.map((t) => [t.code, t] as const))('%s: a new note is a valid R4 draft Composition', (code, t) => {
    const note = newNote(t, { patient: 'Patient/p1', encounter: 'Encounter/e1', author: 'Practitioner/t1', date: '2026-01-05T10:00:00Z' });
    expect(note.status).toBe('preliminary');
    expect(note.category?.[0].coding?.[0]).toEqual({ system: 'https://confide.health/fhir/CodeSystem/note-template', code, display: t.category.display });
    expect(note.section).toHaveLength(t.sections.length);
    expect(note.section?.every((s) => s.emptyReason?.coding?.[0].code === 'notstarted')).toBe(true);
    expect(validateResource(note)).toEqual([]);
    expect(noteTemplate(code)).toBe(t);
    // Section codes are unique within a template, so the app can find a section by its code.
    expect(new Set(t.sections.map((s) => `${s.code.system}|${s.code.code}`)).size).toBe(t.sections.length);
  });

  it('progress notes need an encounter', () => {
    expect(() => newNote(SOAP, { patient: 'Patient/p1', author: 'Practitioner/t1' })).toThrow(/encounter/);
  });

  it('section text is stored as escaped XHTML and read back', () => {
    const text = 'Mood 4/10 <worse> & "tired".\nSleeping 5h.\n\nPlan: follow up.';
    const n = textNarrative(text);
    expect(n.div).toBe('<div xmlns="http://www.w3.org/1999/xhtml"><p>Mood 4/10 &lt;worse&gt; &amp; &quot;tired&quot;.<br/>Sleeping 5h.</p><p>Plan: follow up.</p></div>');
    expect(narrativeText(n)).toBe(text);
    const note = withSectionText(newNote(SOAP, { patient: 'Patient/p1', encounter: 'Encounter/e1', author: 'Practitioner/t1', date: '2026-01-05T10:00:00Z' }), 0, text);
    expect(note.section?.[0].emptyReason).toBeUndefined();
    expect(validateResource(note)).toEqual([]);
    expect(withSectionText(note, 0, '  ').section?.[0].emptyReason?.coding?.[0].code).toBe('notstarted');
  });
});
