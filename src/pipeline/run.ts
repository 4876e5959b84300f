/**
 * A run over repros: parse each file's exports, build it, measure every
 * exported function (each in its own process, `jobs` at a time), judge and
 * collect one result per function. Shared by `run`, `gate` and `bisect`.
 */
import pLimit from 'p-limit';
import path from 'node:path';
import { blasLabel, withPythranConfig } from '../core/blas.js';
import { parseCallText, type WrittenCall } from '../core/calls.js';
import { planModule, type Overload } from '../core/overloads.js';
import { parseShard, SCHEMA_VERSION, shardKeys, type EnvironmentReport, type Report, type Result } from '../core/report.js';
import { errorResult, resultFromInvestigation, skippedResult, type ResultContext } from '../core/results.js';
import { parseExports, SpecSyntaxError } from '../core/signature.js';
import { CancelledError, isKnownError, UsageError } from '../errors.js';
import { openCache } from '../io/cache.js';
import { resolveTargets, type Repro } from '../io/targets.js';
import { TOOL_VERSION } from '../version.js';
import { investigateFunction } from './measure.js';
import { thresholdsFrom, type RunOptions } from './options.js';
import type { CacheLayout, PipelineContext, PythonEnv } from './ports.js';

export function environmentReport(env: PythonEnv): EnvironmentReport {
  return {
    python: `${env.probe.executable} (${env.probe.python})`,
    pythonVersion: env.probe.python,
    pythran: env.pythran,
    numpy: env.probe.numpy ?? 'unknown',
    compiler: env.compiler,
    blas: blasLabel(env.blas),
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

/** Whether a target's `::` selection names this overload: `f`, `f#2`, or its signature. */
function selected(only: readonly string[] | null, o: Overload): boolean {
  if (only === null) return true;
  const squash = (t: string) => t.replace(/\s+/g, '');
  return only.some((sel) => sel === o.sig.name || sel === `${o.sig.name}#${o.index}` || squash(sel) === squash(o.signature));
}

/** Every overload of every exported function of one repro: built once, each measured in its own process. */
async function runRepro(repro: Repro, env: PythonEnv, cache: CacheLayout, opts: RunOptions, ctx: PipelineContext, limit: ReturnType<typeof pLimit>, cli: WrittenCall[]): Promise<Result[]> {
  const fileCtx: ResultContext = { file: repro.display, function: null, call: null, build: null };
  let planned: ReturnType<typeof planModule>;
  try {
    planned = planModule(parseExports(repro.source), repro.source, { fileLabel: repro.display, moduleName: path.basename(repro.absolute, '.py'), cli });
  } catch (error) {
    if (!(error instanceof SpecSyntaxError)) throw error;
    return [errorResult(fileCtx, 'InputError', `${repro.display}:${error.line}:${error.column}: bad '# pythran export' line: ${error.message}`)];
  }
  const { module, overloads, problems } = planned;
  // Valid Pythran with nothing to call (only capsules or ufuncs): said, not an error.
  if (module.kind === 'capsules-only') return [skippedResult(fileCtx, module.message ?? `${repro.display} has nothing to measure`)];
  if (module.kind === 'nothing') return [errorResult(fileCtx, 'InputError', module.message ?? `${repro.display} exports no function`)];
  const results: Result[] = [];
  for (const sel of repro.only ?? []) {
    if (!overloads.some((o) => selected([sel], o.overload))) {
      const all = overloads.map((o) => (o.overload.count > 1 ? `${o.overload.sig.name}#${o.overload.index} ${o.overload.signature}` : o.overload.sig.name));
      results.push(errorResult({ ...fileCtx, function: sel }, 'InputError', `${repro.display} does not export '${sel}' (it exports ${all.join(', ')}).`));
    }
  }
  const chosen = overloads.filter((o) => selected(repro.only, o.overload));
  if (chosen.length === 0) return results;
  if (problems.length > 0) {
    const p = problems[0];
    return [...results, errorResult(fileCtx, 'InputError', `${repro.display}:${p?.line}: ${p?.message}`)];
  }

  ctx.progress.step(`Building ${repro.display} with Pythran ${env.pythran.version}...`);
  let built;
  try {
    built = await limit(() => ctx.ports.builder.build(repro.absolute, env, { cache, signal: ctx.signal, timeoutMs: opts.buildTimeout * 1000, display: repro.display }));
  } catch (error) {
    if (!isKnownError(error)) throw error;
    // Interrupted or failed: this file's functions are reported as such; the others go on.
    const msg = error instanceof CancelledError ? 'interrupted before it was built' : error.message;
    return [...results, errorResult(fileCtx, error.name as Result['errorType'] & string, msg)];
  }
  const build = { cached: built.cached, seconds: built.seconds };

  const measured = await Promise.all(
    chosen.map(({ overload, plan, error }) =>
      limit(async (): Promise<Result> => {
        const name = overload.count > 1 ? overload.signature : overload.sig.name;
        const fnCtx: ResultContext = { file: repro.display, function: overload.sig.name, overload: overload.count > 1 ? overload.signature : null, call: null, build };
        if (ctx.signal.aborted) return errorResult(fnCtx, 'CancelledError', 'interrupted before it was measured');
        if (plan === null) return errorResult(fnCtx, 'InputError', error ?? `no way to call ${name}`);
        const origin = plan.note === null ? plan.origin : `${plan.origin} (${plan.note})`;
        const callCtx = { ...fnCtx, call: { origin, args: [] } };
        ctx.progress.step(`Measuring ${repro.display}::${name}...`);
        try {
          const checkDomain = plan.source === 'generated';
          const inv = await investigateFunction(env, built, overload.sig.name, plan.plan, { ...opts, warmupSeconds: opts.warmup, checkDomain }, ctx);
          if (ctx.signal.aborted) return errorResult(callCtx, 'CancelledError', 'interrupted while it was measured');
          return { ...resultFromInvestigation(callCtx, inv, opts.timeout), timings: inv.timings ?? null };
        } catch (error) {
          if (error instanceof CancelledError) return errorResult(callCtx, 'CancelledError', 'interrupted while it was measured');
          throw error;
        }
      }),
    ),
  );
  return [...results, ...measured];
}

/** The environment as the options configure its builds: `--pythran-config` on top of its BLAS choice. */
export function configuredEnv(env: PythonEnv, opts: Pick<RunOptions, 'pythranConfig'>): PythonEnv {
  return opts.pythranConfig.length === 0 ? env : { ...env, blas: withPythranConfig(env.blas, opts.pythranConfig) };
}

/** A run over already-resolved targets and environment: shared by `run`, `gate` and `bisect`. */
export async function runRepros(repros: readonly Repro[], resolved: PythonEnv, cache: CacheLayout, opts: RunOptions, ctx: PipelineContext): Promise<Result[]> {
  const env = configuredEnv(resolved, opts);
  ctx.ports.harness.prepare?.(env);
  const cli = cliCalls(opts.call);
  const limit = pLimit(opts.jobs);
  const all = (await Promise.all(repros.map((repro) => runRepro(repro, env, cache, opts, ctx, limit, cli)))).flat();
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

/** Seconds of builds (once per file) and of investigations, summed. */
function workSeconds(results: readonly Result[]): { build: number; measure: number } {
  const builds = new Map<string, number>();
  for (const r of results) if (r.build !== null) builds.set(r.file, r.build.seconds);
  const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);
  return { build: sum(builds.values()), measure: sum(results.map((r) => r.timings?.total ?? 0)) };
}

/** `run`: targets to a report, on the environment the options ask for. */
export async function runTargets(targets: readonly string[], opts: RunOptions, ctx: PipelineContext): Promise<Report> {
  const shard = opts.shard === undefined ? null : parseShard(opts.shard);
  if (opts.shard !== undefined && shard === null) throw new UsageError(`--shard expects i/n with 1 <= i <= n, such as 2/4; got '${opts.shard}'`);
  const found = await resolveTargets(targets, ctx.cwd);
  let repros = found.repros;
  if (shard !== null) {
    const keys = repros.flatMap((r) => functionNames(r).map((f) => `${r.display}::${f}`));
    const mine = shardKeys(keys, shard);
    repros = repros.map((r) => ({ ...r, only: functionNames(r).filter((f) => mine.has(`${r.display}::${f}`)) })).filter((r) => r.only.length > 0);
  }
  const problemResults = found.problems.map((p) => errorResult({ file: p.target, function: null, call: null, build: null }, 'InputError', p.message));
  const cache = await openCache(opts.cacheDir);
  const tool = { name: 'pythran-leakcheck' as const, version: TOOL_VERSION };
  const thresholds = thresholdsFrom(opts);
  if (repros.length === 0) return { schemaVersion: SCHEMA_VERSION, tool, environment: null, thresholds, results: problemResults };
  const t0 = ctx.ports.clock();
  const env = await ctx.ports.environment.resolve({ python: opts.python, pythran: opts.pythran }, { cache, signal: ctx.signal, progress: ctx.progress });
  const environment = (ctx.ports.clock() - t0) / 1000;
  const results = await runRepros(repros, env, cache, opts, ctx);
  const timings = { environment, ...workSeconds(results), total: (ctx.ports.clock() - t0) / 1000 };
  return { schemaVersion: SCHEMA_VERSION, tool, environment: environmentReport(configuredEnv(env, opts)), thresholds, results: [...problemResults, ...results], timings };
}
