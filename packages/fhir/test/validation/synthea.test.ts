import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateResource } from '../../src/index.ts';

// Real-world input: Synthea R4 transaction bundles (see the README in that folder).
const dir = process.env.SYNTHEA_R4_DIR ?? '/work/shared/data/synthea-r4';
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];

describe.skipIf(files.length === 0)('Synthea R4 bundles', () => {
  it.each(files)('%s: the Bundle and every entry resource are valid', (file) => {
    const bundle = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const problems: string[] = [];
    for (const [index, entry] of (bundle.entry as { resource: unknown }[]).entries()) {
      for (const i of validateResource(entry.resource)) problems.push(`entry ${index}: ${i.expression?.[0]}: ${i.details?.text}`);
    }
    for (const i of validateResource(bundle)) problems.push(`bundle: ${i.expression?.[0]}: ${i.details?.text}`);
    expect(problems).toEqual([]);
    expect(bundle.entry.length).toBeGreaterThan(0);
  });
});
