/**
 * Call sources, overloads and capsules: every export line of a module planned
 * in one call, each with its source in order (--call, # leakcheck: call,
 * #runas, generated), capsules as function arguments. Pure.
 */
import { parseCallDirectives, planFor, pyExpr, UnsupportedArgument, type DirectiveProblem, type WrittenCall } from './calls.js';
import type { ArgPlan } from './protocol.js';
import { parseRunas, runasMismatch, splitTopLevel, type RunasCall } from './runas.js';
import type { ArgType, Dtype, ExportSignature } from './signature.js';
import { formatType, signatureText } from './signature.js';

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
