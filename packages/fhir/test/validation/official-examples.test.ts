import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { validateResource } from '../../src/index.ts';
import knownInvalid from './known-invalid-examples.json' with { type: 'json' };

// The examples published with R4 (package hl7.fhir.r4.examples). Every one must validate, except the
// few listed in known-invalid-examples.json, each of which breaks a rule of the base specification.
const require = createRequire(import.meta.url);
const dir = path.dirname(require.resolve('hl7.fhir.r4.examples/package.json'));

describe('official R4 examples', () => {
  // About 5,300 files and 190 MB of JSON: allow for a slow machine.
  it('are valid, apart from the known-invalid list', { timeout: 180_000 }, () => {
    const invalid: Record<string, string[]> = {};
    let count = 0;
    for (const file of fs.readdirSync(dir).sort()) {
      if (!file.endsWith('.json') || file === 'package.json') continue;
      count++;
      const issues = validateResource(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));
      if (issues.length > 0) invalid[file] = issues.map((i) => `${i.expression?.[0]}: ${i.details?.text}`);
    }
    expect(count).toBeGreaterThan(5000);
    // On failure the diff shows the issues of any example that is not (or no longer) in the list.
    const unexpected = Object.fromEntries(Object.entries(invalid).filter(([file]) => !(file in knownInvalid)));
    expect(unexpected).toEqual({});
    expect(Object.keys(invalid).sort()).toEqual(Object.keys(knownInvalid).sort());
  });
});
