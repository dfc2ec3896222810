/**
 * Session inactivity (docs/web.md): the server ends an online grant after its idle timeout (15 minutes by
 * default, `auth.sessionIdleMinutes`); the app warns `warnSeconds` before that and signs out at the limit.
 */
export const IDLE_MINUTES = 15;
export const WARN_SECONDS = 120;

export type IdlePhase = 'active' | 'warning' | 'expired';

/** Which phase `idleMs` of inactivity is in. Pure, so the thresholds are tested without timers. */
export function idlePhase(idleMs: number, idleMinutes = IDLE_MINUTES, warnSeconds = WARN_SECONDS): IdlePhase {
  const limit = idleMinutes * 60_000;
  if (idleMs >= limit) return 'expired';
  if (idleMs >= limit - warnSeconds * 1000) return 'warning';
  return 'active';
}

export function secondsLeft(idleMs: number, idleMinutes = IDLE_MINUTES): number {
  return Math.max(0, Math.ceil((idleMinutes * 60_000 - idleMs) / 1000));
}
