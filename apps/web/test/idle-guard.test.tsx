// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { IdleGuard } from '../src/components/IdleGuard.tsx';
import { fakeFetch, renderSignedIn } from './harness.tsx';

afterEach(cleanup);

// A 3-second limit: the 2-minute warning is due at once.
const LIMIT_MINUTES = 0.05;

describe('IdleGuard: the session time-out warning', () => {
  it('warns with a countdown before the limit, and "Sign out" ends the session', async () => {
    let expired = 0;
    renderSignedIn(<IdleGuard idleMinutes={LIMIT_MINUTES} onExpired={() => expired++} />, fakeFetch([]).fetch);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/signed out in [1-3] seconds/), { timeout: 3000 });
    expect(expired).toBe(0);
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(expired).toBe(1);
  });

  it('signs out by itself at the limit', async () => {
    let expired = 0;
    renderSignedIn(<IdleGuard idleMinutes={LIMIT_MINUTES} onExpired={() => expired++} />, fakeFetch([]).fetch);
    await waitFor(() => expect(expired).toBeGreaterThan(0), { timeout: 6000 });
  });
});
