import { useState } from 'react';
import { staleAfter, writeErrorMessage } from './write-errors.ts';

/** One write of a schedule dialog: busy while it runs, the error in words after, and a refresh when the view is stale. */
export function useWrite<T>(onDone: (result: T) => void, onStale: () => void) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (write: () => Promise<T>) => {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await write());
    } catch (err) {
      setError(writeErrorMessage(err));
      if (staleAfter(err)) onStale();
    } finally {
      setBusy(false);
    }
  };
  return { error, setError, busy, run };
}
