import type { Repository } from './repository.ts';
import type { PendingWrite } from './write-batch.ts';

/**
 * A domain rule checked on every batch of writes — create, update, patch, delete, conditional ones, the
 * entries of a transaction, import and seed all end in `Repository.commit` — inside the batch's transaction,
 * before anything is stored. `repo` is bound to that transaction and acts for the caller (`repo.access`;
 * `repo.as(undefined)` reads unrestricted), so a rule can query and take advisory locks that hold until
 * commit. A rule refuses by throwing an OperationOutcomeError (nothing of the batch is written); it may return
 * further versions to write in the same batch (a Slot that becomes busy), which replace a version of the same
 * resource already in the batch.
 */
export type WriteRule = (writes: readonly PendingWrite[], repo: Repository) => Promise<PendingWrite[] | void>;

/** Runs the rules in order; each sees the batch as the previous ones left it. */
export async function applyWriteRules(rules: readonly WriteRule[], writes: PendingWrite[], repo: Repository): Promise<PendingWrite[]> {
  let batch = writes;
  for (const rule of rules) {
    const more = await rule(batch, repo);
    if (more && more.length > 0) batch = mergeWrites(batch, more);
  }
  return batch;
}

function mergeWrites(writes: PendingWrite[], more: PendingWrite[]): PendingWrite[] {
  const out = [...writes];
  for (const w of more) {
    const i = out.findIndex((x) => x.resourceType === w.resourceType && x.id === w.id);
    if (i >= 0) out[i] = w;
    else out.push(w);
  }
  return out;
}
