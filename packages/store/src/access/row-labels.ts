import { NOTE_DELEGATE_TAG_SYSTEM, PART2_PROGRAM_TAG_SYSTEM, PSYCHOTHERAPY_LABEL_KEYS } from '@confide/policy';

/** The column (migration 0009) that holds `rowLabels`: written with the search columns (search/indexer.ts). */
export const LABELS_COLUMN = 'labels';

/** The prefixes of the `search_tokens` entries data segmentation reads (segmentation-sql.ts). */
const SECURITY = '_security=';
const PROGRAM_TAG = `_tag=${PART2_PROGRAM_TAG_SYSTEM}|`;
const DELEGATE_TAG = `_tag=${NOTE_DELEGATE_TAG_SYSTEM}|`;
const AUTHOR = 'author=';
const PSYCHOTHERAPY = new Set(PSYCHOTHERAPY_LABEL_KEYS.map((k) => SECURITY + k));

/**
 * The row's `labels` column (migration 0009): the few `search_tokens` entries that data segmentation tests on
 * every row it lets through — the security labels (`_security=<system>|<code>`), the Part 2 program and
 * note-delegate tags, and, on a psychotherapy note only, its authors (`author=<reference>`). Null when there are
 * none, as for almost every row. A row's `search_tokens` is most of a kilobyte and stored compressed: testing it
 * meant decompressing it once per test per row, while this column is small enough to stay plain and is usually
 * null (docs/benchmarks.md, "Segmentation on a small column").
 */
export function rowLabels(tokens: readonly string[] | null): string[] | null {
  if (!tokens) return null;
  const out: string[] = [];
  let psychotherapy = false;
  for (const t of tokens) {
    if (t.startsWith(SECURITY)) {
      // The `*|code` and `system|*` forms are for search; segmentation compares full `system|code` keys.
      if (t.startsWith('_security=*|') || t.endsWith('|*')) continue;
      out.push(t);
      if (PSYCHOTHERAPY.has(t)) psychotherapy = true;
    } else if (t.startsWith(PROGRAM_TAG) || t.startsWith(DELEGATE_TAG)) {
      if (!t.endsWith('|*')) out.push(t);
    }
  }
  if (psychotherapy) for (const t of tokens) if (t.startsWith(AUTHOR)) out.push(t);
  return out.length ? out : null;
}
