import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { ARGON2_PARAMS, dummyVerify, hashPassword, needsRehash, verifyPassword } from '../src/index.ts';

describe('password hashing', () => {
  it('hashes with Argon2id at or above the OWASP minimum, salted', async () => {
    const h = await hashPassword('lantern-meadow-42');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    const p = parseOptions(h);
    expect(p.memoryCost).toBeGreaterThanOrEqual(19_456);
    expect(p.timeCost).toBeGreaterThanOrEqual(2);
    expect(p.parallelism).toBeGreaterThanOrEqual(1);
    expect(ARGON2_PARAMS.memoryCost).toBeGreaterThanOrEqual(19_456);
    expect(await hashPassword('lantern-meadow-42')).not.toBe(h);
    expect(needsRehash(h)).toBe(false);
  });

  it('verifies the right password only', async () => {
    const h = await hashPassword('lantern-meadow-42');
    expect(await verifyPassword(h, 'lantern-meadow-42')).toBe(true);
    expect(await verifyPassword(h, 'lantern-meadow-43')).toBe(false);
    expect(await verifyPassword(h, '')).toBe(false);
  });

  it('normalizes Unicode: composed and decomposed forms are the same password', async () => {
    const h = await hashPassword('gr\u00fcne-\u00e4pfel-12');
    expect(await verifyPassword(h, 'gru\u0308ne-a\u0308pfel-12')).toBe(true);
  });

  it('never matches a missing or malformed hash, and does not throw', async () => {
    expect(await verifyPassword(null, 'anything-at-all')).toBe(false);
    expect(await verifyPassword('not a hash', 'anything-at-all')).toBe(false);
    expect(await dummyVerify('anything-at-all')).toBe(false);
  });

  it('asks for a rehash of weaker or foreign hashes', () => {
    expect(needsRehash('$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g')).toBe(true);
    expect(needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
  });
});
