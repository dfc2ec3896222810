import { parseArgs } from 'node:util';
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
  const running = await confide.listen(port, values.host);
  process.stdout.write(`Confide is running at ${running.url} (${describeDb(db)})\n`);
  process.stdout.write(`FHIR R4 API: ${running.url}/fhir/R4\n`);
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
