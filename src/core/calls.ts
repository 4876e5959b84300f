/**
 * What each exported function is called with: values generated from its
 * export signature, or a call the user wrote down (a `# leakcheck: call`
 * comment in the repro, or `--call` on the command line). Pure.
 */
import type { ArgPlan, CallPlan } from './protocol.js';
import type { ArgType, Dtype, ExportSignature } from './signature.js';
import { formatType } from './signature.js';
import { InputError } from '../errors.js';

/** Default length of each axis, by rank: small enough to be cheap, large enough for index arithmetic. */
export function defaultAxisLength(rank: number): number {
  if (rank <= 2) return 16;
  if (rank === 3) return 8;
  return 4;
}

/**
 * Integer arguments default to 4: a valid index into every default axis,
 * with room on both sides (`a[i - 1 : i + 2]` stays inside a 16-long axis).
 */
export const DEFAULT_INT = 4;
export const DEFAULT_FLOAT = 0.5;
const CONTAINER_LENGTH = 4;

const PY_SCALARS: Partial<Record<Dtype, 'int' | 'float' | 'complex' | 'bool'>> = {
  int: 'int',
  long: 'int',
  float: 'float',
  complex: 'complex',
  bool: 'bool',
};

/** Dtype names as numpy spells them. */
function numpyDtype(d: Dtype): string {
  switch (d) {
    case 'int':
    case 'long':
      return 'int64';
    case 'float':
      return 'float64';
    case 'complex':
      return 'complex128';
    case 'uint':
      return 'uint64';
    case 'byte':
      return 'int8';
    default:
      return d;
  }
}

export class UnsupportedArgument extends InputError {}

/** A value for one argument type; `i` varies values inside containers (set and dict keys must differ). */
export function planFor(type: ArgType, i = 0): ArgPlan {
  switch (type.kind) {
    case 'scalar': {
      const py = PY_SCALARS[type.dtype];
      const base = type.dtype.startsWith('float') || type.dtype === 'float' ? DEFAULT_FLOAT : DEFAULT_INT;
      if (py === 'int') return { t: 'int', v: DEFAULT_INT + i };
      if (py === 'float') return { t: 'float', v: DEFAULT_FLOAT + i };
      if (py === 'complex') return { t: 'complex', re: DEFAULT_FLOAT + i, im: 0.25 };
      if (py === 'bool') return { t: 'bool', v: i % 2 === 0 };
      return { t: 'npscalar', dtype: numpyDtype(type.dtype), v: type.dtype.startsWith('complex') ? DEFAULT_FLOAT + i : base + i };
    }
    case 'array': {
      const len = defaultAxisLength(type.axes.length);
      return {
        t: 'array',
        dtype: numpyDtype(type.dtype),
        shape: type.axes.map((a) => a.size ?? len),
        strided: type.axes.map((a) => a.strided),
        order: type.order,
        seed: i,
      };
    }
    case 'list':
      return { t: 'list', items: range(CONTAINER_LENGTH).map((k) => planFor(type.item, i + k)) };
    case 'set':
      unhashable(type.item, type);
      return { t: 'set', items: range(CONTAINER_LENGTH).map((k) => planFor(type.item, i + k)) };
    case 'tuple':
      return { t: 'tuple', items: type.items.map((item, k) => planFor(item, i + k)) };
    case 'dict':
      unhashable(type.key, type);
      return {
        t: 'dict',
        entries: range(CONTAINER_LENGTH).map((k) => [planFor(type.key, i + k), planFor(type.value, i + k)] as [ArgPlan, ArgPlan]),
      };
    case 'str':
      return { t: 'str', v: `leakcheck${i}` };
    case 'none':
      return { t: 'none' };
    case 'slice':
      return { t: 'slice', start: 1, stop: DEFAULT_INT + 1, step: 1 };
    case 'union': {
      // The first alternative that is not None: a value that makes the function do some work.
      const chosen = type.options.find((o) => o.kind !== 'none') ?? type.options[0];
      if (chosen === undefined) throw new UnsupportedArgument(`cannot generate a value of type '${formatType(type)}'`);
      return planFor(chosen, i);
    }
    case 'function':
      throw new UnsupportedArgument(`cannot generate a value of type '${formatType(type)}' (a function: only a capsule the module exports can be passed)`);
    case 'unsupported':
      throw new UnsupportedArgument(`cannot generate a value of type '${formatType(type)}'`);
  }
}

/** Python cannot put lists, sets, dicts or arrays in a set or use them as dict keys. */
function unhashable(item: ArgType, container: ArgType): void {
  const bad = (t: ArgType): boolean =>
    t.kind === 'list' || t.kind === 'set' || t.kind === 'dict' || t.kind === 'array' || (t.kind === 'tuple' && t.items.some(bad)) || (t.kind === 'union' && t.options.every(bad));
  if (bad(item)) throw new UnsupportedArgument(`cannot build a value of type '${formatType(container)}': a ${formatType(item)} cannot be a set item or dict key in Python`);
}

