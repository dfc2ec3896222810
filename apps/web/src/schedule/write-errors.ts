import { FhirError } from '../lib/fhir-client.ts';

/**
 * A failed booking, move or cancellation in words a person can act on. 409 is the scheduling rules' conflict
 * (docs/scheduling.md: the time overlaps another appointment of the clinician, or the Slot is blocked); 412 is
 * If-Match failing (R4 http.html#concurrency: someone changed the appointment since it was read).
 */
export function writeErrorMessage(err: unknown): string {
  if (err instanceof FhirError && err.status === 409) {
    return 'That time is no longer free: another appointment of this clinician overlaps it, or the slot is blocked. The schedule has been refreshed; choose another slot.';
  }
  if (err instanceof FhirError && err.status === 412) return 'Someone else changed this appointment since you opened it. The schedule has been refreshed; open it again.';
  return err instanceof Error ? err.message : String(err);
}

/** Whether the schedule on screen is stale after this error (reload it). */
export function staleAfter(err: unknown): boolean {
  return err instanceof FhirError && (err.status === 409 || err.status === 412);
}
