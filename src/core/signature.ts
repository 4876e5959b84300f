/**
 * Parsing of `# pythran export` lines into argument types.
 *
 * Pythran's own parser (pythran/spec.py, a PLY grammar) lives in the Python
 * environment under test and changes between releases; we need the exported
 * names and types before anything is built (to list functions, validate
 * `file.py::function` targets and generate arguments), so this is a small
 * recursive-descent parser for the same grammar. Pure: no I/O.
 */
import { InputError } from '../errors.js';

export type Dtype =
  | 'bool'
  | 'int'
  | 'float'
  | 'complex'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'intp'
  | 'intc'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'uintp'
  | 'uintc'
  | 'float32'
  | 'float64'
  | 'float128'
  | 'complex64'
  | 'complex128'
  | 'complex256'
  | 'byte'
  | 'long'
  | 'uint';

const DTYPES: ReadonlySet<string> = new Set<Dtype>([
  'bool', 'int', 'float', 'complex',
  'int8', 'int16', 'int32', 'int64', 'intp', 'intc',
  'uint8', 'uint16', 'uint32', 'uint64', 'uintp', 'uintc',
  'float32', 'float64', 'float128',
  'complex64', 'complex128', 'complex256',
  'byte', 'long', 'uint',
]);

/** One axis of an exported array: its fixed size if the spec gives one, and whether it is strided (`::`). */
export interface Axis {
  size: number | null;
  strided: boolean;
}

export type ArgType =
  | { kind: 'scalar'; dtype: Dtype }
  | { kind: 'array'; dtype: Dtype; axes: Axis[]; order: 'C' | 'F' }
  | { kind: 'list'; item: ArgType }
  | { kind: 'set'; item: ArgType }
  | { kind: 'dict'; key: ArgType; value: ArgType }
  | { kind: 'tuple'; items: ArgType[] }
  | { kind: 'str' }
  | { kind: 'none' }
  | { kind: 'slice' }
  /** `T or U`: Pythran makes one overload per alternative; a call needs a value of one of them. */
  | { kind: 'union'; options: ArgType[] }
  /** A function type `float(float, int)`: Pythran accepts a capsule of that signature. */
  | { kind: 'function'; result: ArgType; params: ArgType[] }
  /** Types we can name but not build a value for (pointers, which only capsules take). */
  | { kind: 'unsupported'; text: string };

export interface Param {
  type: ArgType;
  /** `type?` in the spec: the argument may be left out. */
  optional: boolean;
}

export interface ExportSignature {
  name: string;
  /** 1-based line of the export comment in the file. */
  line: number;
  /** null for a variable export (`# pythran export name`), which is not a function. */
  params: Param[] | null;
  /** `capsule` and `ufunc` exports are not callable with Python objects in the usual way. */
  flavour: 'function' | 'capsule' | 'ufunc';
  /** The export text as written, for messages. */
  text: string;
}

export class SpecSyntaxError extends InputError {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'SpecSyntaxError';
  }
}

interface Token {
  value: string;
  line: number;
  col: number;
  /** A character outside the grammar: fine in the text Pythran ignores after an export list, an error anywhere else. */
  crap: boolean;
}

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+)|(::|[()[\],:?*])|(\S))/y;

