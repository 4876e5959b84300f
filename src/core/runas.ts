/**
 * Pythran's own `#runas` lines: how its test cases say a function is called.
 * Pure: no I/O.
 *
 *   #runas import numpy as np; f(np.arange(10.))
 *   #runas A=[list(range(10)) for i in range(5)] ; timeloop(1., 2., A)
 *   #runas import numpy as np ; a = np.arange(2, dtype=complex); clip(a, .5), clip(a[2::4], .5)
 *
 * A line is a few Python statements separated by `;`. Each call of an exported
 * function in it becomes a call plan: the statements before the one that holds
 * the call are its setup (run once, in a namespace with numpy), the text between
 * the call's parentheses is the argument list (evaluated once in that namespace).
 * Whether a call fits an overload is checked where the text tells: the number
 * of arguments, and literal values (a list where an array is expected, a string
 * where a float is) -- anything else (names bound to numpy calls, arithmetic)
 * is given the benefit of the doubt.
 */
import type { ArgType, Dtype, Param } from './signature.js';
import { formatType } from './signature.js';

export interface RunasCall {
  function: string;
  /** Statements to run first (joined with newlines); '' when none. */
  setup: string;
  /** The argument list, as written between the call's parentheses. */
  expr: string;
  /** The arguments split at top-level commas. */
  args: string[];
  /** Keyword arguments (`x=1`, `**kw`): the plan's argument tuple cannot pass them. (`*a` can: `(*a,)`.) */
  keywords: boolean;
  /** 1-based line of the `#runas` comment. */
  line: number;
  /** `name = value` bindings of the setup, for telling what a name holds. */
  bindings: Record<string, string>;
}

const RUNAS = /^\s*#\s*runas\b:?\s?(.*)$/;

/** Split at top-level occurrences of `sep` (outside brackets and string literals). */
export function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < text.length; k += 1) {
    const c = text[k];
    if (c === '"' || c === "'") {
      k = skipString(text, k);
    } else if (c === '(' || c === '[' || c === '{') {
      depth += 1;
    } else if (c === ')' || c === ']' || c === '}') {
      depth -= 1;
    } else if (c === sep && depth === 0) {
      parts.push(text.slice(start, k));
      start = k + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Index of the closing quote of the string literal that starts at `k` (triple quotes included). */
function skipString(text: string, k: number): number {
  const q = text[k] as string;
  const triple = text.slice(k, k + 3) === q.repeat(3);
  const close = triple ? q.repeat(3) : q;
  let j = k + close.length;
  while (j < text.length) {
    if (text[j] === '\\') {
      j += 2;
      continue;
    }
    if (text.slice(j, j + close.length) === close) return j + close.length - 1;
    j += 1;
  }
  return text.length;
}

/** The index just after the bracket that closes the one at `open`; -1 if it never closes. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let k = open; k < text.length; k += 1) {
    const c = text[k];
    if (c === '"' || c === "'") k = skipString(text, k);
    else if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') {
      depth -= 1;
      if (depth === 0) return k + 1;
    }
  }
  return -1;
}

/** Calls `name(...)` in a statement (not `x.name(...)`, not inside strings): their argument texts. */
function callsIn(statement: string, name: string): string[] {
  const out: string[] = [];
  for (let k = 0; k < statement.length; k += 1) {
    const c = statement[k];
    if (c === '"' || c === "'") {
      k = skipString(statement, k);
      continue;
    }
    if (!statement.startsWith(name, k)) continue;
    const before = statement[k - 1];
    if (before !== undefined && /[\w.]/.test(before)) continue;
    let j = k + name.length;
    if (/\w/.test(statement[j] ?? '')) continue;
    while (statement[j] === ' ' || statement[j] === '\t') j += 1;
    if (statement[j] !== '(') continue;
    const end = closing(statement, j);
    if (end < 0) continue;
    out.push(statement.slice(j + 1, end - 1));
    k = end - 1;
  }
  return out;
}

/**
 * Every call of one of `names` in the file's `#runas` lines, in order. `moduleName` (the
 * file's stem): a `from <module> import ...` statement is dropped, since the namespace the
 * harness runs the setup in already holds the module's exports (and the module is loaded
 * under another name).
 */
export function parseRunas(source: string, names: readonly string[], moduleName?: string): RunasCall[] {
  const out: RunasCall[] = [];
  const selfImport = moduleName === undefined ? null : new RegExp(`^from\\s+${moduleName.replace(/\W/g, '')}\\s+import\\b`);
  source.split(/\r?\n/).forEach((text, idx) => {
    const m = RUNAS.exec(text);
    if (m === null) return;
    const statements = splitTopLevel(m[1] ?? '', ';')
      .map((st) => st.trim())
      .filter((st) => st !== '' && (selfImport === null || !selfImport.test(st)));
    const bindings: Record<string, string> = {};
    statements.forEach((statement, k) => {
      for (const name of names) {
        for (const expr of callsIn(statement, name)) {
          const args = expr.trim() === '' ? [] : splitTopLevel(expr, ',').map((a) => a.trim());
          // A trailing comma: `f(a,)`.
          if (args.length > 0 && args[args.length - 1] === '') args.pop();
          const keywords = args.some((a) => /^\*\*|^[A-Za-z_]\w*\s*=(?!=)/.test(a));
          out.push({ function: name, setup: statements.slice(0, k).join('\n'), expr: expr.trim(), args, keywords, line: idx + 1, bindings: { ...bindings } });
        }
      }
      const assign = /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]+)$/.exec(statement);
      if (assign !== null) bindings[assign[1] as string] = (assign[2] as string).trim();
    });
  });
  return out;
}

