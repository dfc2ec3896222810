// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Patient } from '@medplum/fhirtypes';
import { afterEach, describe, expect, it } from 'vitest';
import { CreatePatientModal } from '../src/components/CreatePatientModal.tsx';
import { PatientBanner } from '../src/components/PatientBanner.tsx';
import { TrendChart } from '../src/components/TrendChart.tsx';
import { PatientsPage } from '../src/pages/PatientsPage.tsx';
import { bundle, fakeFetch, renderSignedIn } from './harness.tsx';

afterEach(cleanup);

const linda: Patient = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Brooks', given: ['Linda'] }], birthDate: '1968-04-13', gender: 'female', identifier: [{ type: { coding: [{ code: 'MR' }] }, value: '2003039' }] };

describe('PatientBanner', () => {
  it('shows who the patient is, active allergies, Part 2 and the consent notice', () => {
    renderSignedIn(
      <PatientBanner
        patient={linda}
        allergies={[
          { resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/p1' }, code: { text: 'Penicillin' }, clinicalStatus: { coding: [{ code: 'active' }] } },
          { resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/p1' }, code: { text: 'Latex' }, clinicalStatus: { coding: [{ code: 'resolved' }] } },
        ]}
        labels={new Set(['42CFRPart2'])}
        withheld
      />,
      fakeFetch([]).fetch,
    );
    const banner = screen.getByRole('region', { name: 'Patient banner' });
    expect(within(banner).getByRole('heading').textContent).toBe('Linda Brooks');
    expect(banner.textContent).toContain('Female');
    expect(banner.textContent).toContain('MR 2003039');
    expect(banner.textContent).toContain('Penicillin');
    expect(banner.textContent).not.toContain('Latex');
    expect(within(banner).getByText('Part 2 records present')).toBeTruthy();
    expect(within(banner).getByText('Some records withheld by consent')).toBeTruthy();
  });
  it('shows no flags when there are none', () => {
    renderSignedIn(<PatientBanner patient={linda} allergies={[]} labels={new Set()} withheld={false} />, fakeFetch([]).fetch);
    expect(screen.queryByText('Part 2 records present')).toBeNull();
    expect(screen.queryByText(/withheld/)).toBeNull();
    expect(screen.getByText('none recorded')).toBeTruthy();
  });
});

describe('PatientsPage', () => {
  it('searches by name, lists matches, and says when consent withheld some', async () => {
    const http = fakeFetch([
      [/GET .*\/Patient\?/, () => ({ body: bundle([linda], [{ resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'suppressed' }] }, search: { mode: 'outcome' } }]) })],
    ]);
    renderSignedIn(<PatientsPage />, http.fetch);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'brooks' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(screen.getByRole('link', { name: 'Brooks, Linda' })).toBeTruthy());
    expect(screen.getByTestId('withheld-notice')).toBeTruthy();
    const last = new URL(http.calls[http.calls.length - 1].url);
    expect(last.searchParams.get('name')).toBe('brooks');
    expect(http.calls[0].headers.authorization).toBe('Bearer test-token');
  });
});

describe('CreatePatientModal', () => {
  it('says in plain words what to fix before asking the server', async () => {
    const http = fakeFetch([]);
    renderSignedIn(<CreatePatientModal opened onClose={() => undefined} onCreated={() => undefined} />, http.fetch);
    fireEvent.click(await screen.findByRole('button', { name: 'Create patient' }));
    expect(await screen.findByText('Enter the family (last) name.')).toBeTruthy();
    expect(screen.getByText('Enter the birth date.')).toBeTruthy();
    expect(http.calls).toHaveLength(0);
  });

  it("puts the server's OperationOutcome on the field its expression names", async () => {
    const http = fakeFetch([
      [/GET .*\/PractitionerRole\?/, () => ({ body: bundle([{ resourceType: 'PractitionerRole', organization: { reference: 'Organization/o1' } }]) })],
      [
        /POST .*\/Patient$/,
        () => ({
          status: 400,
          body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Identifier value too long', expression: ['Patient.identifier[0].value'] }] },
        }),
      ],
    ]);
    renderSignedIn(<CreatePatientModal opened onClose={() => undefined} onCreated={() => undefined} />, http.fetch);
    fireEvent.change(await screen.findByLabelText(/Family name/), { target: { value: 'Lovelace' } });
    fireEvent.change(screen.getByLabelText(/Given name/), { target: { value: 'Ada' } });
    fireEvent.change(screen.getByLabelText(/Birth date/), { target: { value: '1985-12-10' } });
    fireEvent.change(screen.getByLabelText(/Medical record number/), { target: { value: 'X'.repeat(10) } });
    fireEvent.change(screen.getByLabelText(/Sex/), { target: { value: 'female' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create patient' }));
    await waitFor(() => expect(screen.getByText('Identifier value too long')).toBeTruthy());
    const mrn = screen.getByLabelText(/Medical record number/);
    expect(mrn.getAttribute('aria-invalid')).toBe('true');
    const post = http.calls.find((c) => c.method === 'POST')!;
    expect(post.body).toMatchObject({ resourceType: 'Patient', gender: 'female', managingOrganization: { reference: 'Organization/o1' } });
  });
});

describe('TrendChart', () => {
  it('is an image with a text alternative, and its numbers are in a table', () => {
    renderSignedIn(
      <TrendChart
        series={{
          key: 'hr',
          label: 'Heart rate',
          unit: '/min',
          points: [
            { t: 1, v: 70, date: '2026-01-01' },
            { t: 2, v: 80, date: '2026-02-01' },
          ],
        }}
      />,
      fakeFetch([]).fetch,
    );
    expect(screen.getByRole('img', { name: /Heart rate: 2 values from Jan 1, 2026 to Feb 1, 2026/ })).toBeTruthy();
    expect(screen.getByRole('table').textContent).toContain('80 /min');
  });
});
