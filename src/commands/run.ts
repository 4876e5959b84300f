/**
 * `pythran-leakcheck run <target>...`: build each repro, measure each
 * exported function in its own process, judge, report.
 */
import path from 'node:path';
import pLimit from 'p-limit';
import { parseCallDirectives, parseCallText, planCall, UnsupportedArgument, type WrittenCall } from '../core/calls.js';
import { measure, type Measurement } from '../core/measure.js';
import type { CallPlan } from '../core/protocol.js';
import { parseShard, SCHEMA_VERSION, shardKeys, type EnvironmentReport, type Report, type Result } from '../core/report.js';
import { errorResult, resultFromInvestigation, type ResultContext } from '../core/results.js';
import type { Investigation } from '../core/diagnosis.js';
import { parseExports, SpecSyntaxError, type ExportSignature } from '../core/signature.js';
import { DEFAULT_RULE, DEFAULT_THRESHOLDS, type Thresholds } from '../core/verdict.js';
import { CancelledError, isKnownError, UsageError } from '../errors.js';
import { buildModule } from '../io/build.js';
import { openCache, type CacheLayout } from '../io/cache.js';
import { startHarness } from '../io/harness.js';
import { resolveEnvironment, type PythonEnv } from '../io/python-env.js';
import { resolveTargets, type Repro } from '../io/targets.js';
import type { Progress } from '../progress.js';
import { TOOL_VERSION } from '../version.js';
import type { RunOptions } from '../options.js';

export { RunOptionsSchema, type RunOptions } from '../options.js';

export interface CommandContext {
  signal: AbortSignal;
  progress: Progress;
  cwd: string;
}

export function thresholdsFrom(opts: Pick<RunOptions, 'threshold'>): Thresholds {
  return { ...DEFAULT_THRESHOLDS, bytes: opts.threshold };
}

export function environmentReport(env: PythonEnv): EnvironmentReport {
  return {
    python: `${env.probe.executable} (${env.probe.python})`,
    pythonVersion: env.probe.python,
    pythran: env.pythran,
    numpy: env.probe.numpy ?? 'unknown',
    compiler: env.compiler,
    managed: env.managed,
  };
}

function cliCalls(texts: readonly string[]): WrittenCall[] {
  return texts.map((text) => {
    const parsed = parseCallText(text);
    if (parsed === null) throw new UsageError(`--call expects 'name(arguments)', got '${text}'`);
    return { ...parsed, origin: '--call' };
  });
}

export type MeasureFunctionOptions = Pick<RunOptions, 'budget' | 'timeout' | 'threshold'> & {
  scale?: number;
  phases?: Array<'plain' | 'traced'>;
  /** Seconds of calls before measuring starts. */
  warmupSeconds?: number;
  /** false: after a leak, run only the replicate (the verdict), not the uncompiled control or the scaled run. */
  diagnose?: boolean;
};

const WARMUP_SECONDS = 0.05; // the default of --warmup

/** Measure one function of a built module in its own harness process. */
export async function measureFunction(
  env: PythonEnv,
  module: { modulePath: string; moduleName: string },
  fn: string,
  call: CallPlan,
  opts: MeasureFunctionOptions,
  ctx: Pick<CommandContext, 'signal'>,
): Promise<Measurement> {
  const session = startHarness(
    env,
    {
      modulePath: module.modulePath,
      moduleName: module.moduleName,
      function: fn,
      call,
      warmupSeconds: opts.warmupSeconds ?? WARMUP_SECONDS,
      warmupMinCalls: 10,
      batchSeconds: 0.01,
      maxBatchCalls: 20_000,
      phases: opts.phases ?? ['plain', 'traced'],
      scale: opts.scale ?? 1,
      census: true,
    },
    { timeoutMs: opts.timeout * 1000, signal: ctx.signal, cwd: path.dirname(module.modulePath) },
  );
  return measure(session, { thresholds: thresholdsFrom(opts), rule: DEFAULT_RULE, budgetSeconds: opts.budget, plainShare: 0.6 });
}

/**
 * Measure a function and, when it leaks, find out more, each in a fresh
 * process and side by side: a replicate (a leak is final only if it repeats),
 * the same function uncompiled (is it Pythran's leak?), and for a native leak
 * the same call at twice the input size (does it scale with the input?).
 */
