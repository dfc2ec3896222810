import { errors } from '@confide/fhir';
import { ACT_REASON_SYSTEM, isEmergencyPurpose, isPurposeOfUse, purposeCovers, type Actor } from '@confide/policy';

/** The request header that states the purpose of use of one request (docs/consent.md). */
export const PURPOSE_HEADER = 'x-purpose-of-use';

/** Purposes a staff user may state for a request (treatment, payment, operations and their descendants). */
const STAFF_PURPOSES = ['TREAT', 'HPAYMT', 'HOPERAT'];

/**
 * The purpose of use of a request: the header `X-Purpose-Of-Use` (a v3-ActReason code, optionally as
 * `system|code`) when the caller states one, else the purpose the token was granted with. Who may state what:
 *
 * - staff: TREAT, HPAYMT, HOPERAT or a v3-ActReason descendant of them (CAREMGT, CLMATTCH…);
 * - patients: PATRQT only (their own request);
 * - backend services: only the purpose their registration grants (the header may repeat it, not change it);
 * - emergency purposes (ETREAT, BTG, ERTREAT) are never stated by header: they come from a break-the-glass grant.
 *
 * Anything else is a 403 (a purpose the caller may not claim) or a 400 (not a purpose code), naming the header.
 */
export function requestPurpose(actor: Actor, granted: string | undefined, header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return granted;
  const raw = header.trim();
  const bar = raw.lastIndexOf('|');
  const system = bar >= 0 ? raw.slice(0, bar) : undefined;
  const code = bar >= 0 ? raw.slice(bar + 1) : raw;
  if ((system !== undefined && system !== ACT_REASON_SYSTEM) || !isPurposeOfUse(code)) {
    throw errors.badRequest(`X-Purpose-Of-Use must be an HL7 v3-ActReason purpose of use (${ACT_REASON_SYSTEM}), such as TREAT, HPAYMT or HOPERAT`, 'http.header.X-Purpose-Of-Use');
  }
  if (isEmergencyPurpose(code)) {
    throw errors.forbidden('Emergency access (ETREAT) is requested with Patient/[id]/$break-the-glass, not stated by a header');
  }
  const allowed =
    actor.kind === 'staff' ? STAFF_PURPOSES.some((p) => purposeCovers(p, code)) : actor.kind === 'patient' ? code === 'PATRQT' : code === granted;
  if (!allowed) throw errors.forbidden(`This caller may not act for purpose of use ${code}`);
  return code;
}
