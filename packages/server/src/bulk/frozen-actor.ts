import { parseScopesLenient, type Actor } from '@confide/policy';
import type { AccessContext } from '../identity/access-context.ts';

/** An Actor as a job row keeps it: the scopes as their text (parsed scopes hold Sets, which JSON drops). */
export type FrozenActor = Omit<Actor, 'scopes'> & { scopes: string[] };

/** Who kicked off a job, for its audit record: never more than an AuditEvent names. */
export interface FrozenAudit {
  kind: Actor['kind'];
  clientId?: string;
  username?: string;
  fhirUser?: string;
  purposeOfUse?: string;
  remoteAddress?: string;
}

/**
 * The caller as of the kick-off (Bulk Data STU2 export.html: the export is the data the client was authorized for
 * when it asked): the token's actor with the request's purpose of use and break-the-glass grants, frozen so that
 * the job, however late it runs, reads no more than that request could have.
 */
export function freezeActor(actor: Actor): FrozenActor {
  return { ...actor, scopes: actor.scopes.map((s) => s.text) };
}

/** Back to an Actor. A scope that no longer parses grants nothing (lenient: never more access than was given). */
export function thawActor(frozen: FrozenActor): Actor {
  return { ...frozen, scopes: parseScopesLenient(frozen.scopes).scopes };
}

export function freezeAudit(access: AccessContext): FrozenAudit {
  return {
    kind: access.actor.kind,
    clientId: access.clientId,
    username: access.username,
    fhirUser: access.fhirUser,
    purposeOfUse: access.purposeOfUse,
    remoteAddress: access.remoteAddress,
  };
}

/**
 * Who may poll a job and download its files (export.html: "the server SHALL … only provide the files to the
 * client that requested the export"): the same kind of actor, the same OAuth client and the same account.
 */
export function ownerKey(access: AccessContext): string {
  return JSON.stringify([access.actor.kind, access.clientId ?? '', access.username ?? access.actor.userId]);
}