export async function investigateFunction(
  env: PythonEnv,
  module: { modulePath: string; moduleName: string; sourcePath: string | null },
  fn: string,
  call: CallPlan,
  opts: MeasureFunctionOptions,
  ctx: Pick<CommandContext, 'signal'>,
): Promise<Investigation> {
  const first = await measureFunction(env, module, fn, call, opts, ctx);
  if (first.status !== 'judged' || first.judgement.verdict !== 'leak') return { first, replicate: null, interpreted: null, scaled: null };
  const native = first.judgement.kind === 'native-heap';
  // A leak the plain phase saw can be confirmed by the plain phase alone.
  const plainLeak = first.judgement.signals.some((s) => s.decisive && s.state === 'leak' && s.name !== 'python');
  const again = { ...opts, phases: plainLeak ? (['plain'] as const satisfies Array<'plain'>) : undefined };
  // The replicate warms up for twice as long as the first process had run when it saw the
  // leak, so it measures a window well past the first one: a cache that was still filling
  // then has stopped by now, while a leak goes on at the same rate.
  const plainSeconds = first.samples.plain.at(-1)?.seconds ?? first.seconds;
  const horizon = 2 * ((opts.warmupSeconds ?? WARMUP_SECONDS) + plainSeconds);
  const [replicate, interpreted, scaled] = await Promise.all([
    measureFunction(env, module, fn, call, { ...again, warmupSeconds: horizon }, ctx),
    module.sourcePath === null || opts.diagnose === false
      ? Promise.resolve(null)
      : measureFunction(env, { modulePath: module.sourcePath, moduleName: `${module.moduleName}_uncompiled` }, fn, call, again, ctx),
    native && opts.diagnose !== false ? measureFunction(env, module, fn, call, { ...opts, scale: 2, phases: ['plain'] }, ctx) : Promise.resolve(null),
  ]);
  return { first, replicate, interpreted, scaled };
}

/** A run over already-resolved targets and environment: shared by `run`, and later `gate` and `bisect`. */
export async function runRepros(
  repros: readonly Repro[],
  env: PythonEnv,
  cache: CacheLayout,
  opts: RunOptions,
  ctx: CommandContext,
): Promise<Result[]> {
  const cli = cliCalls(opts.call);
  const limit = pLimit(opts.jobs);
  const perRepro = repros.map(async (repro): Promise<Result[]> => {
    const fileCtx: ResultContext = { file: repro.display, function: null, call: null, build: null };
    let exports: ExportSignature[];
    try {
      exports = parseExports(repro.source);
    } catch (error) {
      if (!(error instanceof SpecSyntaxError)) throw error;
      return [errorResult(fileCtx, 'InputError', `${repro.display}:${error.line}:${error.column}: bad '# pythran export' line: ${error.message}`)];
    }
    const functions = exports.filter((e) => e.params !== null && e.flavour === 'function');
    if (functions.length === 0) {
      return [errorResult(fileCtx, 'InputError', `${repro.display} exports no function: add a '# pythran export name(types)' line.`)];
    }
    // One entry per exported name (a name exported with several signatures is measured once, with the first).
    const byName = new Map<string, ExportSignature>();
    for (const f of functions) if (!byName.has(f.name)) byName.set(f.name, f);
    const results: Result[] = [];
    if (repro.only !== null) {
      for (const name of repro.only) {
        if (!byName.has(name)) {
          results.push(errorResult({ ...fileCtx, function: name }, 'InputError', `${repro.display} does not export '${name}' (it exports ${[...byName.keys()].join(', ')}).`));
        }
      }
    }
    const chosen = [...byName.values()].filter((f) => repro.only === null || repro.only.includes(f.name));
    if (chosen.length === 0) return results;

    const directives = parseCallDirectives(repro.source, repro.display);
    if (directives.problems.length > 0) {
      const p = directives.problems[0];
      return [...results, errorResult(fileCtx, 'InputError', `${repro.display}:${p?.line}: ${p?.message}`)];
    }

    ctx.progress.step(`Building ${repro.display} with Pythran ${env.pythran.version}...`);
    let built;
    try {
      built = await limit(() => buildModule(repro.absolute, env, { cache, signal: ctx.signal, timeoutMs: opts.buildTimeout * 1000, display: repro.display }));
    } catch (error) {
      if (!isKnownError(error)) throw error;
      // Interrupted or failed: this file's functions are reported as such; the others go on.
      const msg = error instanceof CancelledError ? 'interrupted before it was built' : error.message;
      return [...results, errorResult(fileCtx, error.name as Result['errorType'] & string, msg)];
    }
    const build = { cached: built.cached, seconds: built.seconds };

    const measured = await Promise.all(
      chosen.map((sig) =>
        limit(async (): Promise<Result> => {
          const fnCtx: ResultContext = { file: repro.display, function: sig.name, call: null, build };
          if (ctx.signal.aborted) return errorResult(fnCtx, 'CancelledError', 'interrupted before it was measured');
          let planned;
          try {
            planned = planCall(sig, [...directives.calls, ...cli]);
          } catch (error) {
            if (error instanceof UnsupportedArgument) {
              return errorResult(fnCtx, 'InputError', `${error.message} for ${sig.name}; write the call yourself: '# leakcheck: call ${sig.name}(...)'`);
            }
            throw error;
          }
          const callCtx = { ...fnCtx, call: { origin: planned.origin, args: [] } };
          ctx.progress.step(`Measuring ${repro.display}::${sig.name}...`);
          try {
            const inv = await investigateFunction(env, built, sig.name, planned.plan, { ...opts, warmupSeconds: opts.warmup }, ctx);
            if (ctx.signal.aborted) return errorResult(callCtx, 'CancelledError', 'interrupted while it was measured');
            return resultFromInvestigation(callCtx, inv, opts.timeout);
          } catch (error) {
            if (error instanceof CancelledError) return errorResult(callCtx, 'CancelledError', 'interrupted while it was measured');
            throw error;
          }
        }),
      ),
    );
    return [...results, ...measured];
  });
  const all = (await Promise.all(perRepro)).flat();
  ctx.progress.done();
  return all;
}

