import { describe, expect, it } from 'vitest';
import { afterFailure, afterSuccess, DEFAULT_LOCKOUT, isLocked, lockRemainingMs, type LockState } from '../src/index.ts';

const T = new Date('2026-03-01T09:00:00Z');
const at = (minutes: number) => new Date(T.getTime() + minutes * 60_000);

describe('lockout', () => {
  it('defaults to 5 failures and 15 minutes', () => {
    expect(DEFAULT_LOCKOUT).toEqual({ maxFailures: 5, lockMinutes: 15 });
  });

  const cases: Array<[name: string, state: LockState, now: Date, expected: LockState & { lockedNow: boolean }]> = [
    ['first failure', { failedAttempts: 0, lockedUntil: null }, T, { failedAttempts: 1, lockedUntil: null, lockedNow: false }],
    ['fourth failure', { failedAttempts: 3, lockedUntil: null }, T, { failedAttempts: 4, lockedUntil: null, lockedNow: false }],
    ['fifth failure locks', { failedAttempts: 4, lockedUntil: null }, T, { failedAttempts: 5, lockedUntil: at(15), lockedNow: true }],
    ['a failure while locked changes nothing', { failedAttempts: 5, lockedUntil: at(15) }, at(1), { failedAttempts: 5, lockedUntil: at(15), lockedNow: false }],
    ['after the lock the count starts again', { failedAttempts: 5, lockedUntil: at(15) }, at(16), { failedAttempts: 1, lockedUntil: null, lockedNow: false }],
  ];
  it.each(cases)('%s', (_name, state, now, expected) => {
    expect(afterFailure(state, now)).toEqual(expected);
  });

  it('is locked until lockedUntil, exclusive', () => {
    const s = { failedAttempts: 5, lockedUntil: at(15) };
    expect(isLocked(s, at(0))).toBe(true);
    expect(isLocked(s, new Date(at(15).getTime() - 1))).toBe(true);
    expect(isLocked(s, at(15))).toBe(false);
    expect(lockRemainingMs(s, at(10))).toBe(5 * 60_000);
    expect(lockRemainingMs(s, at(20))).toBe(0);
    expect(isLocked({ failedAttempts: 3, lockedUntil: null }, T)).toBe(false);
    expect(afterSuccess()).toEqual({ failedAttempts: 0, lockedUntil: null });
  });

  it('honours a custom policy', () => {
    expect(afterFailure({ failedAttempts: 1, lockedUntil: null }, T, { maxFailures: 2, lockMinutes: 1 })).toEqual({
      failedAttempts: 2,
      lockedUntil: at(1),
      lockedNow: true,
    });
  });
});
