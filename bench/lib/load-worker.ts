// Child process entry: receives one LoadJob over IPC, runs it, sends back the result and exits.
import { ingestBundles, readById, type Mark } from './http-load.ts';
import type { LoadJob, WorkerMessage } from './load-process.ts';
import { rawInsert, rawSelect } from './pg-load.ts';

const mark: Mark = (event) => process.send?.({ mark: event } satisfies WorkerMessage);

async function run(job: LoadJob): Promise<unknown> {
  switch (job.kind) {
    case 'ingest':
      return ingestBundles(job.base, job.files, job.clients, mark, job.headers);
    case 'read':
      return readById(job.base, job.paths, job.clients, job.warmup, job.duration, mark, job.headers);
    case 'raw-insert':
      return rawInsert(job.connectionString, job.files, job.clients, mark);
    case 'raw-select':
      return rawSelect(job.connectionString, job.ids, job.clients, job.warmup, job.duration, mark);
  }
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => finish({ ok: true, result }),
    (e: unknown) => finish({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
});

function finish(reply: WorkerMessage): void {
  process.send?.(reply, () => process.exit(0));
}
