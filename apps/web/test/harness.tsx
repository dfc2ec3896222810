import './setup-dom.ts';
import { MantineProvider } from '@mantine/core';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { AuthClient } from '../src/lib/auth.ts';
import { FhirClient } from '../src/lib/fhir-client.ts';
import { Router } from '../src/lib/router.tsx';
import { SessionProvider } from '../src/lib/session.tsx';
import { memoryStorage, ORIGIN } from './harness-http.ts';

export { bundle, fakeFetch } from './harness-http.ts';

/** Renders `ui` signed in as `fhirUser`, with FHIR requests going to `doFetch`. */
export function renderSignedIn(ui: ReactElement, doFetch: typeof fetch, fhirUser = 'Practitioner/p1') {
  const auth = new AuthClient({ origin: ORIGIN, redirectPath: '/app/callback', storage: memoryStorage(), fetch: doFetch });
  const fhir = new FhirClient(`${ORIGIN}/fhir/R4`, async () => 'test-token', () => undefined, doFetch);
  const tokens = { accessToken: 'test-token', expiresAt: Date.now() + 600_000, scope: 'user/*.cruds', fhirUser, name: 'Dr Test' };
  return render(
    <MantineProvider>
      <Router>
        <SessionProvider value={{ auth, fhir, tokens, signOut: async () => undefined }}>{ui}</SessionProvider>
      </Router>
    </MantineProvider>,
  );
}