/** Python source for a generated value, close to what the harness builds: for messages and hints. */
export function pyExpr(plan: ArgPlan): string {
  switch (plan.t) {
    case 'int':
    case 'float':
      return plan.t === 'float' && Number.isInteger(plan.v) ? `${plan.v}.0` : String(plan.v);
    case 'complex':
      return `complex(${plan.re}, ${plan.im})`;
    case 'bool':
      return plan.v ? 'True' : 'False';
    case 'str':
      return JSON.stringify(plan.v);
    case 'none':
      return 'None';
    case 'slice':
      return `slice(${plan.start}, ${plan.stop}, ${plan.step})`;
    case 'npscalar':
      return `np.${plan.dtype}(${plan.v})`;
    case 'array': {
      const shape = plan.shape.map((n, k) => (plan.strided[k] === true ? n * 2 : n));
      const base = `np.ones((${shape.join(', ')}${shape.length === 1 ? ',' : ''}), np.${plan.dtype})`;
      const strided = plan.strided.some(Boolean) ? `${base}[${plan.strided.map((st) => (st ? '::2' : ':')).join(', ')}]` : base;
      return plan.order === 'F' ? `np.asfortranarray(${strided})` : strided;
    }
    case 'list':
      return `[${plan.items.map(pyExpr).join(', ')}]`;
    case 'set':
      return plan.items.length === 0 ? 'set()' : `{${plan.items.map(pyExpr).join(', ')}}`;
    case 'tuple':
      return `(${plan.items.map(pyExpr).join(', ')}${plan.items.length === 1 ? ',' : ''})`;
    case 'dict':
      return `{${plan.entries.map(([k, v]) => `${pyExpr(k)}: ${pyExpr(v)}`).join(', ')}}`;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k);
}

/** A call written by the user: `name(expr, expr, ...)`. */
export interface WrittenCall {
  function: string;
  expr: string;
  /** Where it came from, for messages: `repro.py:12` or `--call`. */
  origin: string;
}

const CALL_TEXT = /^\s*([A-Za-z_]\w*)\s*\(([\s\S]*)\)\s*$/;

/** Parse `name(args...)`; null when the text is not of that form. */
export function parseCallText(text: string): { function: string; expr: string } | null {
  const m = CALL_TEXT.exec(text);
  if (m === null || m[1] === undefined || m[2] === undefined) return null;
  // The last ')' must close the first '(': `f(a) + g(b)` is not a call of f.
  if (!balanced(m[2])) return null;
  return { function: m[1], expr: m[2].trim() };
}

/** Whether brackets in a Python argument list balance, skipping string literals. */
function balanced(expr: string): boolean {
  let depth = 0;
  for (let k = 0; k < expr.length; k += 1) {
    const c = expr[k];
    if (c === '"' || c === "'") {
      k += 1;
      while (k < expr.length && expr[k] !== c) k += expr[k] === '\\' ? 2 : 1;
      if (k >= expr.length) return false;
    } else if (c === '(' || c === '[' || c === '{') {
      depth += 1;
    } else if (c === ')' || c === ']' || c === '}') {
      depth -= 1;
      if (depth < 0) return false;
    }
  }
  return depth === 0;
}

/**
 * This tool's own directive prefix. Pythran claims every comment starting
 * with `# pythran`, so ours must not start that way.
 */
const DIRECTIVE = /^\s*#\s*leakcheck:\s*(.*)$/;
const CALL_DIRECTIVE = /^call\b\s*(.*)$/;

export interface DirectiveProblem {
  line: number;
  message: string;
}

/** `# leakcheck: call name(args)` lines of a repro. */
export function parseCallDirectives(source: string, fileLabel: string): { calls: WrittenCall[]; problems: DirectiveProblem[] } {
  const calls: WrittenCall[] = [];
  const problems: DirectiveProblem[] = [];
  source.split(/\r?\n/).forEach((text, idx) => {
    const d = DIRECTIVE.exec(text);
    if (d === null) return;
    // Every `# leakcheck:` comment is ours: a mistyped one must not be silently ignored.
    const m = CALL_DIRECTIVE.exec((d[1] ?? '').trim());
    if (m === null) {
      problems.push({ line: idx + 1, message: `unknown directive '${text.trim()}' (the only one is '# leakcheck: call name(arguments)')` });
      return;
    }
    const parsed = parseCallText(m[1] ?? '');
    if (parsed === null) {
      problems.push({ line: idx + 1, message: `expected '# leakcheck: call name(arguments)', found '${text.trim()}'` });
      return;
    }
    calls.push({ ...parsed, origin: `${fileLabel}:${idx + 1}` });
  });
  return { calls, problems };
}

export interface PlannedCall {
  plan: CallPlan;
  /** 'generated' from the export signature, or where the written call came from. */
  origin: string;
}

/**
 * The call for one exported function. Precedence: command line, then the
 * repro's directive, then values generated from the first export signature.
 */
export function planCall(sig: ExportSignature, written: WrittenCall[]): PlannedCall {
  const mine = written.filter((c) => c.function === sig.name);
  const chosen = mine.find((c) => c.origin === '--call') ?? mine[0];
  if (chosen !== undefined) return { plan: { expr: chosen.expr }, origin: chosen.origin };
  const params = sig.params ?? [];
  // Every top-level argument gets the same defaults; arrays differ only in their random seed.
  const args = params.map((p, k) => {
    const plan = planFor(p.type);
    return plan.t === 'array' ? { ...plan, seed: k } : plan;
  });
  return { plan: { args }, origin: 'generated' };
}
