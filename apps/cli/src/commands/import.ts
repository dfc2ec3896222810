import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { createConfide, type Confide } from '@confide/server';
import { auditOperator } from '../operator-audit.ts';
import { dbOptions } from '../config.ts';
import { Progress } from '../progress.ts';
import { postTransaction } from './bundles.ts';
import { labelOptions } from '../label-rules-file.ts';

const BATCH = 500;

/** `confide import FILE...`: FHIR Bundles (.json) and NDJSON files (.ndjson), each batch one transaction. */
export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { data: { type: 'string' } } });
  if (positionals.length === 0) throw new Error('Usage: confide import FILE... (FHIR Bundle .json or .ndjson)');
  const files = positionals.flatMap((p) => expand(p));
  const confide = await createConfide({ ...dbOptions(values), ...labelOptions() });
  try {
    const total = await countResources(files);
    const progress = new Progress('Importing', total);
    for (const file of files) await importFile(confide, file, progress);
    progress.finish();
    await auditOperator(confide.db, { kind: 'rest', interaction: 'batch', outcome: { status: 200 }, query: `confide import (${progress.count} resources from ${files.length} file(s))` });
    process.stdout.write(`Imported ${progress.count.toLocaleString('en-US')} resources from ${files.length} file(s).\n`);
    return 0;
  } finally {
    await confide.close();
  }
}

function expand(p: string): string[] {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return [p];
  return fs
    .readdirSync(p)
    .filter((f) => /\.(json|ndjson)$/i.test(f))
    .sort()
    .map((f) => path.join(p, f));
}

async function countResources(files: string[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    if (/\.ndjson$/i.test(f)) {
      for await (const line of lines(f)) if (line.trim()) n++;
    } else {
      const doc = JSON.parse(fs.readFileSync(f, 'utf8')) as { resourceType?: string; entry?: unknown[] };
      n += doc.resourceType === 'Bundle' ? (doc.entry?.length ?? 0) : 1;
    }
  }
  return n;
}

function lines(file: string): AsyncIterable<string> {
  return readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
}

export async function importFile(confide: Confide, file: string, progress: Progress): Promise<void> {
  try {
    if (/\.ndjson$/i.test(file)) {
      let batch: Record<string, unknown>[] = [];
      let lineNo = 0;
      for await (const line of lines(file)) {
        lineNo++;
        if (!line.trim()) continue;
        try {
          batch.push(JSON.parse(line));
        } catch {
          throw new Error(`line ${lineNo} is not valid JSON`);
        }
        if (batch.length >= BATCH) {
          await postTransaction(confide, asTransaction(batch));
          progress.add(batch.length);
          batch = [];
        }
      }
      if (batch.length) {
        await postTransaction(confide, asTransaction(batch));
        progress.add(batch.length);
      }
      return;
    }
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> & { entry?: { resource?: Record<string, unknown> }[] };
    if (doc.resourceType === 'Bundle' && (doc.type === 'transaction' || doc.type === 'batch')) {
      await postTransaction(confide, doc);
      progress.add(doc.entry?.length ?? 0);
    } else if (doc.resourceType === 'Bundle' && doc.type !== 'document' && doc.type !== 'message') {
      const resources = (doc.entry ?? []).map((e) => e.resource).filter((r): r is Record<string, unknown> => !!r);
      await postTransaction(confide, asTransaction(resources));
      progress.add(resources.length);
    } else {
      await postTransaction(confide, asTransaction([doc]));
      progress.add(1);
    }
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Resources with ids keep them (PUT), so re-importing an export is idempotent; others are created. */
function asTransaction(resources: Record<string, unknown>[]): object {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((r) => ({
      resource: r,
      request: typeof r.id === 'string' ? { method: 'PUT', url: `${r.resourceType}/${r.id}` } : { method: 'POST', url: String(r.resourceType) },
    })),
  };
}
