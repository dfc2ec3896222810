import { parseArgs } from 'node:util';
import { Accounts } from '@confide/auth';
import { createConfide } from '@confide/server';
import { dbOptions, describeDb } from '../config.ts';

export async function start(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
      data: { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
      'public-url': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port: ${values.port}`);
  const db = dbOptions(values);
  const confide = await createConfide({ ...db, publicUrl: values['public-url'] });
  if (confide.created && !values['no-demo']) {
    process.stderr.write('First run: loading the demo practice...\n');
    const { seedDemo } = await import('./seed.ts');
    await seedDemo(confide, {});
  }
  // A new database gets one administrator; its first password is shown once, here, and never stored in clear.
  const admin = await new Accounts(confide.db).ensureAdmin();
  const running = await confide.listen(port, values.host);
  process.stdout.write(`Confide is running at ${running.url} (${describeDb(db)})\n`);
  process.stdout.write(`FHIR R4 API: ${running.url}/fhir/R4\n`);
  if (admin.created) {
    process.stdout.write(
      `\nAdministrator account created: user "admin", first password: ${admin.password}\n` +
        `It is shown only this once. At first sign-in you choose a new password and set up a one-time-code app.\n`,
    );
  }
  const stop = async () => {
    process.stdout.write('Stopping Confide...\n');
    await confide.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await new Promise(() => undefined);
  return 0;
}
