/**
 * Search value escaping (R4 search.html#escaping): `\,` `\$` `\|` and `\\` stand for the literal characters,
 * so values are split on the unescaped separators first (`,` for OR, `$` for composite components, `|` for
 * system/code) and unescaped last.
 */

/** Splits on `separator` where it is not escaped; escapes are kept for the next level. */
export function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1];
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** Removes the escapes of `\,` `\$` `\|` `\\`; any other backslash is literal. */
export function unescapeValue(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\([,$|\\])/g, '$1');
}
