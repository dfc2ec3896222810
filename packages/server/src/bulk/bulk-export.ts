import { randomUUID } from 'node:crypto';
import type { Group } from '@medplum/fhirtypes';
import { errors, resourceTypes } from '@confide/fhir';
import { compartmentTypes } from '@confide/store';
import { BULK_FILE_SEGMENT, BULK_STATUS_SEGMENT } from '../fhir/route.ts';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir/types.ts';
import type { ExportRunner, JobParams } from './export-runner.ts';
import { freezeActor, freezeAudit, ownerKey, type FrozenActor, type FrozenAudit } from './frozen-actor.ts';
import { kickOffPairs, parseKickOff, type KickOffParams } from './kick-off-params.ts';
import { manifest } from './manifest.ts';

/** How long a job and its files stay available after kick-off (export.html: files may expire; default 24 h). */
export const DEFAULT_EXPIRE_HOURS = 24;
const RETRY_AFTER_SECONDS = '2';

export interface BulkExportOptions {
  runner: ExportRunner;
  expireHours?: number;
  now?: () => Date;
}

export type BulkExport = ReturnType<typeof createBulkExport>;

/**
 * FHIR Bulk Data Access 2.0 export (https://hl7.org/fhir/uv/bulkdata/STU2/export.html): the kick-off, status,
 * cancel and file requests. The kick-off decides what the caller may export and freezes the caller; the job
 * (export-runner.ts) reads under that caller's restriction; only the same client and user may see the job.
 */
