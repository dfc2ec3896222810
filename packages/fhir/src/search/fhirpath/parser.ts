import type { FhirPathNode } from './ast.ts';
import { FhirPathSyntaxError, tokenize, type Token } from './lexer.ts';

/**
 * A precedence-climbing parser for FHIRPath expressions (http://hl7.org/fhirpath/N1/#operator-precedence).
 * Binary levels from loosest to tightest; `is`/`as` and unary sign are handled separately.
 */
const BINARY_LEVELS: string[][] = [
  ['implies'],
  ['or', 'xor'],
  ['and'],
  ['in', 'contains'],
  ['=', '~', '!=', '!~'],
  ['<', '>', '<=', '>='],
  ['|'],
];
const ADDITIVE = ['+', '-', '&'];
const MULTIPLICATIVE = ['*', '/', 'div', 'mod'];

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): FhirPathNode {
    const node = this.binary(0);
    if (this.peek().kind !== 'eof') this.fail(`Unexpected '${this.peek().text}'`);
    return node;
  }

  private peek(): Token {
    return this.tokens[Math.min(this.pos, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return (t.kind === 'op' || t.kind === 'ident') && t.text === text;
  }

  private expect(text: string): void {
    if (!this.isOp(text)) this.fail(`Expected '${text}'`);
    this.pos++;
  }

  private fail(message: string): never {
    throw new FhirPathSyntaxError(`${message} at ${this.peek().pos}`, this.source);
  }

  private binary(level: number): FhirPathNode {
    if (level >= BINARY_LEVELS.length) return this.typeExpression();
    let left = this.binary(level + 1);
    while (BINARY_LEVELS[level].some((op) => this.isOp(op))) {
      const op = this.next().text;
      const right = this.binary(level + 1);
      left = { kind: 'binary', op, left, right };
    }
    return left;
  }

  private typeExpression(): FhirPathNode {
    let operand = this.additive();
    while (this.isOp('is') || this.isOp('as')) {
      const op = this.next().text as 'is' | 'as';
      operand = { kind: 'type-op', op, operand, typeName: this.typeSpecifier() };
    }
    return operand;
  }

  private typeSpecifier(): string {
    const first = this.next();
    if (first.kind !== 'ident') this.fail('Expected a type name');
    let name = first.text;
    if (this.isOp('.')) {
      this.pos++;
      const second = this.next();
      if (second.kind !== 'ident') this.fail('Expected a type name');
      name += `.${second.text}`;
    }
    return name;
  }

  private additive(): FhirPathNode {
    let left = this.multiplicative();
    while (ADDITIVE.some((op) => this.isOp(op))) {
      const op = this.next().text;
      left = { kind: 'binary', op, left, right: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): FhirPathNode {
    let left = this.unary();
    while (MULTIPLICATIVE.some((op) => this.isOp(op))) {
      const op = this.next().text;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): FhirPathNode {
    if (this.isOp('+') || this.isOp('-')) {
      const op = this.next().text as '+' | '-';
      return { kind: 'unary', op, operand: this.unary() };
    }
    return this.postfix(this.term());
  }

  private postfix(node: FhirPathNode): FhirPathNode {
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        const name = this.next();
        if (name.kind !== 'ident') this.fail('Expected a name after .');
        if (this.isOp('(')) {
          node = { kind: 'call', target: node, name: name.text, args: this.args() };
        } else {
          node = { kind: 'member', target: node, name: name.text };
        }
      } else if (this.isOp('[')) {
        this.pos++;
        const index = this.binary(0);
        this.expect(']');
        node = { kind: 'index', target: node, index };
      } else {
        return node;
      }
    }
  }

  private args(): FhirPathNode[] {
    this.expect('(');
    const args: FhirPathNode[] = [];
    if (!this.isOp(')')) {
      args.push(this.binary(0));
      while (this.isOp(',')) {
        this.pos++;
        args.push(this.binary(0));
      }
    }
    this.expect(')');
    return args;
  }

  private term(): FhirPathNode {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'literal', value: t.text };
      case 'number':
        return { kind: 'literal', value: Number(t.text) };
      case 'variable':
        return { kind: 'variable', name: t.text };
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true' };
        if (this.isOp('(')) return { kind: 'call', name: t.text, args: this.args() };
        return { kind: 'identifier', name: t.text };
      case 'op':
        if (t.text === '(') {
          const inner = this.binary(0);
          this.expect(')');
          return inner;
        }
        if (t.text === '{') {
          this.expect('}');
          return { kind: 'empty' };
        }
        break;
      default:
        break;
    }
    return this.fail(t.kind === 'eof' ? 'Unexpected end' : `Unexpected '${t.text}'`);
  }
}

/** Parses a FHIRPath expression; throws FhirPathSyntaxError. */
export function parseFhirPath(expression: string): FhirPathNode {
  return new Parser(tokenize(expression), expression).parse();
}

/** The top-level `|` branches of an expression (a non-union expression is its own single branch). */
export function unionBranches(node: FhirPathNode): FhirPathNode[] {
  if (node.kind === 'binary' && node.op === '|') return [...unionBranches(node.left), ...unionBranches(node.right)];
  return [node];
}
