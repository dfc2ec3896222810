import { migrate, type Db } from '@confide/store';
import { Accounts, type AccountEvent, type AccountsOptions } from '../src/index.ts';
import { scratchDb } from '../../store/test/support.ts';

/** A migrated scratch database on the backend under test (PGlite, or PostgreSQL when DATABASE_URL is set). */
export async function migratedDb(): Promise<{ db: Db; close(): Promise<void> }> {
  const s = await scratchDb();
  await migrate(s.db);
  return s;
}

/** A clock the test moves by hand. */
export class Clock {
  t: number;
  constructor(start = '2026-03-02T09:00:00.000Z') {
    this.t = Date.parse(start);
  }
  now = (): Date => new Date(this.t);
  advance(minutes: number): Date {
    this.t += minutes * 60_000;
    return this.now();
  }
  advanceSeconds(seconds: number): Date {
    this.t += seconds * 1000;
    return this.now();
  }
}

/** Accounts on `db` with a test clock and an event log. */
export function accountsWith(db: Db, options: AccountsOptions = {}): { accounts: Accounts; clock: Clock; events: AccountEvent[] } {
  const clock = new Clock();
  const events: AccountEvent[] = [];
  const accounts = new Accounts(db, { now: clock.now, onEvent: (e) => events.push(e), ...options });
  return { accounts, clock, events };
}

export const PASSWORD = 'lantern-Meadow-42';