/** The function names a repro exports (or the ones its target named); [] when its export lines do not parse. */
function functionNames(r: Repro): string[] {
  let names: string[];
  try {
    names = [...new Set(parseExports(r.source).filter((e) => e.params !== null && e.flavour === 'function').map((e) => e.name))];
  } catch {
    names = ['(unparsed)'];
  }
  // A file that exports nothing still belongs to one shard, which reports it.
  if (names.length === 0) names = ['(none)'];
  return r.only === null ? names : names.filter((n) => r.only?.includes(n)).concat(r.only.filter((n) => !names.includes(n)));
}

export async function runCommand(targets: readonly string[], opts: RunOptions, ctx: CommandContext): Promise<Report> {
  const shard = opts.shard === undefined ? null : parseShard(opts.shard);
  if (opts.shard !== undefined && shard === null) throw new UsageError(`--shard expects i/n with 1 <= i <= n, such as 2/4; got '${opts.shard}'`);
  const found = await resolveTargets(targets, ctx.cwd);
  const problems = found.problems;
  let repros = found.repros;
  if (shard !== null) {
    const keys = repros.flatMap((r) => functionNames(r).map((f) => `${r.display}::${f}`));
    const mine = shardKeys(keys, shard);
    repros = repros
      .map((r) => ({ ...r, only: functionNames(r).filter((f) => mine.has(`${r.display}::${f}`)) }))
      .filter((r) => r.only.length > 0);
  }
  const problemResults = problems.map((p) =>
    errorResult({ file: p.target, function: null, call: null, build: null }, 'InputError', p.message),
  );
  const cache = await openCache(opts.cacheDir);
  const thresholds = thresholdsFrom(opts);
  if (repros.length === 0) {
    return { schemaVersion: SCHEMA_VERSION, tool: { name: 'pythran-leakcheck', version: TOOL_VERSION }, environment: null, thresholds, results: problemResults };
  }
  const env = await resolveEnvironment({ python: opts.python, pythran: opts.pythran }, { cache, signal: ctx.signal, progress: ctx.progress });
  const results = await runRepros(repros, env, cache, opts, ctx);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'pythran-leakcheck', version: TOOL_VERSION },
    environment: environmentReport(env),
    thresholds,
    results: [...problemResults, ...results],
  };
}
