// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { AllergyIntolerance, Observation } from '@medplum/fhirtypes';
import { afterEach, describe, expect, it } from 'vitest';
import { AllergiesSection } from '../src/chart/AllergiesSection.tsx';
import { RecentMeasurements } from '../src/chart/RecentMeasurements.tsx';
import { fakeFetch, renderSignedIn } from './harness.tsx';

afterEach(cleanup);

const penicillin: AllergyIntolerance = {
  resourceType: 'AllergyIntolerance',
  id: 'a1',
  meta: { versionId: '2' },
  patient: { reference: 'Patient/p1' },
  code: { text: 'Penicillin' },
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
  verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
};

function echoPut() {
  return fakeFetch([[/PUT /, (c) => ({ body: { ...(c.body as object), meta: { versionId: '3' } } })]]);
}

describe('AllergiesSection', () => {
  it('changes an allergy’s clinical status with If-Match', async () => {
    const http = echoPut();
    let changed = 0;
    renderSignedIn(<AllergiesSection patientId="p1" allergies={[penicillin]} onChange={() => changed++} />, http.fetch);
    fireEvent.click(screen.getAllByLabelText('Status of Penicillin').find((e) => e.tagName === 'INPUT' && (e as HTMLInputElement).type !== 'hidden')!);
    fireEvent.click(await screen.findByRole('option', { name: 'resolved', hidden: true }, { timeout: 2000 }));
    await waitFor(() => expect(changed).toBe(1));
    const put = http.calls.find((c) => c.method === 'PUT')!;
    expect(put.url).toMatch(/\/AllergyIntolerance\/a1$/);
    expect(put.headers['if-match']).toBe('W/"2"');
    expect((put.body as AllergyIntolerance).clinicalStatus?.coding?.[0]?.code).toBe('resolved');
  });

  it('marks an allergy entered in error and then shows it as such, with no status to change', async () => {
    const http = echoPut();
    let changed = 0;
    renderSignedIn(<AllergiesSection patientId="p1" allergies={[penicillin]} onChange={() => changed++} />, http.fetch);
    fireEvent.click(screen.getByRole('button', { name: 'Mark Penicillin entered in error' }));
    await waitFor(() => expect(changed).toBe(1));
    const body = http.calls.find((c) => c.method === 'PUT')!.body as AllergyIntolerance;
    expect(body.clinicalStatus).toBeUndefined();
    expect(body.verificationStatus?.coding?.[0]?.code).toBe('entered-in-error');
    cleanup();
    renderSignedIn(<AllergiesSection patientId="p1" allergies={[body]} onChange={() => undefined} />, http.fetch);
    const table = screen.getByRole('table', { name: 'Allergies' });
    expect(within(table).getByText('Entered in error')).toBeTruthy();
    expect(screen.queryAllByLabelText('Status of Penicillin')).toHaveLength(0);
  });

  it('shows the server’s refusal instead of pretending it worked', async () => {
    const http = fakeFetch([[/PUT /, () => ({ status: 412, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics: 'Version conflict' }] } })]]);
    let changed = 0;
    renderSignedIn(<AllergiesSection patientId="p1" allergies={[penicillin]} onChange={() => changed++} />, http.fetch);
    fireEvent.click(screen.getByRole('button', { name: 'Mark Penicillin entered in error' }));
    expect(await screen.findByText(/conflict/i)).toBeTruthy();
    expect(changed).toBe(0);
  });
});

const weight: Observation = {
  resourceType: 'Observation',
  id: 'w1',
  meta: { versionId: '1' },
  status: 'final',
  code: { text: 'Body weight' },
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2026-11-01T10:00:00Z',
  valueQuantity: { value: 812, unit: 'kg' },
};

describe('RecentMeasurements', () => {
  it('corrects a mistyped weight: same Observation, amended, with If-Match', async () => {
    const http = echoPut();
    let changed = 0;
    renderSignedIn(<RecentMeasurements observations={[weight]} onChange={() => changed++} />, http.fetch);
    fireEvent.click(screen.getByRole('button', { name: /^Correct Body weight/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Correct a measurement' });
    const input = within(dialog).getByLabelText('Body weight (kg)');
    fireEvent.change(input, { target: { value: '' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save correction' }));
    expect(await within(dialog).findByText('Enter a number in every field.')).toBeTruthy();
    expect(http.calls).toHaveLength(0);
    fireEvent.change(input, { target: { value: '81.2' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save correction' }));
    await waitFor(() => expect(changed).toBe(1));
    const put = http.calls[0];
    expect(put.method).toBe('PUT');
    expect(put.headers['if-match']).toBe('W/"1"');
    expect(put.body).toMatchObject({ id: 'w1', status: 'amended', valueQuantity: { value: 81.2, unit: 'kg' } });
  });

  it('leaves out measurements entered in error and can mark one', async () => {
    const http = echoPut();
    let changed = 0;
    const other = { ...weight, id: 'w0', status: 'entered-in-error' as const, effectiveDateTime: '2026-10-01T10:00:00Z' };
    renderSignedIn(<RecentMeasurements observations={[weight, other]} onChange={() => changed++} />, http.fetch);
    const rows = within(screen.getByRole('table', { name: 'Recent measurements' })).getAllByRole('row');
    expect(rows).toHaveLength(2); // the header and w1
    fireEvent.click(screen.getByRole('button', { name: /^Mark Body weight of .* entered in error$/ }));
    await waitFor(() => expect(changed).toBe(1));
    expect(http.calls[0].body).toMatchObject({ id: 'w1', status: 'entered-in-error' });
  });
});
