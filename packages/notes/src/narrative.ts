import type { Narrative } from '@medplum/fhirtypes';

const XHTML = 'http://www.w3.org/1999/xhtml';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Plain text as an R4 Narrative (narrative.html): one `<p>` per paragraph (blank-line separated), line breaks
 * kept as `<br/>`. Status `additional`: the text is the clinician's own, not generated from data.
 */
export function textNarrative(text: string): Narrative {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const body = paragraphs.map((p) => `<p>${p.split('\n').map(escapeXml).join('<br/>')}</p>`).join('');
  return { status: 'additional', div: `<div xmlns="${XHTML}">${body}</div>` };
}

/** The plain text of a Narrative written by `textNarrative` (or any simple XHTML): tags dropped, entities decoded. */
export function narrativeText(narrative: Narrative | undefined): string {
  if (!narrative?.div) return '';
  return narrative.div
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<\/p>\s*<p[^>]*>/g, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}
