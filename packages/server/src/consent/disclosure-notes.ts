import type { Coding, OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { ACT_CODE_SYSTEM, PART2_REDISCLOSURE_NOTICE } from '@confide/policy';
import { withheldPatients, type Access, type Queryable } from '@confide/store';

/**
 * What a response says about segmented data, besides the data itself (docs/consent.md):
 *
 * - **The 42 CFR 2.32 redisclosure notice.** Every Part 2 record keeps its labels (`42CFRPart2`, `NORDSCLCD`) in
 *   `meta.security`; a searchset or `$everything` Bundle that holds one also carries the notice text as an
 *   OperationOutcome entry with `search.mode = outcome` (R4 search.html#errors: "an OperationOutcome … with
 *   search.mode = outcome") whose issue is coded with the obligation NORDSCLCD, and a search Bundle carries the
 *   labels as its own `meta.security` (the DS4P IG's high-water mark on a Bundle, as its "Bundle-level" labels).
 * - **Withheld by consent.** When Part 2 or the patient's consents hid records of the patient a search or
 *   `$everything` was about, an OperationOutcome issue with code `suppressed` (R4 issue-type: "The information was
 *   suppressed … for privacy reasons") says so, without saying what. Psychotherapy notes never count.
 */

const PART2_TOKEN = '"42CFRPart2"';
const NORDSCLCD: Coding = { system: ACT_CODE_SYSTEM, code: 'NORDSCLCD' };

/** Whether a resource's JSON text carries the Part 2 label (a cheap scan of the stored text, never parsed). */
export function isPart2Json(json: string | null | undefined): boolean {
  if (!json || !json.includes(PART2_TOKEN)) return false;
  const r = JSON.parse(json) as { meta?: { security?: Coding[] } };
  return (r.meta?.security ?? []).some((l) => l.system === ACT_CODE_SYSTEM && l.code === '42CFRPart2');
}

export function redisclosureIssue(): OperationOutcomeIssue {
  return { severity: 'information', code: 'informational', details: { coding: [NORDSCLCD], text: PART2_REDISCLOSURE_NOTICE } };
}

/** Extension on a bulk export's `suppressed` issue: the patient it is about (valueReference `Patient/<id>`). */
export const WITHHELD_PATIENT_EXTENSION = 'https://confide.health/fhir/StructureDefinition/withheld-patient';

/**
 * The "withheld by consent" issue. Without a patient, for a Bundle about one patient; with one, for a bulk export
 * (one OperationOutcome per patient in the manifest's `error` files), naming the patient in the text and in
 * `WITHHELD_PATIENT_EXTENSION` — never what or how many.
 */
export function withheldIssue(patientId?: string): OperationOutcomeIssue {
  const whose = patientId ? `Patient/${patientId}` : undefined;
  const out: OperationOutcomeIssue = {
    severity: 'information',
    code: 'suppressed',
    details: { text: `Some of ${whose ? `the records of ${whose}` : "this patient's records"} are withheld by the patient's consent or by 42 CFR Part 2` },
  };
  if (whose) out.extension = [{ url: WITHHELD_PATIENT_EXTENSION, valueReference: { reference: whose } }];
  return out;
}

/** The labels a search Bundle holding Part 2 records carries itself. */
export const PART2_BUNDLE_SECURITY: Coding[] = [
  { system: ACT_CODE_SYSTEM, code: '42CFRPart2' },
  NORDSCLCD,
];

/** The patient a search is about when it names exactly one (`patient=`/`subject=` with one Patient), for the withheld signal. */
export function searchedPatient(type: string, query: URLSearchParams, compartment: string | undefined): string | undefined {
  if (compartment?.startsWith('Patient/')) return compartment.slice(8);
  if (type === 'Patient') return undefined;
  for (const name of ['patient', 'subject']) {
    const values = query.getAll(name);
    if (values.length !== 1 || values[0].includes(',')) continue;
    const m = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(values[0]);
    if (m && (name === 'patient' || values[0].startsWith('Patient/'))) return m[1];
  }
  return undefined;
}

/**
 * What an export says besides its resources (FHIR Bulk Data `$export`'s `error` files, export.html#response---
 * complete-status: "error, warning, and information messages related to the export"; `confide export --as`'s
 * OperationOutcome.ndjson), one OperationOutcome each: the 42 CFR 2.32 notice when Part 2 records are among the
 * files, then one `suppressed` issue per exported patient some of whose records Part 2 or their consents withheld
 * from the caller (never for psychotherapy notes, which `withheldPatients` does not see). `exported` and `named` are
 * bare Patient ids; no `access`: the operator's full export, which withholds nothing.
 */
export async function exportOutcomes(
  q: Queryable,
  access: Access | undefined,
  types: readonly string[],
  found: { part2: boolean; named?: readonly string[]; exported: Iterable<string> },
): Promise<OperationOutcome[]> {
  const withheld = access ? await withheldPatients(q, access, types, found) : [];
  const issues = [...(found.part2 ? [redisclosureIssue()] : []), ...withheld.map((p) => withheldIssue(p))];
  return issues.map((issue) => ({ resourceType: 'OperationOutcome', issue: [issue] }));
}
