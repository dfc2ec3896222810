/** Tokens of FHIRPath (http://hl7.org/fhirpath/N1/#lexical-elements). */
export interface Token {
  kind: 'ident' | 'string' | 'number' | 'op' | 'variable' | 'eof';
  text: string;
  pos: number;
}

const OPERATORS = ['!=', '!~', '<=', '>=', '.', '(', ')', '[', ']', '{', '}', ',', '|', '=', '~', '<', '>', '+', '-', '*', '/', '&'];

export class FhirPathSyntaxError extends Error {
  constructor(message: string, expression: string) {
    super(`${message} in FHIRPath expression: ${expression}`);
    this.name = 'FhirPathSyntaxError';
  }
}

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && expression[i + 1] === '/') {
      while (i < expression.length && expression[i] !== '\n') i++;
      continue;
    }
    if (c === "'" || c === '`') {
      let text = '';
      let j = i + 1;
      while (j < expression.length && expression[j] !== c) {
        if (expression[j] === '\\' && j + 1 < expression.length) {
          const e = expression[j + 1];
          text += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          j += 2;
        } else {
          text += expression[j++];
        }
      }
      if (j >= expression.length) throw new FhirPathSyntaxError('Unterminated string', expression);
      tokens.push({ kind: c === "'" ? 'string' : 'ident', text, pos: i });
      i = j + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(expression.slice(i));
    if (num) {
      tokens.push({ kind: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_$][A-Za-z0-9_]*/.exec(expression.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    if (c === '%') {
      const v = /^%([A-Za-z_][A-Za-z0-9_]*|`[^`]*`|'[^']*')/.exec(expression.slice(i));
      if (!v) throw new FhirPathSyntaxError(`Bad variable at ${i}`, expression);
      tokens.push({ kind: 'variable', text: v[1].replace(/^[`']|[`']$/g, ''), pos: i });
      i += v[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => expression.startsWith(o, i));
    if (!op) throw new FhirPathSyntaxError(`Unexpected '${c}' at ${i}`, expression);
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', pos: expression.length });
  return tokens;
}
