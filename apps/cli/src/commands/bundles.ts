import type { Confide } from '@confide/server';
import { OperationOutcomeError } from '@confide/fhir';

/** Posts one transaction Bundle in-process; throws with the server's own message when it is refused. */
export async function postTransaction(confide: Confide, bundle: unknown): Promise<void> {
  const res = await confide.handle({ method: 'POST', path: '', body: bundle, headers: { prefer: 'return=minimal' } });
  if (res.status >= 400) {
    const outcome = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
    throw new OperationOutcomeError(res.status, outcome);
  }
}
