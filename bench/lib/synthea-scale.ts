import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Bundle {
  entry?: { fullUrl?: string; resource?: { resourceType?: string; identifier?: { value?: string }[] } }[];
}

export interface ScaledSet {
  files: string[];
  bundles: number;
  resources: number;
}

/**
 * Writes `copies` copies of every Synthea transaction bundle in `sourceDir` to `outDir`. Each copy gets
 * fresh `urn:uuid:` values (rewritten consistently through the whole bundle text: fullUrls, references
 * and the resource ids that repeat them) and Patient identifiers suffixed with the copy number, so no two
 * copies describe the same patient.
 */
export function writeScaledBundles(sourceDir: string, outDir: string, copies: number): ScaledSet {
  const sources = fs
    .readdirSync(sourceDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => fs.readFileSync(path.join(sourceDir, f), 'utf8'));
  if (sources.length === 0) throw new Error(`No bundles in ${sourceDir}`);
  fs.mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  let resources = 0;
  for (let copy = 0; copy < copies; copy++) {
    for (const text of sources) {
      const { json, entries } = copyBundle(text, copy);
      const file = path.join(outDir, `bundle-${String(files.length).padStart(5, '0')}.json`);
      fs.writeFileSync(file, json);
      files.push(file);
      resources += entries;
    }
  }
  return { files, bundles: files.length, resources };
}

function copyBundle(text: string, copy: number): { json: string; entries: number } {
  const bundle = JSON.parse(text) as Bundle;
  const fresh = new Map<string, string>();
  for (const e of bundle.entry ?? []) {
    const m = /^urn:uuid:(.+)$/.exec(e.fullUrl ?? '');
    if (m) fresh.set(m[1], randomUUID());
    if (e.resource?.resourceType === 'Patient') {
      for (const id of e.resource.identifier ?? []) if (id.value) id.value = `${id.value}-c${copy}`;
    }
  }
  const json = JSON.stringify(bundle).replace(UUID, (u) => fresh.get(u) ?? u);
  return { json, entries: bundle.entry?.length ?? 0 };
}
