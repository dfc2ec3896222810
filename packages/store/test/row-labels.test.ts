import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrations, rowLabels, type Db } from '../src/index.ts';
import { scratchDb } from './support.ts';

const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const CONF = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const PROGRAM = 'https://confide.health/fhir/CodeSystem/part2-program';
const DELEGATE = 'https://confide.health/fhir/CodeSystem/note-delegate';

describe('rowLabels', () => {
  const cases: [string, string[] | null, string[] | null][] = [
    ['no tokens', null, null],
    ['nothing segmentation reads', ['code=http://loinc.org|8302-2', 'subject=Patient/p1', '_tag=https://smarthealthit.org/tags|synthea'], null],
    [
      'security labels in their full form only',
      [`_security=${ACT}|SUD`, `_security=*|SUD`, `_security=${ACT}|*`, `_security=${CONF}|R`, 'subject=Patient/p1'],
      [`_security=${ACT}|SUD`, `_security=${CONF}|R`],
    ],
    ['the Part 2 program tag', [`_tag=${PROGRAM}|Organization/o1`, `_tag=${PROGRAM}|*`, `_tag=*|Organization/o1`], [`_tag=${PROGRAM}|Organization/o1`]],
    ['a delegate tag', [`_tag=${DELEGATE}|Practitioner/d2`], [`_tag=${DELEGATE}|Practitioner/d2`]],
    ['authors of an ordinary note are left out', ['author=Practitioner/d1', `_security=${CONF}|N`], [`_security=${CONF}|N`]],
    [
      'authors of a psychotherapy note follow its labels',
      ['author=Practitioner/d1', `_security=${ACT}|PSYTHPN`, 'author=Practitioner/d3', 'subject=Patient/p1'],
      [`_security=${ACT}|PSYTHPN`, 'author=Practitioner/d1', 'author=Practitioner/d3'],
    ],
    ['HIPAAPsyNotes marks one too', [`_security=${ACT}|HIPAAPsyNotes`, 'author=Practitioner/d1'], [`_security=${ACT}|HIPAAPsyNotes`, 'author=Practitioner/d1']],
  ];
  it.each(cases)('%s', (_name, tokens, expected) => {
    expect(rowLabels(tokens)).toEqual(expected);
  });
});

describe('migration 9 back-fills labels, and the Part 2 compartments, of the rows already stored', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('as the write path computes them', async () => {
    const s = await scratchDb();
    close = s.close;
    const db: Db = s.db;
    await migrate(db, migrations.filter((m) => m.version < 9));
    const rows: [string, string[] | null][] = cases();
    for (const [id, tokens] of rows) {
      await db.query(
        `INSERT INTO "Composition" (id, version_id, last_updated, deleted, content, search_tokens, compartments) VALUES ($1, 1, now(), false, '{}', $2::text[], $3::text[])`,
        [id, tokens, [`Patient/${id}`]],
      );
    }
    await migrate(db);
    const r = await db.query<{ id: string; labels: string[] | null }>('SELECT id, labels FROM "Composition" ORDER BY id');
    expect(r.rows.map((x) => [x.id, x.labels])).toEqual(rows.map(([id, tokens]) => [id, rowLabels(tokens)]).sort());
    // The patients whose compartment holds a Part 2 row: only d's.
    const p = await db.query<{ patient: string }>('SELECT patient FROM part2_compartment');
    expect(p.rows.map((x) => x.patient)).toEqual(['Patient/d']);
  });
});

function cases(): [string, string[] | null][] {
  return [
    ['a', null],
    ['b', ['type=http://loinc.org|11506-3', 'subject=Patient/p1']],
    ['c', ['author=Practitioner/d1', `_security=${ACT}|PSYTHPN`, `_security=*|PSYTHPN`, `_tag=${DELEGATE}|Practitioner/d2`, 'author=Practitioner/d4']],
    ['d', [`_security=${ACT}|42CFRPart2`, `_tag=${PROGRAM}|Organization/o1`, `_tag=${PROGRAM}|*`, 'author=Practitioner/d1']],
    ['e', [`_security=${CONF}|R`, `_security=${CONF}|*`]],
  ];
}
