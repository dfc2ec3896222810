import { resourceTypes } from '@confide/fhir';
import { clearRelabels, pendingRelabels, relabelTypes, type Db, type Repository } from '@confide/store';
import type { AuditSink } from '../audit/fhir-audit.ts';
import { BackgroundTask } from '../background-task.ts';

export interface RelabelRunnerOptions {
  db: Db;
  /** The server's own (unrestricted) repository: relabelling is the server's work. */
  repo: Repository;
  audit?: AuditSink;
  /** How often to look for requests stored by another process or left by a stopped one (default 60 s). */
  pollMs?: number;
  pageSize?: number;
  onError?: (err: unknown) => void;
}

/**
 * Relabels stored records in the background after an Organization was designated a Part 2 program (the requests
 * of `part2DesignationRule`, table `relabel_request`). A run walks every segmented type as `confide relabel` does
 * (`relabelTypes`: pages of 200, one transaction each, a new version only where labels change), so it is
 * idempotent: one run covers every request seen when it began, and a run cut short by a stop leaves the requests
 * for the next start (or `confide relabel`). One run at a time in a process; runs of two processes on one database
 * only repeat each other's work (each page locks its rows and the second finds nothing to change).
 */
export class RelabelRunner extends BackgroundTask {

  constructor(private readonly options: RelabelRunnerOptions) {
    super(options.pollMs ?? 60_000, options.onError);
  }

  protected async drain(): Promise<void> {
    while (!this.closed) {
      const requests = await pendingRelabels(this.options.db);
      if (requests.length === 0) return;
      const counts = await relabelTypes(this.options.repo, resourceTypes(), { pageSize: this.options.pageSize, stop: () => this.closed });
      if (this.closed) return;
      await clearRelabels(this.options.db, Math.max(...requests.map((r) => r.seq)));
      const scanned = counts.reduce((n, c) => n + c.scanned, 0);
      const changed = counts.reduce((n, c) => n + c.changed, 0);
      // The server's own work, as one system AuditEvent naming the programs (references only, never content).
      this.options.audit?.add({
        kind: 'rest',
        interaction: 'update',
        actor: { kind: 'system', clientId: 'confide' },
        outcome: { status: 200 },
        resources: requests.map((r) => r.program),
        query: `relabel after Part 2 designation (${changed} of ${scanned} resources relabelled)`,
        recorded: new Date(),
      });
    }
  }
}
