/**
 * What one server process tells the other processes that serve the same database (`confide start --workers N`,
 * docs/architecture.md "Worker processes"), so that what each keeps in memory agrees at once instead of at the
 * next poll: a revoked grant stops working in every process from the moment it is revoked in one, and an
 * emergency access granted in one process is effective in all of them for the very next request.
 *
 * The database stays the source of truth: every process also polls it (revocations every 2 s, break-the-glass
 * grants after 5 s), so a lost message costs seconds, never correctness. Messages name ids only, never PHI.
 */
export type PeerMessage =
  | { type: 'grant-revoked'; grantId: string }
  | { type: 'user-blocked'; userId: string }
  | { type: 'user-unblocked'; userId: string }
  | { type: 'break-glass'; username: string };

export interface Peers {
  /** Sends to every other process; never back to this one. */
  publish(message: PeerMessage): void;
  /** Messages published by the other processes. */
  subscribe(listener: (message: PeerMessage) => void): void;
}

const FIELD: Record<PeerMessage['type'], string> = {
  'grant-revoked': 'grantId',
  'user-blocked': 'userId',
  'user-unblocked': 'userId',
  'break-glass': 'username',
};

/** True for a well-formed message (what arrives over IPC is checked before it changes any cache). */
export function isPeerMessage(value: unknown): value is PeerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(FIELD, type)) return false;
  const id = (value as Record<string, unknown>)[FIELD[type as PeerMessage['type']]];
  return typeof id === 'string' && id.length > 0 && id.length <= 256;
}

/** Processes in one address space (tests): each member's messages reach every other member. */
export function localPeerGroup(): { join(): Peers } {
  const members: ((m: PeerMessage) => void)[][] = [];
  return {
    join() {
      const mine: ((m: PeerMessage) => void)[] = [];
      members.push(mine);
      return {
        publish(message) {
          for (const other of members) if (other !== mine) for (const fn of other) fn(message);
        },
        subscribe(listener) {
          mine.push(listener);
        },
      };
    },
  };
}
