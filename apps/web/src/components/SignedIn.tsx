import { Alert, Button, Center, Loader, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { AuthClient, type Tokens } from '../lib/auth.ts';
import { FhirClient } from '../lib/fhir-client.ts';
import { SessionProvider, type Session } from '../lib/session.tsx';

type State = { kind: 'starting' } | { kind: 'signing-out' } | { kind: 'signed-in'; tokens: Tokens } | { kind: 'signed-out'; reason: string } | { kind: 'error'; message: string };

/**
 * Gets a session before showing `children`: completes a sign-in at the callback path, resumes one after a
 * reload (refresh token), or sends the browser to the sign-in page.
 */
export function SignedIn({ redirectPath, home, children }: { redirectPath: string; home: string; children: ReactNode }) {
  const auth = useMemo(() => new AuthClient({ origin: window.location.origin, redirectPath }), [redirectPath]);
  const [state, setState] = useState<State>({ kind: 'starting' });

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const url = new URL(window.location.href);
      if (url.pathname === redirectPath) {
        const returnTo = await auth.completeSignIn(url);
        window.history.replaceState(null, '', returnTo.startsWith(home) ? returnTo : home);
        // The router follows history changes it did not make through popstate.
        window.dispatchEvent(new PopStateEvent('popstate'));
      } else if (!(await auth.resume())) {
        await auth.signIn(url.pathname + url.search);
        return;
      }
      if (!cancelled && auth.current) setState({ kind: 'signed-in', tokens: auth.current });
    })().catch((e: unknown) => !cancelled && setState({ kind: 'error', message: e instanceof Error ? e.message : String(e) }));
    const off = auth.onChange((t) => t && setState({ kind: 'signed-in', tokens: t }));
    return () => {
      cancelled = true;
      off();
    };
  }, [auth, redirectPath, home]);

  const endSession = useCallback(
    async (reason: string) => {
      // "Signed out" is said only once the grant is revoked and the sign-in session ended: a reload or a new
      // sign-in before then would find both still alive.
      setState({ kind: 'signing-out' });
      await auth.signOut();
      setState({ kind: 'signed-out', reason });
    },
    [auth],
  );
  const fhir = useMemo(() => new FhirClient(auth.fhirBase, () => auth.accessToken(), () => void endSession('Your session has ended. Please sign in again.')), [auth, endSession]);

  if (state.kind === 'starting' || state.kind === 'signing-out')
    return (
      <Center h="100vh">
        <Loader aria-label={state.kind === 'starting' ? 'Signing in' : 'Signing out'} />
      </Center>
    );
  if (state.kind === 'signed-in') {
    const session: Session = { auth, fhir, tokens: state.tokens, signOut: () => endSession('You have signed out.') };
    return <SessionProvider value={session}>{children}</SessionProvider>;
  }
  return (
    <Center h="100vh">
      <Stack maw={420} align="center">
        <Title order={1} size="h2">
          Confide
        </Title>
        {state.kind === 'error' ? (
          <Alert color="red" title="Sign-in did not work" role="alert">
            {state.message}
          </Alert>
        ) : (
          <Text role="status">{state.reason}</Text>
        )}
        <Button onClick={() => void auth.signIn(home)}>Sign in</Button>
      </Stack>
    </Center>
  );
}
