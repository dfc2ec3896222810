/**
 * Lockout after repeated failures, decided without I/O: the caller reads the counter and the lock from the
 * account, asks these functions, and writes back what they return.
 */
export interface LockoutPolicy {
  /** Failed passwords or one-time codes in a row that lock the account. */
  maxFailures: number;
  /** How long a lock lasts. */
  lockMinutes: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = Object.freeze({ maxFailures: 5, lockMinutes: 15 });

export interface LockState {
  failedAttempts: number;
  lockedUntil: Date | null;
}

/** True while a lock is in force. A lock ends at `lockedUntil` exactly. */
export function isLocked(state: LockState, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

/** Milliseconds until the lock ends (0 when not locked). */
export function lockRemainingMs(state: LockState, now: Date): number {
  return isLocked(state, now) ? state.lockedUntil!.getTime() - now.getTime() : 0;
}

/**
 * The state after one more failure. A lock that has run out starts a fresh count, so one failure after a
 * lock does not lock again. `lockedNow` is true when this failure set the lock.
 */
export function afterFailure(state: LockState, now: Date, policy: LockoutPolicy = DEFAULT_LOCKOUT): LockState & { lockedNow: boolean } {
  if (isLocked(state, now)) return { ...state, lockedNow: false };
  const expired = state.lockedUntil !== null;
  const failedAttempts = (expired ? 0 : state.failedAttempts) + 1;
  if (failedAttempts >= policy.maxFailures) {
    return { failedAttempts, lockedUntil: new Date(now.getTime() + policy.lockMinutes * 60_000), lockedNow: true };
  }
  return { failedAttempts, lockedUntil: null, lockedNow: false };
}

/** The state after a successful sign-in or an administrator's unlock. */
export function afterSuccess(): LockState {
  return { failedAttempts: 0, lockedUntil: null };
}

/** Refuses policies that would never lock or lock forever by mistake. */
export function checkLockoutPolicy(policy: LockoutPolicy): void {
  if (!Number.isInteger(policy.maxFailures) || policy.maxFailures < 1) throw new RangeError('lockout.maxFailures must be a positive integer');
  if (!(policy.lockMinutes > 0) || !Number.isFinite(policy.lockMinutes)) throw new RangeError('lockout.lockMinutes must be a positive number');
}
