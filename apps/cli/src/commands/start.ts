import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createConfide } from '@confide/server';
import { dbOptions, describeDb } from '../config.ts';
import { serveOperatorSocket } from '../operator-socket.ts';
import { labelOptions } from '../label-rules-file.ts';
import { isWorker, reportListening, startWorkers, workerPeers } from '../cluster.ts';

export async function start(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
      data: { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
      'public-url': { type: 'string' },
      // Only for measuring what the audit trail costs (bench/); never on a server with real patients.
      'no-audit': { type: 'boolean', default: false },
      // Server processes sharing the port, on PostgreSQL only (docs/architecture.md "Worker processes").
      workers: { type: 'string', default: process.env.CONFIDE_WORKERS ?? '1' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port: ${values.port}`);
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error(`Invalid --workers: ${values.workers} (a whole number from 1 to 64)`);
  const db = dbOptions(values);
  if (workers > 1 && db.dataDir) {
    throw new Error('--workers needs PostgreSQL (DATABASE_URL): the embedded database runs inside one process and cannot be shared');
  }
  // The web app's built files (`npm start` builds them first, docs/web.md); the API runs without them.
  const webRoot = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
  const hasWeb = fs.existsSync(webRoot + 'index.html');
  const options = { ...db, ...labelOptions(), publicUrl: values['public-url'], audit: !values['no-audit'], webRoot: hasWeb ? webRoot : undefined };
  if (isWorker()) return runWorker(options, port, values.host);
  const confide = await createConfide(options);
  if (values['no-audit']) process.stderr.write('WARNING: the audit trail is OFF (--no-audit). Use this only to measure its cost, never with real patients.\n');
  // A new database gets one administrator; its first password is shown once, below, and never stored in clear.
  const admin = await confide.accounts.ensureAdmin();
  if (confide.created && !values['no-demo']) {
    process.stderr.write('First run: loading the demo practice...\n');
    const { seedDemo } = await import('./seed.ts');
    await seedDemo(confide, {});
  }
  let url: string;
  let stop: () => Promise<void>;
  if (workers > 1) {
    // This process only prepared the database (schema, administrator, demo); the workers serve it.
    await confide.close();
    const running = await startWorkers({ workers, log: (line) => process.stderr.write(`confide: ${line}\n`) });
    url = running.url;
    stop = running.stop;
    void running.failed.then(async (e) => {
      process.stderr.write(`confide: ${e.message}\n`);
      await running.stop();
      process.exit(1);
    });
  } else {
    const running = await confide.listen(port, values.host);
    // On the embedded database, `confide token` reaches this process through the data folder's operator socket.
    const stopSocket = db.dataDir ? await serveOperatorSocket(confide, db.dataDir) : undefined;
    url = running.url;
    stop = async () => {
      await stopSocket?.();
      await confide.close();
    };
  }
  if (admin.created) {
    process.stdout.write(
      `\nAdministrator account created: user "admin", first password: ${admin.password}\n` +
        `It is shown only this once. At first sign-in you choose a new password and set up a one-time-code app.\n`,
    );
  }
  const processes = workers > 1 ? `, ${workers} worker processes` : '';
  process.stdout.write(`Confide is running at ${url} (${describeDb(db)}${processes})\n`);
  process.stdout.write(`FHIR R4 API: ${url}/fhir/R4\n`);
  if (hasWeb) process.stdout.write(`Web app: ${url}/ (patient portal: ${url}/portal/)\n`);
  else process.stderr.write('The web app is not built (npm run build -w @confide/web); serving the API only.\n');
  const onSignal = async () => {
    process.stdout.write('Stopping Confide...\n');
    await stop();
    process.exit(0);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await new Promise(() => undefined);
  return 0;
}

/** One of `--workers N` processes: serves the database the primary prepared, and says so once it listens. */
async function runWorker(options: Parameters<typeof createConfide>[0], port: number, host: string): Promise<number> {
  const confide = await createConfide({ ...options, peers: workerPeers() });
  const running = await confide.listen(port, host);
  let closing: Promise<void> | undefined;
  const onSignal = async () => {
    await (closing ??= confide.close());
    process.exit(0);
  };
  // SIGTERM from the primary; SIGINT when a terminal's Ctrl-C reaches the whole process group.
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  reportListening(running.url);
  await new Promise(() => undefined);
  return 0;
}
