import { tableLayout } from '../search/table-layout.ts';
import type { SearchIndexer } from '../write-batch.ts';

/**
 * The AuditEvent table's search columns as the audit log writes them: a row object for
 * `json_populate_recordset` (text[] columns as JSON arrays, jsonb columns as their JSON, the others as the
 * text PostgreSQL parses; NULL columns left out). The log inserts such objects; `verifyAuditChain` compares
 * what is stored with the objects made again from each record's content, through the same SQL conversion.
 */
export class AuditSearchColumns {
  readonly names: readonly string[];
  private readonly jsonb: readonly boolean[];

  constructor(private readonly indexer: SearchIndexer) {
    this.names = indexer.columns('AuditEvent');
    const jsonb = new Set(tableLayout('AuditEvent').columns.filter((c) => c.sqlType === 'jsonb').map((c) => c.name));
    this.jsonb = this.names.map((n) => jsonb.has(n));
  }

  /** The indexer's values for a stored event (in `names` order). */
  values(event: unknown): unknown[] {
    return this.names.length ? this.indexer.values('AuditEvent', event as never) : [];
  }

  /** Adds the non-NULL search column values to a row object. */
  addTo(row: Record<string, unknown>, values: readonly unknown[]): Record<string, unknown> {
    for (let i = 0; i < this.names.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      row[this.names[i]] = this.jsonb[i] && typeof v === 'string' ? JSON.parse(v) : v;
    }
    return row;
  }
}
