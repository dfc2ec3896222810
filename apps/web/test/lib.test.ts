import { describe, expect, it } from 'vitest';
import { appointmentQuery, bookedAppointment, cancelled, moved, startOf, viewDays } from '../src/lib/appointments.ts';
import { seriesOf } from '../src/lib/chart-data.ts';
import { FhirClient, searchResult } from '../src/lib/fhir-client.ts';
import { ageOf, nameOf } from '../src/lib/format.ts';
import { idlePhase, secondsLeft } from '../src/lib/idle.ts';
import { fieldErrors, normalizePath } from '../src/lib/outcome.ts';
import { PATIENT_FIELD_PATHS, patientFromForm, validatePatientForm, EMPTY_PATIENT_FORM } from '../src/lib/patient-form.ts';
import { searchProblems } from '../src/terminology/problems.ts';

describe('fieldErrors: OperationOutcome expressions to form fields', () => {
  const outcome = (issues: [string, string[]][]) => ({
    resourceType: 'OperationOutcome' as const,
    issue: issues.map(([diagnostics, expression]) => ({ severity: 'error' as const, code: 'invalid' as const, diagnostics, expression })),
  });
  it.each([
    [['Patient.birthDate'], 'birthDate'],
    [['Patient.name[0].family'], 'family'],
    [['Patient.name[0].given[1]'], 'given'],
    [['Patient.gender'], 'gender'],
  ])('%j lands on %s', (expression, field) => {
    const r = fieldErrors(outcome([['Value is not valid', expression]]), PATIENT_FIELD_PATHS);
    expect(Object.keys(r.fields)).toEqual([field]);
    expect(r.form).toEqual([]);
  });
  it('keeps what matches no field as a form message, and ignores warnings', () => {
    const o = outcome([['Something about the contact', ['Patient.contact[0]']]]);
    o.issue.push({ severity: 'warning' as never, code: 'invalid', diagnostics: 'just a warning', expression: ['Patient.gender'] });
    expect(fieldErrors(o, PATIENT_FIELD_PATHS)).toEqual({ fields: {}, form: ['Something about the contact'] });
  });
  it('puts date errors in plain words', () => {
    expect(fieldErrors(outcome([['Invalid date "1984-13-45" (dateTime format)', ['Patient.birthDate']]]), PATIENT_FIELD_PATHS).fields.birthDate).toMatch(/real date/);
  });
  it('normalizes indexes away', () => expect(normalizePath('Patient.name[2].given[0]')).toBe('Patient.name.given'));
});

describe('the new-patient form', () => {
  const ok = { ...EMPTY_PATIENT_FORM, family: 'Lovelace', given: 'Ada King', birthDate: '1985-12-10', gender: 'female' };
  it.each([
    [{}, []],
    [{ family: ' ' }, ['family']],
    [{ birthDate: '1985-02-30' }, ['birthDate']],
    [{ birthDate: '10/12/1985' }, ['birthDate']],
    [{ birthDate: '2999-01-01' }, ['birthDate']],
    [{ gender: '' }, ['gender']],
    [{ email: 'ada@' }, ['email']],
    [{ phone: '12' }, ['phone']],
  ])('%j → errors on %j', (change, fields) => {
    expect(Object.keys(validatePatientForm({ ...ok, ...change }, new Date('2026-01-01')))).toEqual(fields);
  });
  it('makes a Patient with the organization and the MRN', () => {
    const p = patientFromForm({ ...ok, mrn: 'A1' }, { reference: 'Organization/o1' }, 'urn:mrn');
    expect(p.name).toEqual([{ use: 'official', family: 'Lovelace', given: ['Ada', 'King'] }]);
    expect(p.managingOrganization).toEqual({ reference: 'Organization/o1' });
    expect(p.identifier?.[0]).toMatchObject({ system: 'urn:mrn', value: 'A1' });
    expect(p.telecom).toBeUndefined();
  });
});

describe('format', () => {
  it.each([
    ['1990-06-15', '2026-06-14', '35 y'],
    ['1990-06-15', '2026-06-15', '36 y'],
    ['2025-10-01', '2026-06-15', '8 mo'],
    ['2026-06-01', '2026-06-15', '14 d'],
  ])('born %s, on %s: %s', (born, today, age) => expect(ageOf(born, new Date(today + 'T12:00'))).toBe(age));
  it('names family first in lists', () => {
    expect(nameOf([{ family: 'Brooks', given: ['Linda', 'Marie'] }], 'list')).toBe('Brooks, Linda Marie');
    expect(nameOf([{ use: 'old', family: 'Old' }, { use: 'official', family: 'New', given: ['A'] }])).toBe('A New');
    expect(nameOf(undefined)).toBe('Unnamed');
  });
});

describe('idle time-out', () => {
  it.each([
    [0, 'active'],
    [12 * 60_000, 'active'],
    [13 * 60_000, 'warning'],
    [15 * 60_000 - 1, 'warning'],
    [15 * 60_000, 'expired'],
  ])('%i ms idle → %s', (ms, phase) => expect(idlePhase(ms)).toBe(phase));
  it('counts down', () => expect(secondsLeft(14 * 60_000)).toBe(60));
});

