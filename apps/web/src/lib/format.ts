import type { CodeableConcept, HumanName, Identifier, Patient, Quantity, Reference } from '@medplum/fhirtypes';

/** "Thompson, Maya R." style: family first, as clinicians scan lists. */
export function nameOf(names: HumanName[] | undefined, style: 'list' | 'display' = 'display'): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.find((x) => x.use !== 'old') ?? names?.[0];
  if (!n) return 'Unnamed';
  if (n.text && !n.family) return n.text;
  const given = (n.given ?? []).join(' ');
  if (style === 'list') return [n.family, given].filter(Boolean).join(', ');
  return [given, n.family].filter(Boolean).join(' ') || n.text || 'Unnamed';
}

/** Age in whole years on `today` (or months under two, days under a month). */
export function ageOf(birthDate: string | undefined, today = new Date()): string {
  if (!birthDate) return '';
  const [y, m = 1, d = 1] = birthDate.split('-').map(Number);
  let years = today.getFullYear() - y;
  let months = today.getMonth() + 1 - m;
  if (today.getDate() < d) months--;
  if (months < 0) {
    years--;
    months += 12;
  }
  if (years >= 2) return `${years} y`;
  const totalMonths = years * 12 + months;
  if (totalMonths >= 1) return `${totalMonths} mo`;
  const days = Math.floor((today.getTime() - new Date(y, m - 1, d).getTime()) / 86_400_000);
  return `${Math.max(0, days)} d`;
}

export function sexOf(p: Patient): string {
  const sexes: Record<string, string> = { male: 'Male', female: 'Female', other: 'Other', unknown: 'Unknown' };
  return sexes[p.gender ?? ''] ?? '—';
}

export function codeText(c: CodeableConcept | undefined): string {
  return c?.text ?? c?.coding?.find((x) => x.display)?.display ?? c?.coding?.[0]?.code ?? '—';
}

export function quantityText(q: Quantity | undefined): string {
  if (!q || q.value === undefined) return '';
  return `${round(q.value)} ${q.unit ?? q.code ?? ''}`.trim();
}

export function round(n: number): number {
  return Math.round(n * 10) / 10;
}

const DATE = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
const DATE_TIME = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' });
const TIME = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' });

/** A FHIR date or dateTime for people. Dates without a time are shown as they are written (no time zone shift). */
export function dateText(value: string | undefined, withTime = false): string {
  if (!value) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-').map(Number);
    return DATE.format(new Date(y, m - 1, d));
  }
  if (/^\d{4}(-\d{2})?$/.test(value)) return value;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? value : (withTime ? DATE_TIME : DATE).format(t);
}

export function timeText(value: string | undefined): string {
  return value ? TIME.format(new Date(value)) : '';
}

/** The medical record number first, then other identifiers, as "MRN 12345". */
export function identifierText(ids: Identifier[] | undefined): string[] {
  return (ids ?? []).map((i) => `${i.type?.coding?.[0]?.code ?? i.type?.text ?? 'ID'} ${i.value ?? ''}`.trim());
}

export function refId(ref: Reference | string | undefined): string | undefined {
  const s = typeof ref === 'string' ? ref : ref?.reference;
  return s?.split('/').pop();
}

/** A date as YYYY-MM-DD in local time. */
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
