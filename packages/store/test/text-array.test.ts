import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Db } from '../src/index.ts';
import { encodeArrayParams, parseTextArray, textArrayLiteral } from '../src/db/text-array.ts';
import { scratchDb } from './support.ts';

// pg's own text[] parser (postgres-array), as it was before Confide registered the fast path.
const general = (s: string): unknown => (pg.types.arrayParser as unknown as { create(s: string, f: (x: string) => string): { parse(): unknown } }).create(s, (x) => x).parse();

/** Arrays whose PostgreSQL text form takes every kind of quoting the output rules have. */
const ARRAYS: (string | null)[][] = [
  [],
  ['Patient/1'],
  ['Patient/a', 'Patient/b-2.x'],
  ['SUD', 'R', '42CFRPart2', 'NORDSCLCD'],
  [null],
  ['a', null, 'b'],
  [''],
  ['NULL'],
  ['null'],
  ['with space'],
  ['comma,inside', 'x'],
  ['{braces}'],
  ['quote"d', 'back\\slash'],
  ['tab\there', 'new\nline'],
  ['ünïcödé', '日本'],
];

describe('parseTextArray', () => {
  it.each([
    ['{}', []],
    ['{a}', ['a']],
    ['{a,b,c}', ['a', 'b', 'c']],
    ['{Patient/1,Patient/2}', ['Patient/1', 'Patient/2']],
    ['{NULL}', [null]],
    ['{a,NULL,b}', ['a', null, 'b']],
    ['{"NULL"}', ['NULL']],
    ['{""}', ['']],
    ['{"a b",c}', ['a b', 'c']],
    ['{"a,b"}', ['a,b']],
    ['{"a\\"b"}', ['a"b']],
    ['{"a\\\\b"}', ['a\\b']],
    ['{{a,b},{c,d}}', [['a', 'b'], ['c', 'd']]],
  ] as [string, unknown][])('%s', (text, expected) => {
    expect(parseTextArray(text, general)).toEqual(expected);
    expect(parseTextArray(text, general)).toEqual(general(text));
  });

  it('leaves what is not one plain array to the general parser', () => {
    const seen: string[] = [];
    const spy = (s: string) => (seen.push(s), 'general');
    for (const s of ['{"a"}', '{a\\,b}', '{{a}}', '[0:1]={a,b}', 'x', '']) expect(parseTextArray(s, spy)).toBe('general');
    expect(seen).toHaveLength(6);
    expect(parseTextArray('{a,b}', spy)).toEqual(['a', 'b']);
    expect(seen).toHaveLength(6);
  });
});

describe('textArrayLiteral', () => {
  it.each([
    [[], '{}'],
    [['a'], '{"a"}'],
    [['a', null], '{"a",NULL}'],
    [['NULL'], '{"NULL"}'],
    [['a"b', 'c\\d'], '{"a\\"b","c\\\\d"}'],
  ] as [(string | null)[], string][])('%j → %s', (values, literal) => {
    expect(textArrayLiteral(values)).toBe(literal);
  });

  it('turns string arrays into literals and leaves other parameters alone', () => {
    expect(encodeArrayParams(['x', ['a', 'b'], 3, null, [1, 2]])).toEqual(['x', '{"a","b"}', 3, null, [1, 2]]);
  });
});

describe('through the database', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await scratchDb());
  });
  afterAll(() => close());

  it.each(ARRAYS.map((a) => [JSON.stringify(a), a] as const))('%s: the literal is read as the array, and the array reads back equal', async (_, values) => {
    const r = await db.query<{ a: (string | null)[]; t: string }>('SELECT $1::text[] AS a, ($1::text[])::text AS t', [textArrayLiteral(values)]);
    expect(r.rows[0].a).toEqual(values);
    // What PostgreSQL prints for it, parsed by the fast path (or handed on), is the array again.
    expect(parseTextArray(r.rows[0].t, general)).toEqual(values);
  });
});
