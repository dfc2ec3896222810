import { describe, expect, it } from 'vitest';
import { isPeerMessage, localPeerGroup, type PeerMessage } from '../src/index.ts';

describe('isPeerMessage: what arrives from another process is checked before it changes a cache', () => {
  it.each<[unknown, boolean]>([
    [{ type: 'grant-revoked', grantId: 'g1' }, true],
    [{ type: 'user-blocked', userId: 'u1' }, true],
    [{ type: 'user-unblocked', userId: 'u1' }, true],
    [{ type: 'break-glass', username: 'cs.main' }, true],
    [{ type: 'grant-revoked', userId: 'u1' }, false],
    [{ type: 'grant-revoked', grantId: '' }, false],
    [{ type: 'grant-revoked', grantId: 'x'.repeat(257) }, false],
    [{ type: 'grant-revoked', grantId: 7 }, false],
    [{ type: 'toString', grantId: 'g1' }, false],
    [{ type: 'drop-everything' }, false],
    [{ grantId: 'g1' }, false],
    ['grant-revoked', false],
    [null, false],
    [undefined, false],
  ])('%j → %s', (value, ok) => {
    expect(isPeerMessage(value)).toBe(ok);
  });
});

describe('localPeerGroup', () => {
  it('delivers a member’s message to every other member, never back to the sender', () => {
    const group = localPeerGroup();
    const [a, b, c] = [group.join(), group.join(), group.join()];
    const got: Record<string, PeerMessage[]> = { a: [], b: [], c: [] };
    a.subscribe((m) => got.a.push(m));
    b.subscribe((m) => got.b.push(m));
    c.subscribe((m) => got.c.push(m));
    const m: PeerMessage = { type: 'grant-revoked', grantId: 'g1' };
    a.publish(m);
    expect(got).toEqual({ a: [], b: [m], c: [m] });
  });
});