describe('search bundles', () => {
  it('finds the consent notice (OperationOutcome, code suppressed) and separates includes', () => {
    const r = searchResult(
      {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [
          { resource: { resourceType: 'Appointment', id: 'a', status: 'booked', participant: [] }, search: { mode: 'match' } },
          { resource: { resourceType: 'Patient', id: 'p' }, search: { mode: 'include' } },
          { resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'suppressed' }] }, search: { mode: 'outcome' } },
        ],
      },
      'Appointment',
    );
    expect(r.resources.map((x) => x.id)).toEqual(['a']);
    expect(r.included.map((x) => x.id)).toEqual(['p']);
    expect(r.suppressed).toBe(true);
    expect(searchResult({ resourceType: 'Bundle', type: 'searchset' }, 'Patient').suppressed).toBe(false);
  });
});

describe('FhirClient.searchAll', () => {
  const page = (ids: string[], next?: string) => new Response(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: ids.map((id) => ({ resource: { resourceType: 'Slot', id }, search: { mode: 'match' } })), link: next ? [{ relation: 'next', url: next }] : [] }));
  it('follows next links on the client’s base (a proxy may front another origin), up to a page limit', async () => {
    const urls: string[] = [];
    const pages = [page(['a'], 'http://internal:8080/fhir/R4/Slot?_cursor=2'), page(['b'], 'http://internal:8080/fhir/R4/Slot?_cursor=3'), page(['c'])];
    const client = new FhirClient('http://app.test/fhir/R4', async () => 't', undefined, (async (u: string) => (urls.push(u), pages.shift()!)) as unknown as typeof fetch);
    const all = await client.searchAll('Slot', { schedule: 'Schedule/s' });
    expect(all.resources.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(urls.slice(1)).toEqual(['http://app.test/fhir/R4/Slot?_cursor=2', 'http://app.test/fhir/R4/Slot?_cursor=3']);
    expect(all.next).toBeUndefined();
  });
  it('stops at the limit and says so, and never follows a link off the FHIR base', async () => {
    const client = (next: string) => new FhirClient('http://app.test/fhir/R4', async () => 't', undefined, (async () => page(['a'], next)) as unknown as typeof fetch);
    expect((await client('http://app.test/fhir/R4/Slot?_cursor=9').searchAll('Slot', {}, 2)).next).toBe('http://app.test/fhir/R4/Slot?_cursor=9');
    await expect(client('http://elsewhere.test/steal?x=1').searchAll('Slot', {})).rejects.toThrow(/outside its FHIR base/);
  });
});

describe('appointments', () => {
  it('a week runs Monday to Sunday', () => {
    const days = viewDays(new Date(2026, 11, 2), 'week');
    expect(days.map((d) => d.getDate())).toEqual([30, 1, 2, 3, 4, 5, 6]);
    expect(viewDays(new Date(2026, 11, 6, 15), 'day').map((d) => d.getHours())).toEqual([0]);
  });
  it('searches one practitioner over the days, with the patients', () => {
    const q = appointmentQuery('Practitioner/p1', viewDays(new Date(2026, 11, 2), 'day'));
    expect(q.getAll('date')).toHaveLength(2);
    expect(q.get('practitioner')).toBe('Practitioner/p1');
    expect(q.get('_include')).toBe('Appointment:patient');
  });
  it('books, moves (keeping the length) and cancels', () => {
    const a = bookedAppointment({ patient: 'Patient/x', practitioner: 'Practitioner/p1', date: '2026-12-03', time: '09:30', minutes: 50, kind: 'ROUTINE' });
    expect(a.status).toBe('booked');
    expect(a.participant.map((p) => p.actor?.reference)).toEqual(['Patient/x', 'Practitioner/p1']);
    expect(new Date(a.end!).getTime() - new Date(a.start!).getTime()).toBe(50 * 60_000);
    const m = moved(a, '2026-12-04', '14:00');
    expect(new Date(m.start!).getHours()).toBe(14);
    expect(m.minutesDuration).toBe(50);
    expect(cancelled(a, 'sick')).toMatchObject({ status: 'cancelled', cancelationReason: { text: 'sick' } });
  });
  it.each([['2026-02-30', '09:00'], ['2026-12-03', '25:00'], ['tomorrow', '09:00']])('refuses %s %s', (d, t) => expect(startOf(d, t)).toBeUndefined());
});

describe('problem search', () => {
  it.each([
    ['anxiety', 'F41.1'],
    ['HTN', 'I10'],
    ['F43', 'F43.10'],
    ['type 2 diabetes', 'E11.9'],
  ])('%s finds %s', (q, code) => expect(searchProblems(q).map((p) => p.icd10)).toContain(code));
  it('finds nothing for nonsense', () => expect(searchProblems('zzzz')).toEqual([]));
});

describe('series for charts', () => {
  it('splits blood pressure into its components, oldest first', () => {
    const s = seriesOf([
      { resourceType: 'Observation', status: 'final', code: { coding: [{ code: '85354-9' }] }, effectiveDateTime: '2026-02-01', component: [{ code: { coding: [{ code: '8480-6' }], text: 'Systolic' }, valueQuantity: { value: 120, unit: 'mmHg' } }] },
      { resourceType: 'Observation', status: 'final', code: { coding: [{ code: '85354-9' }] }, effectiveDateTime: '2026-01-01', component: [{ code: { coding: [{ code: '8480-6' }], text: 'Systolic' }, valueQuantity: { value: 130, unit: 'mmHg' } }] },
    ]);
    expect(s).toHaveLength(1);
    expect(s[0].points.map((p) => p.v)).toEqual([130, 120]);
  });
});
