/**
 * What each exported function is called with: values generated from its
 * export signature, or a call the user wrote down (a `# leakcheck: call`
 * comment in the repro, or `--call` on the command line). Pure.
 */
import type { ArgPlan, CallPlan } from './protocol.js';
import { parseRunas, runasMismatch, splitTopLevel, type RunasCall } from './runas.js';
import type { ArgType, Dtype, ExportSignature } from './signature.js';
import { formatType, signatureText } from './signature.js';
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

// ---------------------------------------------------------------- call sources, overloads, capsules

/**
 * One argument the harness builds: a generated value, or a capsule the module itself
 * exports, passed as `getattr(module, name)` (for a function-typed parameter).
 */
export type HarnessArg = ArgPlan | { t: 'capsule'; name: string };

/**
 * How to call one overload. `args`: values to build. `expr`: a Python argument list,
 * evaluated once; `setup` (from `#runas`): statements run first, in the same namespace.
 */
export type FullCallPlan = { args: HarnessArg[] } | { expr: string; setup?: string };

export type CallSource = 'cli' | 'directive' | 'runas' | 'generated';

export interface OverloadPlan {
  plan: FullCallPlan;
  /** For the report: `--call`, `repro.py:12` (a `# leakcheck: call`), `repro.py:3 (#runas)`, or `generated`. */
  origin: string;
  source: CallSource;
  /** Why a source that names this function was passed over (a `#runas` that does not fit this overload); null when none was. */
  note: string | null;
  /** The overload as reports name it: `f(float64[:,:], int)`. */
  signature: string;
}

/** Everything a module offers to call its functions with. */
export interface CallSources {
  /** `--call` and `# leakcheck: call` calls (origin '--call' for the former). */
  written: readonly WrittenCall[];
  /** The module's `#runas` calls (parseRunas). */
  runas: readonly RunasCall[];
  /** The module's capsule exports: values for function-typed parameters. */
  capsules: readonly ExportSignature[];
  /** How messages name the file (`repro.py`), for origins. */
  fileLabel?: string;
}

/** A module's exports, sorted by what the tool does with them. */
export interface ModuleExports {
  /** Functions to measure, one entry per export line (overloads included), in file order. */
  functions: ExportSignature[];
  /** Capsules: not measured; values for function-typed parameters. */
  capsules: ExportSignature[];
  /** ufunc exports (not measured). */
  ufuncs: ExportSignature[];
  /** Variable exports (`# pythran export name`, no parentheses): not functions. */
  variables: ExportSignature[];
  /**
   * `functions`: something to measure. `capsules-only`: valid Pythran with nothing callable
   * to measure (only capsules or ufuncs): to be reported as such, not as an error.
   * `nothing`: no export at all (or only variables): bad input.
   */
  kind: 'functions' | 'capsules-only' | 'nothing';
  /** For `capsules-only` and `nothing`: one sentence for the report. */
  message: string | null;
}

export function classifyExports(exports: readonly ExportSignature[], fileLabel = 'this file'): ModuleExports {
  const functions = exports.filter((e) => e.flavour === 'function' && e.params !== null);
  const capsules = exports.filter((e) => e.flavour === 'capsule');
  const ufuncs = exports.filter((e) => e.flavour === 'ufunc');
  const variables = exports.filter((e) => e.flavour === 'function' && e.params === null);
  if (functions.length > 0) return { functions, capsules, ufuncs, variables, kind: 'functions', message: null };
  if (capsules.length > 0 || ufuncs.length > 0) {
    const names = [...new Set([...capsules, ...ufuncs].map((e) => e.name))].join(', ');
    const what = ufuncs.length === 0 ? 'capsules' : capsules.length === 0 ? 'ufuncs' : 'capsules and ufuncs';
    return { functions, capsules, ufuncs, variables, kind: 'capsules-only', message: `${fileLabel} exports only ${what} (${names}): nothing to measure` };
  }
  return { functions, capsules, ufuncs, variables, kind: 'nothing', message: `${fileLabel} exports no function: add a '# pythran export name(types)' line.` };
}

export interface Overload {
  sig: ExportSignature;
  /** 1-based among the export lines of the same name, in file order (`f#2`). */
  index: number;
  /** How many export lines the name has. */
  count: number;
  signature: string;
}