function tokenize(text: string, line: number, offset: number): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    if (/^\s*$/.test(text.slice(start))) break;
    const m = TOKEN.exec(text);
    if (m === null) break;
    const value = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    tokens.push({ value, line, col: offset + m.index + m[0].length - value.length + 1, crap: m[4] !== undefined });
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    /** Where "the end of the export" is, for errors about a missing token. */
    private readonly end: { line: number; col: number },
  ) {}

  peek(k = 0): string | undefined {
    return this.tokens[this.pos + k]?.value;
  }

  next(): string {
    const t = this.tokens[this.pos];
    if (t === undefined) this.fail('unexpected end of export line');
    this.pos += 1;
    return t.value;
  }

  expect(value: string): void {
    const got = this.peek();
    if (got !== value) this.fail(`expected '${value}' but found ${got === undefined ? 'the end of the line' : `'${got}'`}`);
    this.pos += 1;
  }

  fail(message: string): never {
    this.failAt(this.pos, message);
  }

  failAt(index: number, message: string): never {
    const t = this.tokens[index];
    if (t === undefined) throw new SpecSyntaxError(message, this.end.line, this.end.col);
    throw new SpecSyntaxError(t.crap ? `unexpected character '${t.value}'` : message, t.line, t.col);
  }

  /** export_list := export (',' export)* */
  exports(): Array<{ name: string; params: Param[] | null; text: string }> {
    const out: Array<{ name: string; params: Param[] | null; text: string }> = [];
    for (;;) {
      const startTok = this.pos;
      const name = this.peek();
      if (name === undefined) this.fail('unexpected end of export line');
      if (!/^[A-Za-z_]\w*$/.test(name)) this.fail(`expected a function name, found '${name}'`);
      this.pos += 1;
      let params: Param[] | null = null;
      if (this.peek() === '(') {
        this.next();
        params = this.params();
        this.expect(')');
      }
      const text = this.tokens
        .slice(startTok, this.pos)
        .map((t) => t.value)
        .join(' ');
      out.push({ name, params, text });
      // Pythran ignores what follows the export list (`opt_craps` in its grammar),
      // unless it starts with '(' or ','.
      if (this.peek() === '(') this.fail(`expected ',' or the end of the export but found '('`);
      if (this.peek() !== ',') return out;
      this.next();
    }
  }

  params(): Param[] {
    const params: Param[] = [];
    if (this.peek() === ')') return params;
    for (;;) {
      const type = this.type();
      let optional = false;
      if (this.peek() === '?') {
        this.next();
        optional = true;
      }
      params.push({ type, optional });
      if (this.peek() !== ',') return params;
      this.next();
      // A trailing comma is allowed: `f(int,)`.
      if (this.peek() === ')') return params;
    }
  }

  /** type := dictType ('or' dictType)*  -- `a or b` is a union of the alternatives. */
  type(): ArgType {
    const first = this.dictType();
    if (this.peek() !== 'or') return first;
    const options = [first];
    while (this.peek() === 'or') {
      this.next();
      options.push(this.dictType());
    }
    return { kind: 'union', options };
  }

  dictType(): ArgType {
    const key = this.postfix(true);
    if (this.peek() === ':') {
      this.next();
      // Right-nested: `str:int:float dict dict` is a dict of dicts, as in Pythran.
      const value = this.dictType();
      this.expect('dict');
      return this.suffixes({ kind: 'dict', key, value }, true);
    }
    return key;
  }

  postfix(allowColon: boolean): ArgType {
    return this.suffixes(this.primary(), allowColon);
  }

  suffixes(base: ArgType, _allowColon: boolean): ArgType {
    let t = base;
    for (;;) {
      const p = this.peek();
      if (p === 'list') {
        this.next();
        t = { kind: 'list', item: t };
      } else if (p === 'set') {
        this.next();
        t = { kind: 'set', item: t };
      } else if (p === '[') {
        t = this.arrayIndices(t);
      } else if (p === 'order') {
        const at = this.pos;
        this.next();
        this.expect('(');
        const o = this.next();
        if (o !== 'C' && o !== 'F') this.failAt(this.pos - 1, `unknown order '${o}'`);
        this.expect(')');
        if (t.kind !== 'array') this.failAt(at, 'order(...) applies only to arrays');
        t = { ...t, order: o };
      } else if (p === '*') {
        this.next();
        t = { kind: 'unsupported', text: 'pointer' };
      } else if (p === '(' && t.kind !== 'tuple') {
        // A function type: `float (int, int)`.
        this.next();
        const params: ArgType[] = [];
        if (this.peek() !== ')') {
          params.push(this.type());
          while (this.peek() === ',') {
            this.next();
            params.push(this.type());
          }
        }
        this.expect(')');
        t = { kind: 'function', result: t, params };
      } else {
        return t;
      }
    }
  }

  arrayIndices(base: ArgType): ArgType {
    const at = this.pos;
    this.expect('[');
    const axes: Axis[] = [];
    for (;;) {
      const p = this.peek();
      if (p === ':') {
        this.next();
        // Pythran's lexer skips blanks, so `[: :]` is `[::]`.
        const strided = this.peek() === ':';
        if (strided) this.next();
        axes.push({ size: null, strided });
      } else if (p === '::') {
        this.next();
        axes.push({ size: null, strided: true });
      } else if (p !== undefined && /^\d+$/.test(p)) {
        this.next();
        axes.push({ size: Number(p), strided: false });
      } else if (p === ']' || p === ',') {
        // `float[]` is the old spelling of `float[:]`.
        axes.push({ size: null, strided: false });
      } else {
        this.fail(`unexpected '${p ?? 'end of line'}' in array dimensions`);
      }
      if (this.peek() === ',') {
        this.next();
        continue;
      }
      this.expect(']');
      break;
    }
    if (base.kind === 'scalar') return { kind: 'array', dtype: base.dtype, axes, order: 'C' };
    if (base.kind === 'array') return { ...base, axes: [...base.axes, ...axes] };
    this.failAt(at, 'array dimensions apply only to a dtype');
  }

  primary(): ArgType {
    const p = this.peek();
    if (p === '(') {
      this.next();
      const items: ArgType[] = [this.type()];
      while (this.peek() === ',') {
        this.next();
        if (this.peek() === ')') break;
        items.push(this.type());
      }
      this.expect(')');
      return { kind: 'tuple', items };
    }
    if (p === '[') {
      // `[type]` is a parenthesised type in Pythran's grammar.
      this.next();
      const t = this.type();
      this.expect(']');
      return t;
    }
    const word = this.next();
    if (word === 'str') return { kind: 'str' };
    if (word === 'None') return { kind: 'none' };
    if (word === 'slice') return { kind: 'slice' };
    if (DTYPES.has(word)) return { kind: 'scalar', dtype: word as Dtype };
    this.pos -= 1;
    this.fail(`unknown type '${word}'`);
  }
}

