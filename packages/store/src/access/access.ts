import type { Resource } from '@medplum/fhirtypes';
import { errors } from '@confide/fhir';
import {
  checkDelete,
  checkRead,
  checkWrite,
  decide,
  denialError,
  NONE,
  segmentationFor,
  segmentedType,
  versionVisible,
  type Actor,
  type Segmentation,
  type Decision,
  type Interaction,
  type Restriction,
  type RestrictionContext,
} from '@confide/policy';
import { ident, type Queryable } from '../db/db.ts';
import { resolveOrganizations, type OrganizationRow } from '../organizations.ts';
import { SqlParams } from '../search/sql-params.ts';
import type { StoredResource } from '../stored-resource.ts';
import type { PendingWrite, SearchIndexer } from '../write-batch.ts';
import { restrictionSql } from './restriction-sql.ts';
import { segmentationSql } from './segmentation-sql.ts';

/** A restrict hook as search takes it (FilterContext.restrict). */
export type RestrictHook = (type: string, alias: string, params: SqlParams) => string | undefined;

/**
 * The store's side of access control for one actor: it asks @confide/policy (pure) and turns the answers
 * into SQL conditions and checks. Decisions are cached per (interaction, type) for the life of the object,
 * which the server keeps as long as the access token it was built from.
 *
 * What it guarantees (packages/policy README, "Where to apply it"): every row a query returns satisfies the
 * actor's restriction for that type; a row outside it answers 404; a type the actor may not use at all
 * answers 403; every write is checked before and after.
 */
export class Access {
  private readonly decisions = new Map<string, Decision>();

  constructor(
    readonly actor: Actor,
    private readonly indexer: SearchIndexer,
  ) {}

  decide(interaction: Interaction, type: string): Decision {
    const key = `${interaction} ${type}`;
    let d = this.decisions.get(key);
    if (!d) this.decisions.set(key, (d = decide(this.actor, interaction, type)));
    return d;
  }

  /** The decision, or a 403 when the actor may not `interaction` this type at all (reveals no row). */
  require(interaction: Interaction, type: string): Decision {
    const d = this.decide(interaction, type);
    if (!d.allowed) throw errors.forbidden(d.reason);
    return d;
  }

  /** The rows of `type` the actor may reach with `interaction`: `none` when not allowed. */
  restriction(interaction: Interaction, type: string): Restriction | undefined {
    const d = this.decide(interaction, type);
    return d.allowed ? d.restriction : NONE;
  }

  /** Whether `interaction` on `type` is allowed without any row restriction. */
  unrestricted(interaction: Interaction, type: string): boolean {
    const d = this.decide(interaction, type);
    // Reads of patient data are always segmented (psychotherapy notes, Part 2, consents), whatever the scopes.
    return d.allowed && d.restriction === undefined && !(READS.has(interaction) && segmentedType(type));
  }

  /**
   * The SQL hook for search: every table a query reaches gets the actor's restriction for `interaction` and, for
   * reads, data segmentation (security labels, consents, break-the-glass: segmentation-sql.ts).
   */
  restrict(interaction: Interaction = 'search'): RestrictHook {
    return (type, alias, params) => {
      const base = restrictionSql(this.restriction(interaction, type), type, alias, params);
      if (base === 'false' || !READS.has(interaction)) return base;
      const seg = segmentationSql(this.segmentation, type, alias, params);
      if (!seg) return base;
      return base ? `(${base} AND ${seg})` : seg;
    };
  }

  /** What the caller's labels, purpose and break-the-glass grants mean for what it sees (@confide/policy). */
  get segmentation(): Segmentation {
    return (this.seg ??= segmentationFor(this.actor));
  }

  private seg: Segmentation | undefined;

  /** Whether the access table and scopes put no row restriction on `interaction` of `type` (segmentation aside). */
  tableUnrestricted(interaction: Interaction, type: string): boolean {
    const d = this.decide(interaction, type);
    return d.allowed && d.restriction === undefined;
  }

  /**
   * The policy's view of resources that are not rows of a current table (old versions, resources about to
   * be written): their compartments and the organizations the store would give them.
   */
  async factsOf(q: Queryable, resources: Resource[]): Promise<(r: Resource) => RestrictionContext> {
    const facts = new Map<Resource, RestrictionContext>();
    if (!this.indexer.links) {
      return () => ({ compartments: [], organizations: [] });
    }
    const rows: OrganizationRow[] = resources.map((r) => {
      const values = this.indexer.values(r.resourceType, r);
      return { resourceType: r.resourceType, id: r.id ?? '', resource: r, links: this.indexer.links!(r.resourceType, values) };
    });
    // Each resource is resolved on its own: versions of one id must not see each other as "the batch".
    for (const row of rows) {
      const orgs = await resolveOrganizations(q, [row]);
      facts.set(row.resource as Resource, {
        compartments: row.links.compartments,
        organizations: orgs.rows.get(`${row.resourceType}/${row.id}`) ?? [],
      });
    }
    return (r) => facts.get(r) ?? { compartments: [], organizations: [] };
  }

