import { randomUUID } from 'node:crypto';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { errors, isResourceType, isValidId } from '@confide/fhir';
import { ident, type Db, type Queryable } from './db/db.ts';
import { fromRow, type ResourceRow, type StoredResource } from './stored-resource.ts';
import { flushWrites, noIndexer, type PendingWrite, type SearchIndexer, type WriteGuard, type WriteLabeler } from './write-batch.ts';
import type { Actor } from '@confide/policy';
import { accessFor, type Access, type RestrictHook } from './access/access.ts';
import { withRetry } from './retry.ts';
import { labelWrites, type LabelOptions } from './consent/labeler.ts';
import { relabelPage, type RelabelPage } from './consent/relabel.ts';
import { SqlParams, statementName } from './search/sql-params.ts';
import { encodeArrayParams } from './db/text-array.ts';
import { applyWriteRules, type WriteRule } from './write-rules.ts';

export type Validator = (resource: unknown) => OperationOutcomeIssue[];

/** Finds the ids of resources matching a FHIR search query; used by conditional interactions. */
export interface ConditionalMatcher {
  findMatches(tx: Queryable, resourceType: string, query: URLSearchParams, limit: number, restrict?: RestrictHook): Promise<StoredResource[]>;
}

export interface RepositoryOptions {
  validate?: Validator;
  indexer?: SearchIndexer;
  matcher?: ConditionalMatcher;
  /** Domain rules run on every batch of writes in its transaction (write-rules.ts). */
  writeRules?: readonly WriteRule[];
  /** Clock, for tests. */
  now?: () => Date;
  /**
   * Security labels at write time (consent/labeler.ts, docs/consent.md): the practice's rules add labels to every
   * version written and a client without the right cannot lower them. Absent: resources are stored as given.
   */
  labels?: LabelOptions;
}

export interface WriteResult {
  resource: StoredResource;
  /** 'created' (201), 'updated' (200), 'unchanged' (conditional create matched: 200), 'deleted' */
  outcome: 'created' | 'updated' | 'existing' | 'deleted' | 'not-found';
  /** For a deletion: the version it replaced (for the audit trail: whose record it was). */
  previous?: StoredResource;
}

const SELECT_COLUMNS = 'id, version_id, last_updated, deleted, content';

/**
 * The FHIR repository: every read and write of resources goes through here. Writes validate, assign
 * versions and timestamps, and commit the history row and the current row together.
 *
 * A Repository is either bound to the database (each write its own transaction) or to one open transaction
 * (see `transaction`), in which case nothing it does opens another.
 */
