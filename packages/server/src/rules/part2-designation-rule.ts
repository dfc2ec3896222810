import { isDesignatedPart2Program } from '@confide/policy';
import { requestRelabel, type WriteRule } from '@confide/store';
import { replacedVersion } from './rule-support.ts';

/**
 * An Organization that becomes a designated 42 CFR Part 2 program (docs/consent.md "Relabelling stored records"):
 * whatever the write path (update, patch, transaction, import), a "relabel needed" request for the program is
 * stored in the designation's own transaction, and `onRequested` (the server's relabel runner) is told, so the
 * program's older records are relabelled in the background once the designation commits.
 *
 * Not for a new Organization (its records come after it) nor for ending a designation: labels are never lowered
 * by the rules, so a run would change nothing (docs/consent.md says why the records stay Part 2 records).
 */
export function part2DesignationRule(onRequested: () => void): WriteRule {
  return async (writes, repo) => {
    for (const w of writes) {
      if (w.resourceType !== 'Organization' || w.deleted || !isDesignatedPart2Program(w.resource)) continue;
      const before = await replacedVersion(repo, w);
      if (!before || isDesignatedPart2Program(before)) continue;
      await requestRelabel(repo.queryable, `Organization/${w.id}`);
      onRequested();
    }
  };
}
