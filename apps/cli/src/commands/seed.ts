import { parseArgs } from 'node:util';
import { generateDemoPractice } from '@confide/demo';
import { createConfide, type Confide } from '@confide/server';
import { dbOptions } from '../config.ts';
import { Progress } from '../progress.ts';
import { postTransaction } from './bundles.ts';

export async function seedDemo(confide: Confide, options: { patients?: number; seed?: number }): Promise<number> {
  const bundles = generateDemoPractice({ patients: options.patients, seed: options.seed });
  const total = bundles.reduce((n, b) => n + (b.entry?.length ?? 0), 0);
  const progress = new Progress('Demo practice', total);
  for (const b of bundles) {
    await postTransaction(confide, b);
    progress.add(b.entry?.length ?? 0);
  }
  progress.finish();
  return total;
}

export async function seed(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, patients: { type: 'string' }, seed: { type: 'string' } },
  });
  const confide = await createConfide(dbOptions(values));
  try {
    await seedDemo(confide, {
      patients: values.patients ? Number(values.patients) : undefined,
      seed: values.seed ? Number(values.seed) : undefined,
    });
    return 0;
  } finally {
    await confide.close();
  }
}