export class Repository {
  private readonly validate: Validator;
  private readonly indexer: SearchIndexer;
  private readonly matcher: ConditionalMatcher | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    options: RepositoryOptions = {},
    private readonly tx?: Queryable,
    /** The caller's access policy; absent for the server's own work (import, seed, migrations). */
    readonly access?: Access,
  ) {
    this.validate = options.validate ?? (() => []);
    this.indexer = options.indexer ?? noIndexer;
    this.matcher = options.matcher;
    this.now = options.now ?? (() => new Date());
    this.options = options;
  }

  private readonly options: RepositoryOptions;

  get database(): Db {
    return this.db;
  }

  get searchIndexer(): SearchIndexer {
    return this.indexer;
  }

  /**
   * The same repository acting for `actor`: every read, search hook and write from it is decided by the
   * access policy (@confide/policy) and enforced here. `undefined` gives the unrestricted repository.
   */
  as(actor: Actor | undefined): Repository {
    return new Repository(this.db, this.options, this.tx, actor ? accessFor(actor, this.indexer) : undefined);
  }

  /** Runs `fn` with a repository bound to one transaction; all of it commits or none of it does. */
  async transaction<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
    if (this.tx) return fn(this);
    return withRetry(() => this.db.transaction((tx) => fn(new Repository(this.db, this.options, tx, this.access))));
  }

  /** The restrict hook for searches run for this repository's caller (undefined: unrestricted). */
  restrictHook(interaction: 'search' | 'read' = 'search'): RestrictHook | undefined {
    return this.access?.restrict(interaction);
  }

  private get q(): Queryable {
    return this.tx ?? this.db;
  }

  /** The open transaction when bound to one, otherwise the database. */
  get queryable(): Queryable {
    return this.q;
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** The current version, deleted or not; undefined when the id was never used. */
  async readCurrent(resourceType: string, id: string, forUpdate = false): Promise<StoredResource | undefined> {
    checkType(resourceType);
    if (!isValidId(id)) return undefined;
    const lock = forUpdate && this.tx;
    const r = await this.q.query<ResourceRow>(
      `SELECT ${SELECT_COLUMNS} FROM ${ident(resourceType)} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
      `${lock ? 'lock' : 'read'}:${resourceType}`,
    );
    return r.rows[0] ? fromRow(resourceType, r.rows[0]) : undefined;
  }

  /**
   * The current row if the caller may see it (policy restriction in SQL), deleted or not; undefined
   * otherwise. A type the caller may not use at all is a 403.
   */
  async readVisible(resourceType: string, id: string, interaction: 'read' | 'vread' | 'history' = 'read'): Promise<StoredResource | undefined> {
    checkType(resourceType);
    this.access?.require(interaction, resourceType);
    if (!isValidId(id)) return undefined;
    const stmt = readStatement(this.access, resourceType, interaction);
    const r = await this.q.query<ResourceRow>(stmt.sql, [id, ...stmt.values], stmt.name);
    return r.rows[0] ? fromRow(resourceType, r.rows[0]) : undefined;
  }

  /** read: 404 when unknown (or hidden from the caller), 410 when deleted. */
  async read(resourceType: string, id: string): Promise<StoredResource> {
    const r = await this.readVisible(resourceType, id);
    if (!r) throw errors.notFound(`${resourceType}/${id} not found`);
    if (r.deleted) throw errors.gone(`${resourceType}/${id} was deleted`);
    return r;
  }

  /** vread: 404 when the version never existed, 410 when that version is a deletion. */
  async vread(resourceType: string, id: string, versionId: string): Promise<StoredResource> {
    checkType(resourceType);
    const v = Number(versionId);
    if (!isValidId(id) || !/^[1-9][0-9]{0,8}$/.test(versionId)) {
      throw errors.notFound(`${resourceType}/${id}/_history/${versionId} not found`);
    }
    if (resourceType === 'AuditEvent') {
      // Audit records have exactly one version and no history rows (migration 0004).
      const current = v === 1 ? await this.readVisible(resourceType, id, 'vread') : undefined;
      if (!current || current.deleted) throw errors.notFound(`${resourceType}/${id}/_history/${versionId} not found`);
      return current;
    }
    const r = await this.q.query<ResourceRow>(
      `SELECT ${SELECT_COLUMNS} FROM resource_history WHERE resource_type = $1 AND id = $2 AND version_id = $3`,
      [resourceType, id, v],
      'vread',
    );
    const row = r.rows[0];
    if (!row) throw errors.notFound(`${resourceType}/${id}/_history/${versionId} not found`);
    const stored = fromRow(resourceType, row);
    if (this.access) {
      // Both the resource as it is now and the version asked for must be visible: an old version must not
      // show what the current one hides, nor the current one what an old version reveals.
      const current = await this.readVisible(resourceType, id, 'vread');
      if (!current || (await this.access.visibleVersions(this.q, [stored], 'vread')).length === 0) {
        throw errors.notFound(`${resourceType}/${id}/_history/${versionId} not found`);
      }
    }
    if (stored.deleted) throw errors.gone(`${resourceType}/${id}/_history/${versionId} is a deletion`);
    return stored;
  }

  // ---- writes ------------------------------------------------------------------------------------

  /** create, with a server-assigned id; with `ifNoneExist`, a conditional create (R4 http.html#ccreate). */
  async create(resource: unknown, options: { ifNoneExist?: string; id?: string } = {}): Promise<WriteResult> {
    const res = this.checkResource(resource);
    if (options.ifNoneExist !== undefined) {
      const query = new URLSearchParams(options.ifNoneExist);
      return this.transaction(async (repo) => {
        await repo.lockConditional(res.resourceType, query);
        const matches = await repo.findMatches(res.resourceType, query, 2);
        if (matches.length > 1) {
          throw errors.multipleMatches(`If-None-Exist matched ${matches.length} or more ${res.resourceType} resources`);
        }
        if (matches.length === 1) return { resource: matches[0], outcome: 'existing' as const };
        return repo.create(res, { id: options.id });
      });
    }
    const write = this.prepare(res, options.id ?? randomUUID(), 1, 'create');
    await this.commit([write]);
    return { resource: toStored(write), outcome: 'created' };
  }

  /**
   * update (R4 http.html#update): `ifMatch` is the version the client last saw (412 when stale). An unknown
   * id creates the resource with that id (update-as-create).
   */
  async update(resourceType: string, id: string, resource: unknown, options: { ifMatch?: string; interaction?: 'update' | 'patch' } = {}): Promise<WriteResult> {
    checkType(resourceType);
    const res = this.checkResource(resource);
    if (res.resourceType !== resourceType) {
      throw errors.badRequest(`resourceType ${res.resourceType} does not match the URL (${resourceType})`, 'resourceType');
    }
    if (res.id === undefined) throw errors.badRequest('The resource must have an id to update', `${resourceType}.id`);
    if (res.id !== id) throw errors.badRequest(`The resource id ${res.id} does not match the URL id ${id}`, `${resourceType}.id`);
    if (!isValidId(id)) throw errors.badRequest(`Invalid id: ${id}`, `${resourceType}.id`);
    return this.transaction(async (repo) => {
      await repo.lockResource(resourceType, id);
      const current = await repo.readCurrent(resourceType, id, true);
      if (current && !current.deleted && (await repo.hiddenFromCaller(resourceType, id))) throw errors.notFound(`${resourceType}/${id} not found`);
      checkIfMatch(options.ifMatch, current);
      const write = repo.prepare(res, id, (current?.versionId ?? 0) + 1, options.interaction ?? 'update');
      await repo.commit([write]);
      return { resource: toStored(write), outcome: current && !current.deleted ? 'updated' : 'created' };
    });
  }

  /**
   * Many updates in one go (transaction Bundles): one lock statement, one read of the current versions per
   * type, one batched write. Same checks and results as `update` for each.
   */
  async updateMany(items: { resourceType: string; id: string; resource: unknown; ifMatch?: string }[]): Promise<WriteResult[]> {
    const resources = items.map((it) => {
      checkType(it.resourceType);
      const res = this.checkResource(it.resource);
      if (res.resourceType !== it.resourceType) {
        throw errors.badRequest(`resourceType ${res.resourceType} does not match the URL (${it.resourceType})`, 'resourceType');
      }
      if (res.id !== it.id) throw errors.badRequest(`The resource id ${String(res.id)} does not match the URL id ${it.id}`, `${it.resourceType}.id`);
      if (!isValidId(it.id)) throw errors.badRequest(`Invalid id: ${it.id}`, `${it.resourceType}.id`);
      return res;
    });
    return this.transaction(async (repo) => {
      const keys = [...new Set(items.map((it) => `${it.resourceType}/${it.id}`))].sort();
      if (keys.length !== items.length) throw errors.badRequest('The same resource appears more than once');
      await repo.q.query('SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) AS k ORDER BY k', [keys]);
      const current = new Map<string, StoredResource>();
      const byType = new Map<string, string[]>();
      for (const it of items) byType.set(it.resourceType, [...(byType.get(it.resourceType) ?? []), it.id]);
      for (const [type, ids] of byType) {
        const r = await repo.q.query<ResourceRow>(`SELECT ${SELECT_COLUMNS} FROM ${ident(type)} WHERE id = ANY($1::text[]) FOR UPDATE`, [ids]);
        for (const row of r.rows) current.set(`${type}/${row.id}`, fromRow(type, row));
      }
      const writes: PendingWrite[] = [];
      const results: WriteResult[] = [];
      for (const it of items) {
        const cur = current.get(`${it.resourceType}/${it.id}`);
        if (cur && !cur.deleted && (await repo.hiddenFromCaller(it.resourceType, it.id))) throw errors.notFound(`${it.resourceType}/${it.id} not found`);
      }
      items.forEach((it, i) => {
        const cur = current.get(`${it.resourceType}/${it.id}`);
        checkIfMatch(it.ifMatch, cur);
        const w = repo.prepare(resources[i], it.id, (cur?.versionId ?? 0) + 1, 'update');
        writes.push(w);
        results.push({ resource: toStored(w), outcome: cur && !cur.deleted ? 'updated' : 'created' });
      });
      await repo.commit(writes);
      return results;
    });
  }

  /** conditional update (R4 http.html#cond-update). */
  async conditionalUpdate(resourceType: string, query: URLSearchParams, resource: unknown): Promise<WriteResult> {
    checkType(resourceType);
    const res = this.checkResource(resource);
    return this.transaction(async (repo) => {
      await repo.lockConditional(resourceType, query);
      const matches = await repo.findMatches(resourceType, query, 2);
      if (matches.length > 1) throw errors.multipleMatches(`The condition matched more than one ${resourceType}`);
      if (matches.length === 1) {
        const id = matches[0].id;
        if (res.id !== undefined && res.id !== id) {
          throw errors.badRequest(`The resource id ${res.id} does not match the matched resource ${id}`, `${resourceType}.id`);
        }
        return repo.update(resourceType, id, { ...res, id });
      }
      if (res.id !== undefined) return repo.update(resourceType, res.id, res);
      return repo.create(res);
    });
  }

  /** delete (R4 http.html#delete): deleting a deleted or unknown resource succeeds and changes nothing. */
  async delete(resourceType: string, id: string): Promise<WriteResult> {
    checkType(resourceType);
    this.access?.require('delete', resourceType);
    return this.transaction(async (repo) => {
      await repo.lockResource(resourceType, id);
      const current = await repo.readCurrent(resourceType, id, true);
      if (!current) return { resource: missing(resourceType, id), outcome: 'not-found' as const };
      if (current.deleted) return { resource: current, outcome: 'deleted' as const };
      const write: PendingWrite = {
        resourceType,
        id,
        versionId: current.versionId + 1,
        lastUpdated: repo.now().toISOString(),
        deleted: true,
        json: null,
      };
      await repo.commit([write]);
      return { resource: toStored(write), outcome: 'deleted' as const, previous: current };
    });
  }

  /** conditional delete: this server deletes every match (R4 http.html#cdelete allows single or multiple). */
  async conditionalDelete(resourceType: string, query: URLSearchParams, max = 100): Promise<WriteResult[]> {
    checkType(resourceType);
    return this.transaction(async (repo) => {
      await repo.lockConditional(resourceType, query);
      const matches = await repo.findMatches(resourceType, query, max + 1);
      if (matches.length > max) throw errors.multipleMatches(`The condition matched more than ${max} resources`);
      const out: WriteResult[] = [];
      for (const m of matches) out.push(await repo.delete(resourceType, m.id));
      return out;
    });
  }

  /**
   * Relabels one page of a type's current versions (ids after `afterId`) with the write path's labeler, writing
   * a new version only where the labels change (consent/relabel.ts; `confide relabel`). The server's own work:
   * refused on a repository acting for a caller. Without label options nothing is labelled: 0 changed.
   */
  async relabel(resourceType: string, afterId: string, limit: number, dryRun: boolean): Promise<RelabelPage> {
    checkType(resourceType);
    if (this.access) throw errors.forbidden('Relabelling is the server\'s own work');
    const labels = this.options.labels;
    if (!labels) return { scanned: 0, changed: 0, lastId: undefined };
    return this.transaction((repo) => relabelPage(repo, labels, resourceType, afterId, limit, dryRun));
  }

  /** Writes a set of already prepared versions (used by bundle processing). */
  async commit(writes: PendingWrite[]): Promise<void> {
    const rules = this.options.writeRules ?? [];
    if (rules.length > 0) {
      // Write rules may query and lock: they run in the write's transaction, so open one for them.
      if (!this.tx) return this.transaction((repo) => repo.commit(writes));
      // A caller who may not write a type at all is refused before any rule looks at data for it.
      for (const w of writes) this.access?.require(w.deleted ? 'delete' : (w.interaction ?? 'update'), w.resourceType);
      writes = await applyWriteRules(rules, writes, this);
    }
    const access = this.access;
    const guard: WriteGuard | undefined = access ? (tx, w, after) => access.checkWrites(tx, w, after) : undefined;
    const labels = this.options.labels;
    const labeler: WriteLabeler | undefined = labels ? (tx, rows) => labelWrites(tx, rows, access?.actor, labels) : undefined;
    if (this.tx) {
      await flushWrites(this.tx, writes, this.indexer, guard, labeler);
    } else {
      await withRetry(() => this.db.transaction((tx) => flushWrites(tx, writes, this.indexer, guard, labeler)));
    }
  }

  /**
   * Validates a resource and turns it into the version to write: server id, versionId and lastUpdated in
   * meta, keys in a readable order, JSON text made once.
   */
  prepare(resource: Resource, id: string, versionId: number, interaction?: PendingWrite['interaction']): PendingWrite {
    const issues = this.validate(resource);
    if (issues.length > 0) throw errors.invalid(issues);
    if (resource.resourceType === 'AuditEvent') {
      // The audit trail is append-only and hash-chained (migration 0004): only the AuditLog writes it.
      throw errors.forbidden('AuditEvents are append-only: POST them on their own to AuditEvent; they cannot be updated or written in a transaction');
    }
    const lastUpdated = this.now().toISOString();
    const { resourceType, id: _ignored, meta, ...rest } = resource as Resource & Record<string, unknown>;
    const stored = {
      resourceType,
      id,
      meta: { ...meta, versionId: String(versionId), lastUpdated },
      ...rest,
    } as unknown as Resource;
    return {
      resourceType,
      id,
      versionId,
      lastUpdated,
      deleted: false,
      json: JSON.stringify(stored),
      resource: stored,
      interaction: interaction ?? (versionId === 1 ? 'create' : 'update'),
    };
  }

  /**
   * Whether an existing resource is outside what the caller may read, so that a write to it must answer 404
   * before anything else (an If-Match 412 would reveal that it exists). A caller who may not read the type at
   * all is left to the write check.
   */
  private async hiddenFromCaller(resourceType: string, id: string): Promise<boolean> {
    if (!this.access || this.access.unrestricted('read', resourceType)) return false;
    if (!this.access.decide('read', resourceType).allowed) return false;
    return (await this.readVisible(resourceType, id)) === undefined;
  }

  /** Conditional interactions (R4 http.html#ccreate etc.) take their matches from search. */
  async findMatches(resourceType: string, query: URLSearchParams, limit: number): Promise<StoredResource[]> {
    if (!this.matcher) throw errors.notSupported('Conditional interactions need search, which is not configured');
    return this.matcher.findMatches(this.q, resourceType, query, limit, this.access?.restrict('search'));
  }

  /**
   * Serializes conditional interactions with the same criteria, so that two concurrent conditional creates
   * cannot both see "no match" and both create. Held until the transaction ends.
   */
  private async lockConditional(resourceType: string, query: URLSearchParams): Promise<void> {
    const key = resourceType + '?' + [...query.entries()].map(([k, v]) => `${k}=${v}`).sort().join('&');
    await this.q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  }

  /** Serializes writes to one resource id, including its creation (the row may not exist yet). */
  private async lockResource(resourceType: string, id: string): Promise<void> {
    await this.q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [resourceType + '/' + id]);
  }

  private checkResource(resource: unknown): Resource {
    if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
      throw errors.badRequest('The body must be a FHIR resource (a JSON object)');
    }
    const type = (resource as { resourceType?: unknown }).resourceType;
    if (typeof type !== 'string') throw errors.badRequest('The resource has no resourceType', 'resourceType');
    if (!isResourceType(type)) throw errors.badRequest(`Unknown resourceType: ${type}`, 'resourceType');
    return resource as Resource;
  }
}

interface ReadStatement {
  sql: string;
  /** Bind values after the id ($2…): the restriction's, the same on every read by this caller. */
  values: unknown[];
  name: string | undefined;
}

const unrestrictedReads = new Map<string, ReadStatement>();
const accessReads = new WeakMap<Access, Map<string, ReadStatement>>();

/**
 * The read-by-id statement of a type under a caller's restriction: built once per caller (the Access lives
 * as long as its token) and type, so a read costs no SQL assembly — only its id changes.
 */
function readStatement(access: Access | undefined, resourceType: string, interaction: 'read' | 'vread' | 'history'): ReadStatement {
  const key = `${interaction} ${resourceType}`;
  let cache = access ? accessReads.get(access) : unrestrictedReads;
  if (!cache) accessReads.set(access as Access, (cache = new Map()));
  let stmt = cache.get(key);
  if (!stmt) {
    const params = new SqlParams();
    const where = [`id = ${params.add(null)}`];
    const restriction = access?.restrict(interaction)(resourceType, 't', params);
    if (restriction) where.push(restriction);
    const sql = `SELECT ${SELECT_COLUMNS}, compartments FROM ${ident(resourceType)} t WHERE ${where.join(' AND ')}`;
    stmt = { sql, values: encodeArrayParams(params.values.slice(1)), name: statementName(sql) };
    cache.set(key, stmt);
  }
  return stmt;
}

function checkType(resourceType: string): void {
  if (!isResourceType(resourceType)) throw errors.notFound(`Unknown resource type: ${resourceType}`);
}

function checkIfMatch(ifMatch: string | undefined, current: StoredResource | undefined): void {
  if (ifMatch === undefined) return;
  const m = /^(?:W\/)?"?([^"]*)"?$/.exec(ifMatch.trim());
  const wanted = m ? m[1] : ifMatch;
  if (!current || current.deleted) {
    throw errors.preconditionFailed(`If-Match: the resource does not exist (wanted version ${wanted})`);
  }
  if (String(current.versionId) !== wanted) {
    throw errors.preconditionFailed(`If-Match: version ${wanted} is not the current version (${current.versionId})`);
  }
}

function toStored(w: PendingWrite): StoredResource {
  return { resourceType: w.resourceType, id: w.id, versionId: w.versionId, lastUpdated: w.lastUpdated, deleted: w.deleted, json: w.json };
}

function missing(resourceType: string, id: string): StoredResource {
  return { resourceType, id, versionId: 0, lastUpdated: new Date(0).toISOString(), deleted: true, json: null };
}
