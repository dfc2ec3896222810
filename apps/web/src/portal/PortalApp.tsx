import { Button, Container, Group, MantineProvider, Text, Title } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { SignedIn } from '../components/SignedIn.tsx';
import { nameOf } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { theme } from '../theme.ts';

/** The patient portal (a later issue): for now it signs the patient in and greets them by name. */
export function PortalApp() {
  return (
    <MantineProvider theme={theme}>
      <SignedIn redirectPath="/portal/callback" home="/portal/">
        <Welcome />
      </SignedIn>
    </MantineProvider>
  );
}

function Welcome() {
  const { fhir, tokens, signOut } = useSession();
  const ref = tokens.fhirUser;
  const patient = useAsync(() => (ref?.startsWith('Patient/') ? fhir.read<Patient>('Patient', ref.slice(8)) : Promise.resolve(undefined)), [ref]);
  return (
    <Container size="sm" py="xl">
      <Group justify="space-between" mb="lg">
        <Title order={1}>Confide patient portal</Title>
        <Button variant="default" onClick={() => void signOut()}>
          Sign out
        </Button>
      </Group>
      <Text size="lg">{patient.data ? `Welcome, ${nameOf(patient.data.name)}.` : patient.loading ? 'Loading…' : 'Welcome.'}</Text>
    </Container>
  );
}
