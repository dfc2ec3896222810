import type { AuditEvent } from '@medplum/fhirtypes';
import type { AccountEvent } from '@confide/auth';
import type { SecurityEvent } from '../oauth/security-event.ts';
import { buildAuditEvent } from './audit-event.ts';

/**
 * Sign-in, sign-out and account changes (from @confide/auth) as AuditEvents: a failed sign-in with the name
 * that was tried and why (a reason code, never the password or code), a permission change with who made it.
 */
export function accountAuditEvent(e: AccountEvent, recorded: Date): AuditEvent {
  const self = { kind: e.userId ? ('staff' as const) : ('anonymous' as const), username: e.username };
  switch (e.type) {
    case 'sign-in':
    case 'sign-in-failed':
      return buildAuditEvent({
        kind: 'sign-in',
        actor: self,
        remoteAddress: e.remoteAddress,
        outcome: e.type === 'sign-in' ? { status: 200 } : { status: 401, text: e.reason },
        recorded,
      });
    case 'sign-out':
    case 'session-expired':
      return buildAuditEvent({ kind: 'sign-out', actor: self, remoteAddress: e.remoteAddress, outcome: { status: 200, text: e.type === 'session-expired' ? 'session expired' : e.reason }, recorded });
    default:
      return buildAuditEvent({
        kind: 'permission-change',
        actor: { kind: e.by ? 'staff' : 'anonymous', username: e.by ?? 'system' },
        remoteAddress: e.remoteAddress,
        outcome: { status: 200 },
        target: { username: e.username, change: e.reason ? `${e.type}: ${e.reason}` : e.type },
        recorded,
      });
  }
}

/**
 * Token events of the authorization server worth a record of their own: tokens issued (incl. operator
 * tokens from `confide token`), revoked, refused grants and failed client authentication. Sign-ins are
 * recorded from the account events.
 */
export function securityAuditEvent(e: SecurityEvent): AuditEvent | undefined {
  if (e.type === 'sign-in' || e.type === 'sign-in-failed') return undefined;
  const actor = e.username
    ? { kind: 'staff' as const, username: e.username, clientId: e.clientId }
    : { kind: e.clientId ? ('system' as const) : ('anonymous' as const), clientId: e.clientId };
  return buildAuditEvent({
    kind: 'permission-change',
    actor,
    remoteAddress: e.remoteAddress,
    outcome: e.outcome === 'success' ? { status: 200 } : { status: 401, text: e.reason },
    patients: e.patient ? [e.patient] : undefined,
    target: { username: e.username, change: [e.type, e.grantType, e.scope, e.reason].filter(Boolean).join(' ') },
    recorded: e.at,
  });
}
