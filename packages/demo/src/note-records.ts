import type { Composition } from '@medplum/fhirtypes';
import { BIRP, DAP, INTAKE, PSYCHOTHERAPY, SOAP, cosignNote, newNote, signNote, withSectionText, type NoteTemplate } from '@confide/notes';
import { CONDITIONS } from './conditions.ts';
import type { PatientContext, VisitRecord } from './context.ts';
import { fhirDateTime } from './dates.ts';
import { ref } from './fhir-helpers.ts';
import { demoMeta } from './meta.ts';
import type { Stream } from './model.ts';
import { sectionText } from './note-text.ts';
import type { Rng } from './prng.ts';
import { PRACTITIONER, staffMember } from './staff.ts';
import { streamConditions } from './timeline.ts';
import { THERAPY_KINDS } from './visits.ts';

/** Recent visits have signed notes: the last few of each line of care within this many days. */
const NOTE_HISTORY_DAYS = 120;
const NOTES_PER_STREAM = 3;
/** Share of recent therapy sessions whose therapist also kept a psychotherapy note. */
const PSYCHOTHERAPY_NOTE_RATE = 0.4;

function templateFor(record: VisitRecord, rng: Rng): NoteTemplate {
  const { stream, first } = record.visit;
  if (first && stream !== 'primary-care' && stream !== 'sud-iop') return INTAKE;
  switch (stream) {
    case 'therapy':
      return rng.weighted([[DAP, 2], [BIRP, 1], [SOAP, 1]] as const);
    case 'sud-iop':
      return BIRP;
    case 'sud-therapy':
      return DAP;
    default:
      return SOAP;
  }
}

/** A note about one visit, written and signed by its clinician after the visit (the psychiatric NP's co-signed). */
function note(ctx: PatientContext, record: VisitRecord, template: NoteTemplate, rng: Rng): Composition {
  const { visit } = record;
  const clinician = staffMember(visit.practitionerId);
  const time = fhirDateTime(visit.day, visit.end + rng.int(10, 240));
  const diagnoses = streamConditions(ctx.profile, visit.stream)
    .filter((k) => ctx.conditionIds.has(k) && (record.part2 || !ctx.part2Conditions.has(k)))
    .map((k) => CONDITIONS[k].icd10.display);
  const dx = diagnoses.length > 0 ? diagnoses.join('; ') : 'Presenting concerns';
  let n = newNote(template, {
    patient: ctx.patientRef,
    encounter: ref('Encounter', record.encounterId as string),
    author: ref('Practitioner', clinician.id, clinician.display),
    date: time,
  });
  template.sections.forEach((s, i) => {
    const last = i === template.sections.length - 1;
    n = withSectionText(n, i, sectionText(s.code.code as string, rng, ctx.profile.name.given[0], dx) + (last ? ' (Synthetic demo note.)' : ''));
  });
  n = signNote(n, `Practitioner/${clinician.id}`, time);
  if (clinician.id === PRACTITIONER.psychNp && template !== PSYCHOTHERAPY) {
    n = cosignNote(n, `Practitioner/${PRACTITIONER.psychiatrist}`, fhirDateTime(visit.day + 1, rng.int(8 * 60, 17 * 60)));
  }
  return { ...n, id: ctx.nextId('Composition'), meta: demoMeta({ part2: record.part2 }) };
}

/**
 * Signed notes (Compositions, docs/notes.md) for the last few visits of each line of care, and a psychotherapy
 * note for some of the therapists' recent sessions. Drawn from their own random stream, so notes never change
 * the rest of the chart.
 */
export function noteResources(ctx: PatientContext, records: readonly VisitRecord[], rng: Rng): Composition[] {
  const byStream = new Map<Stream, VisitRecord[]>();
  for (const r of records) {
    if (!r.encounterId || r.visit.day < ctx.today - NOTE_HISTORY_DAYS) continue;
    byStream.set(r.visit.stream, [...(byStream.get(r.visit.stream) ?? []), r]);
  }
  const chosen = [...byStream.values()]
    .flatMap((list) => list.slice(-NOTES_PER_STREAM))
    .sort((a, b) => a.visit.day - b.visit.day || a.visit.start - b.visit.start);
  const out: Composition[] = [];
  for (const r of chosen) {
    out.push(note(ctx, r, templateFor(r, rng), rng));
    if (r.visit.stream === 'therapy' && THERAPY_KINDS.includes(r.visit.kind) && rng.chance(PSYCHOTHERAPY_NOTE_RATE)) out.push(note(ctx, r, PSYCHOTHERAPY, rng));
  }
  return out;
}