/** What the text of an argument surely is, where a glance tells; 'unknown' otherwise. */
export type ArgClass = 'int' | 'float' | 'complex' | 'str' | 'bool' | 'none' | 'list' | 'set' | 'dict' | { tuple: number } | 'unknown';

export function classifyArg(text: string, bindings: Record<string, string> = {}, depth = 0): ArgClass {
  const t = text.trim();
  if (depth > 5 || t === '') return 'unknown';
  const num = t.replace(/^[-+]\s*/, '');
  if (/^(0[xob][0-9a-f_]+|\d[\d_]*)$/i.test(num)) return 'int';
  if (/^(\d[\d_]*\.[\d_]*|\.\d[\d_]*|\d[\d_]*)(e[-+]?\d+)?$/i.test(num)) return 'float';
  if (/^(\d[\d_]*\.?[\d_]*|\.\d+)(e[-+]?\d+)?j$/i.test(num)) return 'complex';
  if (t === 'True' || t === 'False') return 'bool';
  if (t === 'None') return 'none';
  if ((t[0] === '"' || t[0] === "'") && skipString(t, 0) === t.length - 1) return 'str';
  if (/^[rbuf]{1,2}["']/i.test(t) && skipString(t, t.search(/["']/)) === t.length - 1) return /b/i.test(t.slice(0, 2)) ? 'unknown' : 'str';
  const call = /^(complex|list|set|dict|tuple|str|float|int|bool)\s*\(/.exec(t);
  if (call !== null && closing(t, t.indexOf('(')) === t.length) {
    const f = call[1] as string;
    if (f === 'tuple') return 'unknown';
    return f as ArgClass;
  }
  if (t[0] === '[' && closing(t, 0) === t.length) return 'list';
  if (t[0] === '{' && closing(t, 0) === t.length) {
    const inner = t.slice(1, -1).trim();
    if (inner === '') return 'dict';
    const first = splitTopLevel(inner, ',')[0] ?? '';
    return splitTopLevel(first, ':').length > 1 ? 'dict' : 'set';
  }
  if (t[0] === '(' && closing(t, 0) === t.length) {
    const inner = t.slice(1, -1);
    const items = splitTopLevel(inner, ',');
    if (items.length === 1) return classifyArg(inner, bindings, depth + 1);
    if (/\bfor\b/.test(inner) && items.length === 1) return 'unknown';
    const n = (items[items.length - 1] ?? '').trim() === '' ? items.length - 1 : items.length;
    return { tuple: n };
  }
  if (/^[A-Za-z_]\w*$/.test(t) && bindings[t] !== undefined) return classifyArg(bindings[t], bindings, depth + 1);
  return 'unknown';
}

function classText(c: ArgClass): string {
  if (typeof c === 'object') return `a tuple of ${c.tuple}`;
  if (c === 'int' || c === 'float' || c === 'complex' || c === 'bool') return `a Python ${c}`;
  if (c === 'none') return 'None';
  return `a ${c}`;
}

/** Dtypes a Python int converts to (numpy's int64 on 64-bit Linux). */
const PY_INT: ReadonlySet<Dtype> = new Set<Dtype>(['int', 'long', 'int64', 'intp']);

/** Whether a value of class `c` can be passed for `type` (true when it cannot be told). */
export function accepts(c: ArgClass, type: ArgType): boolean {
  if (c === 'unknown') return true;
  switch (type.kind) {
    case 'union':
      return type.options.some((o) => accepts(c, o));
    case 'scalar': {
      // Pythran converts strictly (measured on 0.16.1): a Python int only for int/int64, a float
      // only for float/float64, a complex only for complex/complex128, a bool only for bool;
      // every other dtype takes only the numpy scalar of that type.
      if (type.dtype === 'bool') return c === 'bool';
      if (PY_INT.has(type.dtype)) return c === 'int';
      if (type.dtype === 'float' || type.dtype === 'float64') return c === 'float';
      if (type.dtype === 'complex' || type.dtype === 'complex128') return c === 'complex';
      return false;
    }
    case 'array':
      return false;
    case 'list':
    case 'set':
    case 'dict':
      return c === type.kind;
    case 'tuple':
      return typeof c === 'object' && c.tuple === type.items.length;
    case 'str':
      return c === 'str';
    case 'none':
      return c === 'none';
    case 'slice':
    case 'function':
    case 'unsupported':
      return false;
  }
}

/** null when the call may fit these parameters; otherwise why it does not. */
export function runasMismatch(call: Pick<RunasCall, 'args' | 'keywords' | 'bindings'>, params: readonly Param[]): string | null {
  if (call.keywords) return 'it passes keyword arguments, which a call plan cannot pass';
  // `f(*params)`: evaluated as `(*params,)`, fine, but how many arguments it makes cannot be told here.
  if (call.args.some((a) => a.startsWith('*'))) return null;
  const required = params.filter((p) => !p.optional).length;
  const n = call.args.length;
  if (n < required || n > params.length) {
    const takes = required === params.length ? `${params.length}` : `${required} to ${params.length}`;
    return `it passes ${n} argument${n === 1 ? '' : 's'} and this overload takes ${takes}`;
  }
  for (let k = 0; k < n; k += 1) {
    const param = params[k] as Param;
    const c = classifyArg(call.args[k] as string, call.bindings);
    if (!accepts(c, param.type)) return `its argument ${k + 1} is ${classText(c)} and this overload takes ${formatType(param.type)}`;
  }
  return null;
}
