/**
 * Normal form for string search (R4 search.html#string: "case-insensitive and accent-insensitive"): lower case,
 * diacritics removed (NFD decomposition, combining marks dropped), runs of whitespace collapsed to one space,
 * trimmed. The storage layer applies it both to indexed values and to search values.
 */
const MARKS = /\p{M}+/gu;
const SPACES = /\s+/g;

export function normalizeString(value: string): string {
  return value.normalize('NFD').replace(MARKS, '').toLowerCase().replace(SPACES, ' ').trim();
}