/** The functions' overloads: each export line of a name is one, numbered in file order. */
export function overloadsOf(functions: readonly ExportSignature[]): Overload[] {
  const counts = new Map<string, number>();
  for (const f of functions) counts.set(f.name, (counts.get(f.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return functions.map((sig) => {
    const index = (seen.get(sig.name) ?? 0) + 1;
    seen.set(sig.name, index);
    return { sig, index, count: counts.get(sig.name) ?? 1, signature: signatureText(sig) };
  });
}

/** Dtype spellings that name the same numpy type on 64-bit Linux (Pythran's own ambiguous_types, and aliases). */
function canonicalDtype(d: Dtype): string {
  switch (d) {
    case 'int':
    case 'long':
    case 'intp':
      return 'int64';
    case 'uint':
    case 'uintp':
      return 'uint64';
    case 'intc':
      return 'int32';
    case 'uintc':
      return 'uint32';
    case 'byte':
      return 'int8';
    case 'float':
      return 'float64';
    case 'complex':
      return 'complex128';
    default:
      return d;
  }
}

function sameType(a: ArgType, b: ArgType): boolean {
  if (a.kind === 'union') return a.options.some((o) => sameType(o, b));
  if (b.kind === 'union') return b.options.some((o) => sameType(a, o));
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'scalar':
      return canonicalDtype(a.dtype) === canonicalDtype((b as typeof a).dtype);
    case 'array': {
      const o = b as typeof a;
      return canonicalDtype(a.dtype) === canonicalDtype(o.dtype) && a.axes.length === o.axes.length;
    }
    case 'list':
    case 'set':
      return sameType(a.item, (b as typeof a).item);
    case 'dict':
      return sameType(a.key, (b as typeof a).key) && sameType(a.value, (b as typeof a).value);
    case 'tuple': {
      const o = b as typeof a;
      return a.items.length === o.items.length && a.items.every((t, k) => sameType(t, o.items[k] as ArgType));
    }
    case 'function': {
      const o = b as typeof a;
      return a.params.length === o.params.length && a.params.every((t, k) => sameType(t, o.params[k] as ArgType));
    }
    case 'unsupported':
      return a.text === (b as typeof a).text;
    default:
      return true;
  }
}

/**
 * The module's capsule that fits a function type: the same parameter types (a capsule's
 * export line gives no return type, so the result is not compared). null when none does.
 */
export function matchCapsule(fn: Extract<ArgType, { kind: 'function' }>, capsules: readonly ExportSignature[]): ExportSignature | null {
  return (
    capsules.find((c) => c.params !== null && c.params.length === fn.params.length && c.params.every((p, k) => sameType(p.type, fn.params[k] as ArgType))) ?? null
  );
}

/** A generated argument list for one overload; function-typed parameters take a matching capsule. */
function generatedArgs(sig: ExportSignature, capsules: readonly ExportSignature[]): HarnessArg[] {
  const params = sig.params ?? [];
  const args: HarnessArg[] = [];
  const failures: string[] = [];
  params.forEach((p, k) => {
    const type = p.type.kind === 'union' ? (p.type.options.find((o) => o.kind !== 'none') ?? p.type) : p.type;
    if (type.kind === 'function') {
      const capsule = matchCapsule(type, capsules);
      if (capsule === null) {
        const want = type.params.map(formatType).join(', ');
        failures.push(
          `parameter ${k + 1} is a function, ${formatType(type)}, and the module exports no capsule with parameters (${want}) to pass for it: export one ('# pythran export capsule name(${want})')`,
        );
        args.push({ t: 'none' });
      } else {
        args.push({ t: 'capsule', name: capsule.name });
      }
      return;
    }
    try {
      const plan = planFor(type);
      args.push(plan.t === 'array' ? { ...plan, seed: k } : plan);
    } catch (error) {
      if (!(error instanceof UnsupportedArgument)) throw error;
      failures.push(`parameter ${k + 1}: ${error.message}`);
      args.push({ t: 'none' });
    }
  });
  if (failures.length > 0) {
    const example = args.map((a, k) => {
      const t = params[k]?.type;
      if (a.t === 'capsule') return a.name;
      if (t !== undefined && (t.kind === 'function' || t.kind === 'unsupported' || failures.some((f) => f.startsWith(`parameter ${k + 1}`)))) {
        return t.kind === 'function' ? 'CAPSULE' : `VALUE_OF_${formatType(t).replace(/\W+/g, '_')}`;
      }
      return pyExpr(a);
    });
    throw new UnsupportedArgument(
      `cannot generate the arguments of ${signatureText(sig)}: ${failures.join('; ')}; or write the call yourself, as a comment in the file: '# leakcheck: call ${sig.name}(${example.join(', ')})'`,
    );
  }
  return args;
}

/**
 * The call for one overload, from the first source that has one: `--call`, then the
 * file's `# leakcheck: call`, then its `#runas` lines, then values generated from the
 * overload's own types. A written or `#runas` call that surely does not fit this
 * overload (wrong number of arguments, a literal of another type) is passed over, and
 * the plan's note says so. Throws UnsupportedArgument (with a `# leakcheck: call` line
 * to write) when the arguments cannot be generated.
 */
export function planOverload(sig: ExportSignature, sources: CallSources, overloadIndex = 1): OverloadPlan {
  const signature = signatureText(sig);
  const params = sig.params ?? [];
  const notes: string[] = [];
  const written = sources.written.filter((c) => c.function === sig.name);
  const ordered = [...written.filter((c) => c.origin === '--call'), ...written.filter((c) => c.origin !== '--call')];
  for (const c of ordered) {
    const args = c.expr.trim() === '' ? [] : splitTopLevel(c.expr, ',').map((a) => a.trim());
    if (args.length > 0 && args[args.length - 1] === '') args.pop();
    const keywords = args.some((a) => /^\*\*|^[A-Za-z_]\w*\s*=(?!=)/.test(a));
    // Keywords in a written call are the user's business: only the plain positional form is checked.
    const why = keywords ? null : runasMismatch({ args, keywords, bindings: {} }, params);
    if (why === null) {
      return { plan: { expr: c.expr }, origin: c.origin, source: c.origin === '--call' ? 'cli' : 'directive', note: notes.length > 0 ? notes.join('; ') : null, signature };
    }
    notes.push(`the call at ${c.origin} does not fit ${signature}: ${why}`);
  }
  const runas = sources.runas.filter((c) => c.function === sig.name);
  // Pythran's test cases list their #runas calls in the order of the overloads: try the
  // overload's own position first, then every other call in order.
  const preferred = runas[overloadIndex - 1];
  const candidates = preferred !== undefined ? [preferred, ...runas.filter((c) => c !== preferred)] : runas;
  const label = sources.fileLabel ?? 'file';
  const runasNotes: string[] = [];
  for (const c of candidates) {
    const why = runasMismatch(c, params);
    if (why === null) {
      const plan: FullCallPlan = c.setup === '' ? { expr: c.expr } : { expr: c.expr, setup: c.setup };
      return { plan, origin: `${label}:${c.line} (#runas)`, source: 'runas', note: notes.length > 0 ? notes.join('; ') : null, signature };
    }
    runasNotes.push(`#runas at line ${c.line} does not fit ${signature}: ${why}`);
  }
  notes.push(...[...new Set(runasNotes)]);
  const args = generatedArgs(sig, sources.capsules);
  const note = notes.length > 0 ? `${notes.join('; ')}; generated arguments instead` : null;
  return { plan: { args }, origin: 'generated', source: 'generated', note, signature };
}

export interface PlannedOverload {
  overload: Overload;
  /** The call plan; null when none could be made (then `error` says why and what to write). */
  plan: OverloadPlan | null;
  error: string | null;
}

/**
 * Everything `run` needs for one file, in one call: its exports sorted (functions,
 * capsules...), and one plan per overload from the sources in order (`written`: the
 * `--call` calls, origin '--call'; the file's own `# leakcheck: call` lines are read
 * here). Pure; throws SpecSyntaxError for an export line that does not parse.
 */
export function planModule(
  exports: readonly ExportSignature[],
  source: string,
  opts: { fileLabel: string; moduleName?: string; cli?: readonly WrittenCall[] },
): { module: ModuleExports; overloads: PlannedOverload[]; problems: DirectiveProblem[] } {
  const module = classifyExports(exports, opts.fileLabel);
  const directives = parseCallDirectives(source, opts.fileLabel);
  const names = [...new Set(module.functions.map((f) => f.name))];
  const sources: CallSources = {
    written: [...(opts.cli ?? []), ...directives.calls],
    runas: parseRunas(source, names, opts.moduleName),
    capsules: module.capsules,
    fileLabel: opts.fileLabel,
  };
  const overloads = overloadsOf(module.functions).map((overload): PlannedOverload => {
    try {
      return { overload, plan: planOverload(overload.sig, sources, overload.index), error: null };
    } catch (error) {
      if (!(error instanceof UnsupportedArgument)) throw error;
      return { overload, plan: null, error: error.message };
    }
  });
  return { module, overloads, problems: directives.problems };
}
