import type { Resource } from '@medplum/fhirtypes';
import { errors, issue, OperationOutcomeError, operationOutcome, type IssueCode } from '@confide/fhir';
import type { PendingWrite, Repository } from '@confide/store';

/** A domain rule's refusal as the HTTP answer: 409 for a conflict with other data, 422 for the rest. */
export function ruleError(found: { code: IssueCode; expression: string; message: string }): OperationOutcomeError {
  return new OperationOutcomeError(found.code === 'conflict' ? 409 : 422, operationOutcome([issue(found.code, found.message, found.expression)]));
}

/** The version a pending write replaces (undefined for a first version, whose id was never written: no lookup). */
export async function replacedVersion<T extends Resource>(repo: Repository, w: PendingWrite): Promise<T | undefined> {
  if (w.versionId === 1) return undefined;
  return (await currentVersion<T>(repo, w.resourceType, w.id))?.resource;
}

/** The current version of a resource with its version number (undefined: never written, or deleted). */
export async function currentVersion<T extends Resource>(repo: Repository, type: string, id: string): Promise<{ resource: T; versionId: number } | undefined> {
  const r = await repo.readCurrent(type, id);
  return r && !r.deleted && r.json ? { resource: JSON.parse(r.json) as T, versionId: r.versionId } : undefined;
}

/** Transaction-scoped advisory locks, taken in one order (sorted keys) so that two writers cannot deadlock. */
export async function lockKeys(repo: Repository, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await repo.queryable.query('SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) AS k ORDER BY k', [[...new Set(keys)].sort()]);
}

/**
 * A 404 when the version a write replaces is hidden from the caller, before a rule says anything about it (a
 * rule's refusal would reveal that the resource exists and what state it is in). Updates check this before they
 * reach the rules; deletes do not, so a rule that looks at the replaced version asks here.
 */
export async function requireVisible(repo: Repository, w: PendingWrite): Promise<void> {
  const access = repo.access;
  if (!access || w.versionId === 1 || access.unrestricted('read', w.resourceType) || !access.decide('read', w.resourceType).allowed) return;
  if ((await repo.readVisible(w.resourceType, w.id)) === undefined) throw errors.notFound(`${w.resourceType}/${w.id} not found`);
}