  /** Drops the versions (history entries) the actor may not see; deletions are kept only for unrestricted callers. */
  async visibleVersions(q: Queryable, entries: StoredResource[], interaction: 'history' | 'vread' = 'history'): Promise<StoredResource[]> {
    const parsed = entries.map((e) => (e.json ? (JSON.parse(e.json) as Resource) : undefined));
    const present = parsed.filter((r): r is Resource => r !== undefined);
    const factsOf = await this.factsOf(q, present);
    // Versions of patient data are shown only while the current row is visible to the caller (segmentation in SQL)
    // and only if the version itself shows nothing the current one hides (versionVisible).
    const current = await this.visibleCurrent(q, entries.filter((e) => segmentedType(e.resourceType)));
    return entries.filter((e, i) => {
      const r = parsed[i];
      if (!r) return this.tableUnrestricted(interaction, e.resourceType) && (!segmentedType(e.resourceType) || current.has(`${e.resourceType}/${e.id}`) || current.has(`deleted:${e.resourceType}/${e.id}`));
      // A deleted resource has no current labels: only its versions without sensitive labels may show.
      const now = current.get(`${e.resourceType}/${e.id}`) ?? (current.has(`deleted:${e.resourceType}/${e.id}`) ? ({ resourceType: e.resourceType } as Resource) : undefined);
      if (segmentedType(e.resourceType) && !versionVisible(this.actor, r, now === true ? undefined : now)) return false;
      return checkRead(this.actor, r, interaction, { factsOf }).allowed;
    });
  }

  /**
   * The current versions, visible to the caller (restriction and segmentation in SQL), of the resources some
   * history entries belong to; a current row that is a deletion is noted as `deleted:Type/id`.
   */
  private async visibleCurrent(q: Queryable, entries: StoredResource[]): Promise<Map<string, Resource | true>> {
    const out = new Map<string, Resource | true>();
    const byType = new Map<string, Set<string>>();
    for (const e of entries) {
      if (!byType.has(e.resourceType)) byType.set(e.resourceType, new Set());
      byType.get(e.resourceType)!.add(e.id);
    }
    const hook = this.restrict('history-type');
    for (const [type, ids] of byType) {
      const params = new SqlParams();
      const idList = params.textArray([...ids]);
      const r = hook(type, 't', params);
      const res = await q.query<{ id: string; content: string | null; deleted: boolean }>(
        `SELECT t.id, t.content, t.deleted FROM ${ident(type)} t WHERE t.id = ANY(${idList})${r ? ` AND (t.deleted OR ${r})` : ''}`,
        params.values,
      );
      for (const row of res.rows) {
        if (row.deleted) out.set(`deleted:${type}/${row.id}`, true);
        else if (row.content) out.set(`${type}/${row.id}`, JSON.parse(row.content) as Resource);
      }
    }
    return out;
  }

  /**
   * Checks a set of writes before they are made (no escalation by update): the current version of each
   * resource (if any) and the new one must both be within what the actor may write; a current version the
   * actor may not see answers 404. `after` holds the organizations and compartments the store is about to
   * write for each new version, so that the check sees exactly what will be stored.
   */
  async checkWrites(q: Queryable, writes: PendingWrite[], after: (w: PendingWrite) => RestrictionContext): Promise<void> {
    const interactionOf = (w: PendingWrite): Interaction => (w.deleted ? 'delete' : (w.interaction ?? 'update'));
    const needBefore = writes.filter((w) => !this.unrestricted(interactionOf(w), w.resourceType));
    const before = new Map<string, { resource: Resource; facts: RestrictionContext }>();
    const byType = new Map<string, string[]>();
    for (const w of needBefore) byType.set(w.resourceType, [...(byType.get(w.resourceType) ?? []), w.id]);
    for (const [type, ids] of byType) {
      const r = await q.query<{ id: string; content: string | null; deleted: boolean; compartments: string[] | null; organizations: string[] | null }>(
        `SELECT id, content, deleted, compartments, organizations FROM ${ident(type)} WHERE id = ANY($1::text[])`,
        [ids],
        `guard:${type}`,
      );
      for (const row of r.rows) {
        if (row.deleted || !row.content) continue;
        before.set(`${type}/${row.id}`, {
          resource: JSON.parse(row.content) as Resource,
          facts: { compartments: row.compartments ?? [], organizations: row.organizations ?? [] },
        });
      }
    }
    for (const w of writes) {
      if (this.unrestricted(interactionOf(w), w.resourceType)) continue;
      const old = before.get(`${w.resourceType}/${w.id}`);
      let decision;
      if (w.deleted) {
        if (!old) {
          this.require('delete', w.resourceType);
          continue;
        }
        decision = checkDelete(this.actor, old.resource, { factsOf: () => old.facts });
      } else {
        const resource = w.resource as Resource;
        const interaction = w.interaction ?? (old ? 'update' : 'create');
        decision = checkWrite(this.actor, old?.resource, resource, {
          interaction,
          factsOf: (r) => (old && r === old.resource ? old.facts : after(w)),
        });
      }
      const e = denialError(decision);
      if (e) throw e;
    }
  }
}

const READS = new Set<Interaction>(['read', 'vread', 'history', 'history-type', 'search']);


const cache = new WeakMap<Actor, Access>();

/** One Access per actor object, so that its decision cache lives as long as the actor (the token cache). */
export function accessFor(actor: Actor, indexer: SearchIndexer): Access {
  let a = cache.get(actor);
  if (!a) cache.set(actor, (a = new Access(actor, indexer)));
  return a;
}
