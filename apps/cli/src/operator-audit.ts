import type { Db } from '@confide/store';
import { AuditLog } from '@confide/store';
import { buildAuditEvent, type AuditInput } from '@confide/server';
import { osUser } from './operator-socket.ts';

/**
 * Records what an operator did with a CLI command that touches records outside the API (`confide export`,
 * `confide import`): one AuditEvent for the run, with the OS user as the actor, committed before the
 * command reports success.
 */
export async function auditOperator(db: Db, input: Omit<AuditInput, 'actor' | 'recorded'>): Promise<void> {
  const log = new AuditLog(db);
  try {
    await log.append([buildAuditEvent({ ...input, actor: { kind: 'staff', username: `cli:${osUser()}` }, recorded: new Date() })]);
  } finally {
    await log.close();
  }
}
