import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createConfide } from '@confide/server';
import { dbOptions, describeDb } from '../config.ts';
import { serveOperatorSocket } from '../operator-socket.ts';
import { labelOptions } from '../label-rules-file.ts';

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
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port: ${values.port}`);
  const db = dbOptions(values);
  // The web app's built files (`npm start` builds them first, docs/web.md); the API runs without them.
  const webRoot = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
  const hasWeb = fs.existsSync(webRoot + 'index.html');
  const confide = await createConfide({ ...db, ...labelOptions(), publicUrl: values['public-url'], audit: !values['no-audit'], webRoot: hasWeb ? webRoot : undefined });
  if (values['no-audit']) process.stderr.write('WARNING: the audit trail is OFF (--no-audit). Use this only to measure its cost, never with real patients.\n');
  // A new database gets one administrator; its first password is shown once, below, and never stored in clear.
  const admin = await confide.accounts.ensureAdmin();
  if (confide.created && !values['no-demo']) {
    process.stderr.write('First run: loading the demo practice...\n');
    const { seedDemo } = await import('./seed.ts');
    await seedDemo(confide, {});
  }
  const running = await confide.listen(port, values.host);
  // On the embedded database, `confide token` reaches this process through the data folder's operator socket.
  const stopSocket = db.dataDir ? await serveOperatorSocket(confide, db.dataDir) : undefined;
  if (admin.created) {
    process.stdout.write(
      `\nAdministrator account created: user "admin", first password: ${admin.password}\n` +
        `It is shown only this once. At first sign-in you choose a new password and set up a one-time-code app.\n`,
    );
  }
  process.stdout.write(`Confide is running at ${running.url} (${describeDb(db)})\n`);
  process.stdout.write(`FHIR R4 API: ${running.url}/fhir/R4\n`);
  if (hasWeb) process.stdout.write(`Web app: ${running.url}/ (patient portal: ${running.url}/portal/)\n`);
  else process.stderr.write('The web app is not built (npm run build -w @confide/web); serving the API only.\n');
  const stop = async () => {
    process.stdout.write('Stopping Confide...\n');
    await stopSocket?.();
    await confide.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await new Promise(() => undefined);
  return 0;
}
