import { parseSearchRequest } from '@confide/fhir';
import type { Queryable } from '../db/db.ts';
import type { ConditionalMatcher } from '../repository.ts';
import type { StoredResource } from '../stored-resource.ts';
import { executeSearch } from './execute.ts';
import type { RestrictHook } from '../access/access.ts';

/** Conditional create/update/delete find their matches with the same search as `GET [type]?...`. */
export const searchMatcher: ConditionalMatcher = {
  async findMatches(tx: Queryable, resourceType: string, query: URLSearchParams, limit: number, restrict?: RestrictHook): Promise<StoredResource[]> {
    const { request } = parseSearchRequest(resourceType, query, {});
    request.count = limit;
    request.sort = [];
    request.include = [];
    request.revinclude = [];
    request.total = 'none';
    return (await executeSearch(tx, request, { restrict })).matches;
  },
};
