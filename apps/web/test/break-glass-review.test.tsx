// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { BreakGlassNavLink } from '../src/components/BreakGlassNavLink.tsx';
import BreakGlassReviewPage from '../src/pages/BreakGlassReviewPage.tsx';
import { fakeFetch, renderSignedIn } from './harness.tsx';

afterEach(cleanup);

const grant = (id: string, user: string, reason: string, review: unknown = null) => ({
  id,
  user,
  practitioner: `Practitioner/${user}`,
  patient: 'Patient/p1',
  reason,
  started: '2026-12-01T14:00:00.000Z',
  expires: '2026-12-01T15:00:00.000Z',
  review,
});

describe('BreakGlassNavLink', () => {
  it('shows a privacy officer the count of unreviewed grants', async () => {
    const http = fakeFetch([[/GET .*\/api\/break-glass\/summary$/, () => ({ body: { reviewer: true, unreviewed: 3 } })]]);
    renderSignedIn(<BreakGlassNavLink active={false} path="/" />, http.fetch);
    const link = await screen.findByRole('link', { name: /Break-the-glass review/ });
    expect(link.getAttribute('href')).toBe('/break-glass');
    expect(within(link).getByTestId('btg-unreviewed').textContent).toBe('3');
    expect(http.calls[0].url).toBe('http://confide.test/api/break-glass/summary');
    expect(http.calls[0].headers.authorization).toBe('Bearer test-token');
  });

  it('is absent for anyone who does not review', async () => {
    const http = fakeFetch([[/GET .*\/api\/break-glass\/summary$/, () => ({ body: { reviewer: false } })]]);
    renderSignedIn(<BreakGlassNavLink active={false} path="/" />, http.fetch);
    await waitFor(() => expect(http.calls).toHaveLength(1));
    expect(screen.queryByRole('link', { name: /Break-the-glass/ })).toBeNull();
  });
});

describe('BreakGlassReviewPage', () => {
  it('lists grants with their reasons and records a review; the server says what is missing', async () => {
    let posted: unknown;
    const http = fakeFetch([
      [/GET .*\/api\/break-glass\?status=unreviewed&count=20$/, () => ({ body: { grants: [grant('g1', 'schen', 'unresponsive, suspected overdose')], unreviewed: 1 } })],
      [
        /POST .*\/api\/break-glass\/g1\/review$/,
        (c) => {
          const body = c.body as { outcome: string; comment?: string };
          if (body.outcome !== 'appropriate' && !body.comment) {
            return { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text: 'A inappropriate review needs a comment' }, expression: ['comment'] }] } };
          }
          posted = c.body;
          return { body: grant('g1', 'schen', 'unresponsive, suspected overdose', { ...body, reviewer: 'gliu', reviewed: '2026-12-02T09:00:00.000Z' }) };
        },
      ],
    ]);
    renderSignedIn(<BreakGlassReviewPage />, http.fetch);
    const card = await screen.findByRole('article', { name: 'Emergency access by schen' });
    expect(card.textContent).toContain('unresponsive, suspected overdose');
    expect(card.textContent).toContain('Patient/p1');
    expect(screen.getByText('1 unreviewed')).toBeTruthy();

    // Mantine's dropdown is still in its opening transition in happy-dom, hence `hidden: true` for its options.
    fireEvent.click(within(card).getByLabelText('Outcome'));
    fireEvent.click(await screen.findByRole('option', { name: 'Inappropriate', hidden: true }, { timeout: 2000 }));
    fireEvent.click(within(card).getByRole('button', { name: 'Record review' }));
    expect((await within(card).findByRole('alert')).textContent).toContain('needs a comment');

    fireEvent.change(within(card).getByRole('textbox', { name: /Comment/ }), { target: { value: 'no emergency documented' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Record review' }));
    await waitFor(() => expect(within(card).getByTestId('review').textContent).toContain('Inappropriate'));
    expect(posted).toEqual({ outcome: 'inappropriate', comment: 'no emergency documented' });
    expect(http.calls.find((c) => c.method === 'POST')?.headers['content-type']).toBe('application/json');
    expect(within(card).getByTestId('review').textContent).toContain('gliu');
  });

  it('shows all grants when asked, and says so when there are none', async () => {
    const http = fakeFetch([
      [/status=unreviewed/, () => ({ body: { grants: [], unreviewed: 0 } })],
      [/status=all/, () => ({ body: { grants: [grant('g2', 'mbell', 'overdose', { outcome: 'appropriate', reviewer: 'gliu', reviewed: '2026-12-02T09:00:00.000Z' })], unreviewed: 0 } })],
    ]);
    renderSignedIn(<BreakGlassReviewPage />, http.fetch);
    expect(await screen.findByText('No emergency access to review.')).toBeTruthy();
    fireEvent.click(screen.getByText('All'));
    const card = await screen.findByRole('article', { name: 'Emergency access by mbell' });
    expect(within(card).getByTestId('review').textContent).toContain('Appropriate');
    expect(within(card).getByRole('button', { name: 'Revise review' })).toBeTruthy();
  });
});