const EXPORT_LINE = /^\s*#\s*pythran\s+export\b(.*)$/;
const PYTHRAN_LINE = /^\s*#\s*pythran/;

/**
 * Every `# pythran export` line of a source file, in order.
 * Like Pythran, an export continues on the comment (and blank) lines below it,
 * up to the next code line or `# pythran` line, and text after the export list is ignored.
 * Throws SpecSyntaxError (with line and column) on a line this parser cannot read.
 */
export function parseExports(source: string): ExportSignature[] {
  const out: ExportSignature[] = [];
  const lines = source.split(/\r?\n/);
  lines.forEach((text, i) => {
    const m = EXPORT_LINE.exec(text);
    if (m === null) return;
    const line = i + 1;
    let body = m[1] ?? '';
    const bodyOffset = text.length - body.length;
    let flavour: ExportSignature['flavour'] = 'function';
    const kw = /^\s*(capsule|ufunc)\s+/.exec(body);
    let offset = bodyOffset;
    if (kw !== null) {
      flavour = kw[1] as 'capsule' | 'ufunc';
      offset += kw[0].length;
      body = body.slice(kw[0].length);
    }
    const tokens = tokenize(body, line, offset);
    const end = { line, col: text.length + 1 };
    for (let j = i + 1; j < lines.length; j += 1) {
      const next = lines[j] ?? '';
      if (PYTHRAN_LINE.test(next)) break;
      if (next.trim() === '') continue;
      if (!next.trimStart().startsWith('#')) break;
      // Pythran drops every '#' of a continuation line.
      const more = tokenize(next.replaceAll('#', ' '), j + 1, 0);
      if (more.length > 0) {
        tokens.push(...more);
        end.line = j + 1;
        end.col = next.length + 1;
      }
    }
    const parser = new Parser(tokens, end);
    for (const e of parser.exports()) out.push({ ...e, line, flavour });
  });
  return out;
}

/** Human-readable form of a type, close to the spec's own spelling. */
export function formatType(t: ArgType): string {
  switch (t.kind) {
    case 'scalar':
      return t.dtype;
    case 'array': {
      const axes = t.axes.map((a) => (a.size !== null ? String(a.size) : a.strided ? '::' : ':')).join(', ');
      return `${t.dtype}[${axes}]${t.order === 'F' ? ' order(F)' : ''}`;
    }
    case 'list':
      return `${formatType(t.item)} list`;
    case 'set':
      return `${formatType(t.item)} set`;
    case 'dict':
      return `${formatType(t.key)}:${formatType(t.value)} dict`;
    case 'tuple':
      return `(${t.items.map(formatType).join(', ')})`;
    case 'str':
      return 'str';
    case 'none':
      return 'None';
    case 'slice':
      return 'slice';
    case 'union':
      return t.options.map(formatType).join(' or ');
    case 'function':
      return `${formatType(t.result)}(${t.params.map(formatType).join(', ')})`;
    case 'unsupported':
      return t.text === 'pointer' ? 'pointer' : t.text;
  }
}

/** One overload as the table and reports name it: `f(float64[:,:], int)`, `g(int, float?)`. */
export function signatureText(sig: Pick<ExportSignature, 'name' | 'params'>): string {
  if (sig.params === null) return sig.name;
  const params = sig.params.map((p) => `${formatType(p.type)}${p.optional ? '?' : ''}`.replace(/\[[^\]]*\]/g, (m) => m.replace(/, /g, ',')));
  return `${sig.name}(${params.join(', ')})`;
}
