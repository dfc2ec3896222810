import { Alert, Button, Center, Loader } from '@mantine/core';
import { FhirError } from '../lib/fhir-client.ts';

export function PageLoader({ label = 'Loading' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Loader aria-label={label} />
    </Center>
  );
}

/** An error for people: what went wrong and what to do. */
export function ErrorNotice({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const notFound = error instanceof FhirError && (error.status === 404 || error.status === 410);
  return (
    <Alert color="red" title={notFound ? 'Not found' : 'Something went wrong'} role="alert" my="md">
      {notFound ? 'This record does not exist or you may not see it.' : error.message}
      {onRetry && !notFound && (
        <Button size="xs" variant="light" color="red" ml="md" onClick={onRetry}>
          Try again
        </Button>
      )}
    </Alert>
  );
}

export function WithheldNotice({ show }: { show: boolean }) {
  if (!show) return null;
  return (
    <Alert color="yellow" role="status" my="xs" data-testid="withheld-notice">
      Some records are withheld by the patient's consent.
    </Alert>
  );
}
