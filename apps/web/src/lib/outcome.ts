import type { OperationOutcome } from '@medplum/fhirtypes';

/**
 * Field messages from an OperationOutcome: each issue's `expression` (FHIRPath, e.g. `Patient.birthDate` or
 * `Patient.name[0].family`) is matched against the form's field paths; what matches no field is a form-level
 * message. The server's diagnostics are written for developers, so common ones are put in plain words.
 */
export function fieldErrors(outcome: OperationOutcome | undefined, fields: Record<string, string>): { fields: Record<string, string>; form: string[] } {
  const out: Record<string, string> = {};
  const form: string[] = [];
  for (const issue of outcome?.issue ?? []) {
    if (issue.severity !== 'error' && issue.severity !== 'fatal') continue;
    const message = plainMessage(issue.diagnostics ?? issue.details?.text ?? 'This value is not accepted');
    const paths = [...(issue.expression ?? []), ...(issue.location ?? [])].map(normalizePath);
    const field = Object.entries(fields)
      .filter(([, path]) => paths.some((p) => p === path || p.startsWith(path + '.')))
      .sort((a, b) => b[1].length - a[1].length)[0]?.[0];
    if (field) out[field] ??= message;
    else form.push(message);
  }
  return { fields: out, form };
}

/** `Patient.name[0].given[1]` → `Patient.name.given` (forms have one of each). */
export function normalizePath(p: string): string {
  return p.replace(/\[\d+\]/g, '').replace(/\.where\([^)]*\)/g, '');
}

const PLAIN: [RegExp, string][] = [
  [/date|dateTime/i, 'Enter a real date as year-month-day, e.g. 1984-03-21.'],
  [/required|minimum cardinality|missing/i, 'This is required.'],
  [/not a valid code|unknown code|value set/i, 'Choose one of the listed values.'],
];

export function plainMessage(diagnostics: string): string {
  if (/invalid|not valid|does not match|format/i.test(diagnostics)) {
    for (const [re, text] of PLAIN) if (re.test(diagnostics)) return text;
  }
  if (/required|minimum cardinality|missing/i.test(diagnostics)) return 'This is required.';
  return diagnostics;
}
