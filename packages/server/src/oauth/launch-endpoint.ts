import type { IncomingMessage } from 'node:http';
import type { Encounter } from '@medplum/fhirtypes';
import { errors, isValidId } from '@confide/fhir';
import type { OAuthContext } from './context.ts';

export interface LaunchRequest {
  patient?: string;
  encounter?: string;
}

/**
 * POST /oauth2/launch: the EHR (Confide's own web app, acting for a signed-in staff user with a bearer token)
 * records the context it is about to launch an app in, and gets the opaque `launch` handle to pass to the app
 * with `iss` (SMART app-launch "Launch App: EHR Launch"). The handle is bound to that user, single use and
 * short-lived. Errors are FHIR OperationOutcomes (this is an API call, not an OAuth protocol endpoint).
 */
export async function launchEndpoint(ctx: OAuthContext, req: IncomingMessage, body: LaunchRequest): Promise<{ launch: string; iss: string; expires_in: number }> {
  const urls = ctx.urls(req);
  const access = await ctx.bearer.authenticate(req, { issuer: urls.issuer, audience: urls.fhirBase });
  if (access.actor.kind !== 'staff' || !access.userId) throw errors.forbidden('Only staff users create EHR launch contexts');
  const client = access.clientId ? await ctx.clients.get(access.clientId) : undefined;
  if (!client?.firstParty) throw errors.forbidden("EHR launch contexts are created by Confide's own apps");
  const patient = body.patient?.replace(/^Patient\//, '');
  const encounter = body.encounter?.replace(/^Encounter\//, '');
  if (!patient) throw errors.badRequest('A launch needs a patient', 'patient');
  if (!isValidId(patient)) throw errors.badRequest('patient is not a valid id', 'patient');
  // Only what the launching user may see: the same decision as the FHIR API (a hidden patient "does not exist").
  const repo = ctx.repo.as(access.actor);
  const p = await repo.readVisible('Patient', patient).catch(() => undefined);
  if (!p || p.deleted) throw errors.badRequest(`Patient/${patient} does not exist`, 'patient');
  if (encounter !== undefined) {
    if (!isValidId(encounter)) throw errors.badRequest('encounter is not a valid id', 'encounter');
    const e = await repo.readVisible('Encounter', encounter).catch(() => undefined);
    if (!e || e.deleted || !e.json) throw errors.badRequest(`Encounter/${encounter} does not exist`, 'encounter');
    const subject = (JSON.parse(e.json) as Encounter).subject?.reference;
    if (subject !== `Patient/${patient}`) throw errors.badRequest(`Encounter/${encounter} is not an encounter of Patient/${patient}`, 'encounter');
  }
  const launch = await ctx.launches.create(access.userId, patient, encounter ?? null);
  ctx.emit({
    type: 'launch-created',
    outcome: 'success',
    userId: access.userId,
    username: access.username,
    clientId: access.clientId,
    patient,
    remoteAddress: req.socket.remoteAddress,
  });
  return { launch: launch.id, iss: urls.fhirBase, expires_in: ctx.config.launchSeconds };
}
