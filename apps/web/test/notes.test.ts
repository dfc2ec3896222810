import { describe, expect, it } from 'vitest';
import { cosigned, divToText, draftNote, isAuthor, signed, templateOfNote, textToDiv, withSectionText } from '../src/notes/composition.ts';
import { TEMPLATES, templateOf } from '../src/notes/templates.ts';

describe('note templates (docs/notes.md)', () => {
  it('has SOAP, DAP, BIRP, intake, discharge and psychotherapy', () => {
    expect(TEMPLATES.map((t) => t.code)).toEqual(['soap', 'dap', 'birp', 'intake', 'discharge', 'psychotherapy']);
    expect(templateOf('soap')!.sections.map((s) => s.code.code)).toEqual(['61150-9', '61149-1', '51848-0', '18776-5']);
    expect(templateOf('psychotherapy')!.type).toMatchObject({ system: 'https://confide.health/fhir/CodeSystem/note-type', code: 'psychotherapy-note' });
    for (const t of TEMPLATES.filter((x) => ['soap', 'dap', 'birp'].includes(x.code))) expect(t.type.code).toBe('11506-3');
  });
});

describe('note Compositions', () => {
  const soap = templateOf('soap')!;
  it('a draft is preliminary, by its author, linked to the visit, with the template as category', () => {
    const c = draftNote({ template: soap, patientId: 'p', author: 'Practitioner/a', encounterId: 'e' });
    expect(c).toMatchObject({ status: 'preliminary', subject: { reference: 'Patient/p' }, encounter: { reference: 'Encounter/e' }, author: [{ reference: 'Practitioner/a' }] });
    expect(templateOfNote(c)?.code).toBe('soap');
    expect(c.section).toHaveLength(4);
    expect(isAuthor(c, 'Practitioner/a')).toBe(true);
    expect(isAuthor(c, 'Practitioner/b')).toBe(false);
  });
  it.each(['plain', 'two\nlines', 'para one\n\npara two', '<script>alert("x")</script> & more', ''])('narrative keeps %j', (text) => {
    const div = textToDiv(text);
    expect(div.startsWith('<div xmlns="http://www.w3.org/1999/xhtml">')).toBe(true);
    expect(div).not.toContain('<script>');
    expect(divToText(div)).toBe(text);
  });
  it('signing makes it final with a legal attester; co-signing adds a professional one', () => {
    let c = draftNote({ template: soap, patientId: 'p', author: 'Practitioner/a' });
    c = withSectionText(c, 0, 'feels better');
    const s = signed(c, 'Practitioner/a', new Date('2026-12-02T10:00:00Z'));
    expect(s.status).toBe('final');
    expect(s.attester).toEqual([{ mode: 'legal', time: '2026-12-02T10:00:00.000Z', party: { reference: 'Practitioner/a' } }]);
    expect(divToText(s.section![0].text!.div)).toBe('feels better');
    const co = cosigned(s, 'Practitioner/sup');
    expect(co.attester!.map((a) => a.mode)).toEqual(['legal', 'professional']);
    expect(co.status).toBe('final');
  });
  it('an addendum appends to the signed note', () => {
    const target = { ...signed(draftNote({ template: soap, patientId: 'p', author: 'Practitioner/a', encounterId: 'e' }), 'Practitioner/a'), id: 'n1' };
    const a = draftNote({ template: soap, patientId: 'p', author: 'Practitioner/a', encounterId: 'e', appendsTo: target });
    expect(a.relatesTo).toEqual([{ code: 'appends', targetReference: { reference: 'Composition/n1' } }]);
    expect(a.status).toBe('preliminary');
    expect(a.section!.map((s) => s.title)).toEqual(['Addendum']);
  });
});
