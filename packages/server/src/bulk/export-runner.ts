import { parseSearchRequest, type Filter } from '@confide/fhir';
import { BulkJobs, exportRows, type BulkJob, type Db, type Repository } from '@confide/store';
import { auditActor, type AuditInput } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/fhir-audit.ts';
import { BackgroundTask } from '../background-task.ts';
import { exportOutcomes } from '../consent/disclosure-notes.ts';
import { thawActor, type FrozenActor, type FrozenAudit } from './frozen-actor.ts';
import type { KickOffParams } from './kick-off-params.ts';

/** What a job keeps besides the parsed kick-off parameters: the types resolved for the caller and the base URL. */
export interface JobParams extends KickOffParams {
  /** The types this job exports, decided at kick-off (the caller's, intersected with `_type`). */
  exportTypes: string[];
  baseUrl: string;
}

export type ExportJob = BulkJob<JobParams, FrozenActor, FrozenAudit>;

export interface ExportRunnerOptions {
  db: Db;
  /** The server's repository: each job reads through `repo.as(actor)` of its frozen caller. */
  repo: Repository;
  audit?: AuditSink;
  now?: () => Date;
  /**
   * How often the runner looks for jobs queued by another server process, jobs to take over and expired ones
   * (default 15 s). A kick-off in this process starts its job at once.
   */
  pollMs?: number;
  /** A running job whose runner has not beaten for this long is taken over by another (default 2 min). */
  staleMs?: number;
  /** Characters of NDJSON per stored piece (default 1 MiB). */
  chunkChars?: number;
  /** Rows read per statement (default 1000). */
  pageSize?: number;
  onError?: (err: unknown) => void;
}

/**
 * Runs bulk export jobs in the background of the server process (Bulk Data STU2 export.html: the kick-off answers
 * at once, the work is asynchronous). Jobs live in the database (migration 0010), so a job outlives the request and
 * another server process takes over one whose runner stopped. One job at a time per process: an export is a long
 * read, and the server's requests must keep their share of the database.
 *
 * Every row is read by `exportRows` under the frozen caller's restriction (the access table, psychotherapy notes,
 * 42 CFR Part 2, the patients' consents: Access.restrict, the same SQL as search), and its stored JSON text is
 * written to the file untouched.
 */
export class ExportRunner extends BackgroundTask {
  readonly jobs: BulkJobs;
  private lastExpiry = 0;
  private readonly now: () => Date;

  constructor(private readonly options: ExportRunnerOptions) {
    super(options.pollMs ?? 15_000, options.onError);
    this.jobs = new BulkJobs(options.db);
    this.now = options.now ?? (() => new Date());
  }

  protected async drain(): Promise<void> {
    const now = this.now();
    if (now.getTime() - this.lastExpiry > 60_000) {
      this.lastExpiry = now.getTime();
      await this.jobs.expire(now);
    }
    while (!this.closed) {
      const job = await this.jobs.claim<JobParams, FrozenActor, FrozenAudit>(this.now(), this.options.staleMs ?? 120_000);
      if (!job) return;
      await this.run(job);
    }
  }

  private async run(job: ExportJob): Promise<void> {
    try {
      const done = await this.export(job);
      if (done) this.audit(job, 200, done.patients);
    } catch (e) {
      // Closing: the job is taken over at the next start. Cancelled while it ran: its next write failed because its
      // rows are gone. Neither is a failure to report.
      if (this.closed || !(await this.jobs.beat(job.id, 'failing', this.now()).catch(() => false))) return;
      this.options.onError?.(e);
      // The text is the server's own (never request data or content): the status answers it as a 500.
      await this.jobs.fail(job.id, 'The export failed on the server').catch(() => undefined);
      this.audit(job, 500, []);
    }
  }

  /** Writes the job's files; undefined when it was cancelled (deleted) or the runner is closing. */
  private async export(job: ExportJob): Promise<{ patients: string[] } | undefined> {
    const { params } = job;
    const actor = thawActor(job.actor);
    const reader = this.options.repo.as(actor);
    const restrict = reader.restrictHook('search');
    const db = this.options.db;
    const chunkChars = this.options.chunkChars ?? 1024 * 1024;
    const patients = new Set<string>();
    const compartment = params.level === 'system' ? undefined : { patients: params.patients };
    let part2 = false;
    let n = 0;
    for (const [i, type] of params.exportTypes.entries()) {
      const filters = params.typeFilters[type]?.map((q) => typeFilter(type, q));
      let count = 0;
      let seq = 0;
      let text = '';
      for await (const page of exportRows(db, type, { restrict, since: params.since, compartment, filters, baseUrl: params.baseUrl, pageSize: this.options.pageSize })) {
        for (const row of page) {
          text += row.content + '\n';
          part2 ||= row.part2;
          for (const c of row.compartments) patients.add(c.slice('Patient/'.length));
        }
        count += page.length;
        if (text.length >= chunkChars) {
          await this.jobs.addChunk(db, job.id, n, seq++, text);
          text = '';
        }
        if (this.closed || !(await this.jobs.beat(job.id, progressText(i, params.exportTypes.length, type, count), this.now()))) return undefined;
      }
      if (text) await this.jobs.addChunk(db, job.id, n, seq++, text);
      if (count > 0) await this.jobs.addFile(db, job.id, { n: n++, kind: 'output', type, count });
    }
    // The manifest's `error` files (export.html#response---complete-status) hold the export's OperationOutcomes
    // (exportOutcomes: the 42 CFR 2.32 notice; "withheld by consent" per patient), one file of them.
    const outcomes = await exportOutcomes(db, reader.access, params.exportTypes, { part2, named: params.patients, exported: patients });
    if (outcomes.length) {
      await this.jobs.addChunk(db, job.id, n, 0, outcomes.map((o) => JSON.stringify(o) + '\n').join(''));
      await this.jobs.addFile(db, job.id, { n: n++, kind: 'error', type: 'OperationOutcome', count: outcomes.length });
    }
    if (!(await this.jobs.complete(job.id, part2))) return undefined;
    return { patients: [...patients] };
  }

  /**
   * The export as one AuditEvent (DICOM 110106 Export; docs/audit.md) naming every patient whose records the
   * files hold; a backend service's export is a disclosure outside the organization (accounting of disclosures).
   */
  private audit(job: ExportJob, status: number, patients: string[]): void {
    const sink = this.options.audit;
    if (!sink) return;
    const who = job.audit;
    const actor = auditActor({ actor: thawActor(job.actor), via: 'token', ...who });
    const glass = job.actor.breakGlassPatients ?? [];
    if (glass.length && patients.some((p) => glass.includes(p))) actor.purposeOfUse = 'ETREAT';
    const input: AuditInput = {
      kind: 'export',
      actor,
      remoteAddress: who.remoteAddress,
      outcome: { status, text: status >= 400 ? 'exception' : undefined },
      patients,
      query: job.request,
      recorded: this.now(),
    };
    sink.add(who.kind === 'system' && status < 400 && patients.length > 0 ? { ...input, kind: 'disclosure', disclosure: { recipient: who.clientId ?? job.actor.userId, purpose: actor.purposeOfUse ?? 'TREAT' } } : input);
  }
}

function progressText(i: number, of: number, type: string, count: number): string {
  return `${Math.floor((i / of) * 100)}% (${type}: ${count})`;
}

/** A `_typeFilter` query (checked at kick-off) as search filters. */
function typeFilter(type: string, query: string): Filter[] {
  return parseSearchRequest(type, new URLSearchParams(query)).request.filters;
}