export function createBulkExport(options: BulkExportOptions) {
  const { runner } = options;
  const jobs = runner.jobs;
  const now = options.now ?? (() => new Date());
  const expireMs = (options.expireHours ?? DEFAULT_EXPIRE_HOURS) * 3600_000;

  /** `[base]/$export`, `[base]/Patient/$export`, `[base]/Group/[id]/$export` (export.html#bulk-data-kick-off-request). */
  async function kickOff(ctx: FhirContext, req: FhirRequest, level: KickOffParams['level'], groupId?: string): Promise<FhirResponse> {
    if (ctx.inTransaction) throw errors.badRequest('$export cannot run inside a Bundle');
    if (req.method !== 'GET' && req.method !== 'POST') throw errors.methodNotAllowed('$export takes GET or POST');
    const prefer = (req.headers.prefer ?? '').toLowerCase();
    // export.html#headers: "Prefer (required): Specifies whether the response is immediate or asynchronous.
    // Currently, only a value of respond-async is supported."
    if (!/(^|[\s,;])respond-async($|[\s,;])/.test(prefer)) {
      throw errors.badRequest('A bulk export needs the header Prefer: respond-async', 'http.header.Prefer');
    }
    const access = ctx.access;
    if (!access) throw errors.forbidden('A bulk export needs an authenticated caller');
    const { params } = parseKickOff(level, kickOffPairs(req.method, req.query, req.body), { lenient: /handling=lenient/.test(prefer), method: req.method });
    const repo = ctx.repo;
    // The types: those asked for (each must be allowed, else 403 as a search of it would be), or every type the
    // caller may search. Patient- and Group-level export is the patient compartment (export.html#endpoint---all-patients).
    const levelTypes = level === 'system' ? resourceTypes().filter((t) => t !== 'AuditEvent') : compartmentTypes();
    let exportTypes: string[];
    if (params.types) {
      for (const t of params.types) {
        if (!levelTypes.includes(t) && !(level === 'system' && t === 'AuditEvent')) {
          throw errors.badRequest(`${t} is not in the patient compartment, so not part of a ${level}-level export`, '_type');
        }
        repo.access?.require('search', t);
      }
      exportTypes = params.types;
    } else {
      exportTypes = levelTypes.filter((t) => !repo.access || repo.access.decide('search', t).allowed);
    }
    let patients = params.patients;
    if (level === 'group') {
      // The Group must be one the caller may read (hidden: 404, as a read); its members are the patients.
      const group = (await repo.read('Group', groupId ?? '')).json;
      const members = groupPatients(JSON.parse(group ?? '{}') as Group);
      patients = patients ? patients.filter((p) => members.includes(p)) : members;
    }
    const id = randomUUID();
    const created = now();
    const job: JobParams = { ...params, patients, exportTypes, baseUrl: ctx.baseUrl };
    const request = `${ctx.baseUrl}/${req.path}${req.query.toString() ? `?${req.query.toString()}` : ''}`;
    await jobs.create({
      id,
      owner: ownerKey(access),
      request,
      params: job,
      actor: freezeActor(access.actor) satisfies FrozenActor,
      audit: freezeAudit(access) satisfies FrozenAudit,
      created,
      expires: new Date(created.getTime() + expireMs),
    });
    runner.kick();
    return {
      status: 202,
      headers: { 'Content-Location': `${ctx.baseUrl}/${BULK_STATUS_SEGMENT}/${id}` },
      body: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', details: { text: 'The export has started; poll the Content-Location URL for its status' } }] },
      audit: { resources: [], patients: patients ?? [] },
    };
  }

  /** The status request (GET) and the delete request (DELETE) of export.html. */
  async function status(ctx: FhirContext, req: FhirRequest, id: string): Promise<FhirResponse> {
    const access = ctx.access;
    if (!access) throw errors.notFound(`No export job ${id}`);
    if (req.method === 'DELETE') {
      // export.html#bulk-data-delete-request: 202, and the job's files are deleted.
      if (!(await jobs.delete(id, ownerKey(access), now()))) throw errors.notFound(`No export job ${id}`);
      return { status: 202, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', details: { text: 'The export was cancelled and its files deleted' } }] } };
    }
    if (req.method !== 'GET') throw errors.methodNotAllowed('The status URL takes GET or DELETE');
    const job = await jobs.get<JobParams, FrozenActor, FrozenAudit>(id, ownerKey(access), now());
    if (!job) throw errors.notFound(`No export job ${id}`);
    switch (job.status) {
      case 'queued':
      case 'running':
        // export.html#response---in-progress-status: 202, X-Progress, and Retry-After to pace the polling.
        return { status: 202, headers: { 'X-Progress': job.progress ?? job.status, 'Retry-After': RETRY_AFTER_SECONDS }, audit: { resources: [], patients: [] } };
      case 'failed':
        // export.html#response---error-status-1: a 5xx with an OperationOutcome when the job failed.
        return { status: 500, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text: job.error ?? 'The export failed' } }] } };
      case 'completed': {
        const files = await jobs.files(id);
        const fileUrl = (n: number) => `${ctx.baseUrl}/${BULK_FILE_SEGMENT}/${id}/${n}.ndjson`;
        return {
          status: 200,
          headers: { 'Content-Type': 'application/json; charset=utf-8', Expires: new Date(job.expires).toUTCString() },
          body: JSON.stringify(manifest(job, files, fileUrl)),
          audit: { resources: [], patients: [] },
        };
      }
    }
  }

  /** A file of the manifest (export.html#file-request): NDJSON, streamed piece by piece from the database. */
  async function file(ctx: FhirContext, req: FhirRequest, id: string, name: string): Promise<FhirResponse> {
    if (req.method !== 'GET') throw errors.methodNotAllowed('Export files take GET');
    const access = ctx.access;
    const m = /^([0-9]{1,6})\.ndjson$/.exec(name);
    const job = access && m ? await jobs.get(id, ownerKey(access), now()) : undefined;
    const f = job?.status === 'completed' ? await jobs.file(id, Number(m![1])) : undefined;
    if (!f) throw errors.notFound(`No export file ${name}`);
    return { status: 200, headers: { 'Content-Type': 'application/fhir+ndjson' }, body: jobs.chunks(id, f.n), audit: { resources: [], patients: [] } };
  }

  return { kickOff, status, file };
}

/** The Patient members of a Group (R4 Group.member.entity), active ones only. */
export function groupPatients(group: Group): string[] {
  const out: string[] = [];
  for (const m of group.member ?? []) {
    const ref = m.entity?.reference;
    const match = ref ? /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
    if (match && m.inactive !== true && !out.includes(match[1])) out.push(match[1]);
  }
  return out;
}
