/**
 * `reduce`: shrink a leaking function, and the module around it, to a smaller
 * repro that still leaks the same way on the same Pythran.
 *
 * The original is measured once, fully (a function that does not leak, leaks
 * uncompiled too, or does not build is refused). Then the search driver
 * (pysource-minimize, a port) proposes candidates; each is built through the
 * build cache and judged by a short measurement of the first process only
 * (core/reduce.ts: same kind of leak), two at a time. The smallest interesting
 * candidate is kept, whatever stops the search (its end, the budget, Ctrl-C);
 * the full verdict, uncompiled control included, runs on it alone, and with
 * `--releases` a release bisection of it.
 */
import path from 'node:path';
import type { BisectReport } from '../core/bisect-report.js';
import { parseCallText } from '../core/calls.js';
import { planModule } from '../core/overloads.js';
import {
  confirmed,
  isInteresting,
  issueMarkdown,
  parseReleaseRange,
  REDUCE_SCHEMA_VERSION,
  ReduceReportSchema,
  smaller,
  type CandidateMessage,
  type CandidateOutcome,
  type ReduceReport,
  type Size,
} from '../core/reduce.js';
import type { Result } from '../core/report.js';
import { formatType, parseExports, signatureText } from '../core/signature.js';
import type { LeakKind } from '../core/verdict.js';
import { CancelledError, HarnessError, isKnownError, NothingToReduceError, NotBuildableError, UsageError } from '../errors.js';
import { makeTempDir, openCache, removeQuietly } from '../io/cache.js';
import type { DriverConfig, DriverSession } from '../io/reducer.js';
import type { EnvContext } from '../io/managed/shared.js';
import { moduleNameFor } from '../io/build.js';
import { resolveFunctionTarget, type Repro } from '../io/targets.js';
import type { ReduceOptions } from '../options.js';
import { TOOL_VERSION } from '../version.js';
import { checkDomain, measureFunction } from './measure.js';
import type { RunOptions } from './options.js';
import type { CacheLayout, PipelineContext, Ports, PythonEnv } from './ports.js';
import { configuredEnv, environmentReport, runRepros } from './run.js';

export { ReduceOptionsSchema, type ReduceOptions } from '../options.js';

/** Seconds of measuring allowed to one candidate: a leak of the original's kind shows within about 1 s. */
const CANDIDATE_BUDGET = 3;
const CANDIDATE_TIMEOUT = 60;

export interface ReducerPort {
  /** The reducer's interpreter (its venv, made on first use). */
  prepare(ctx: EnvContext): Promise<string>;
  start(python: string, config: DriverConfig, opts: { timeoutMs: number; signal: AbortSignal }): DriverSession;
}

export interface ReduceFilesPort {
  chooseFolder(out: string | undefined, fn: string, cwd: string): Promise<string>;
  names(fn: string): { repro: string; report: string; issue: string };
  write(folder: string, name: string, text: string): Promise<string>;
  read(file: string): Promise<string>;
}

/** A release bisection of one function (the `bisect` command's). */
export type BisectPort = (target: string, range: { from: string; to: string }, env: { cacheDir: string | undefined }) => Promise<BisectReport>;

export interface ReducePorts extends Ports {
  reducer: ReducerPort;
  files: ReduceFilesPort;
  bisect: BisectPort;
}

export type ReduceContext = Omit<PipelineContext, 'ports'> & { ports: ReducePorts };

function runOptionsOf(opts: ReduceOptions): RunOptions {
  return { ...opts, jobs: 2, shard: undefined, diagnose: true };
}

/** The full verdict of one function of one file (every overload; the leaking one first). */
async function fullVerdict(repro: Repro, fn: string, env: PythonEnv, cache: CacheLayout, opts: ReduceOptions, ctx: ReduceContext): Promise<Result> {
  const results = await runRepros([{ ...repro, only: [fn] }], env, cache, runOptionsOf(opts), ctx);
  const r = results.find((x) => x.verdict === 'leak') ?? results[0];
  if (r === undefined) throw new Error(`no result for ${fn}`);
  return r;
}

/** Refuse what cannot be reduced: a function that does not build, does not leak, or leaks uncompiled too. */
function refuse(r: Result, name: string, pythran: string): void {
  if (r.verdict === 'leak' && r.owner !== 'code') return;
  if (r.verdict === 'error' && (r.errorType === 'BuildError' || r.errorType === 'InputError')) {
    throw new NotBuildableError(`${name} does not build with Pythran ${pythran}: ${r.message ?? ''}`, { hint: 'reduce needs a repro that builds and leaks; fix the build first (see the message)' });
  }
  if (r.verdict === 'leak') {
    throw new NothingToReduceError(`${name} leaks as plain Python too (uncompiled control: ${r.diagnosis?.interpreted?.message ?? 'leak'}): the leak is the code's own, not Pythran's.`);
  }
  throw new NothingToReduceError(`${name} does not leak on Pythran ${pythran} (measured once: ${r.verdict}${r.message !== null ? `, ${r.message}` : ''}): there is nothing to reduce.`, {
    hint: r.verdict === 'ok' ? 'pick the release that leaks (--pythran VERSION)' : 'run it with `run` to see why it was not judged',
  });
}

/** The export types of the leaking overload's parameters, in order. */
function exportTypes(source: string, fn: string, overload: string | null): string[] {
  const sigs = parseExports(source).filter((e) => e.name === fn && e.params !== null && e.flavour === 'function');
  const squash = (t: string) => t.replace(/\s+/g, '');
  const sig = (overload === null ? sigs[0] : sigs.find((s) => squash(signatureText(s)) === squash(overload))) ?? sigs[0];
  return (sig?.params ?? []).map((p) => `${formatType(p.type)}${p.optional ? '?' : ''}`);
}

/** The repro's own `# leakcheck: call fn(...)` line, if it has one. */
function callLineOf(source: string, fn: string): string | null {
  for (const line of source.split('\n')) {
    const m = /^\s*#\s*leakcheck:\s*call\s+(.*)$/.exec(line);
    if (m !== null && parseCallText(m[1] ?? '')?.function === fn) return line.trim();
  }
  return null;
}

interface Best extends Size {
  text: string;
}

export async function reduceTarget(target: string, opts: ReduceOptions, ctx: ReduceContext): Promise<ReduceReport> {
  const t0 = ctx.ports.clock();
  const elapsed = () => (ctx.ports.clock() - t0) / 1000;
  const range = opts.releases === undefined ? null : parseReleaseRange(opts.releases);
  if (opts.releases !== undefined && range === null) throw new UsageError(`--releases expects a range such as 0.14.0..0.16.1, got '${opts.releases}'`);
  const { repro, fn } = await resolveFunctionTarget(target, ctx.cwd, 'reduce');
  const name = `${repro.display}::${fn}`;
  const folder = await ctx.ports.files.chooseFolder(opts.out, fn, ctx.cwd);
  const names = ctx.ports.files.names(fn);
  const cache = await openCache(opts.cacheDir);
  const envCtx: EnvContext = { cache, signal: ctx.signal, progress: ctx.progress };
  const resolved = await ctx.ports.environment.resolve({ python: opts.python, pythran: opts.pythran }, envCtx);
  const env = configuredEnv(resolved, opts);
  const pythran = env.pythran.version;

  ctx.progress.step(`Measuring ${name} on Pythran ${pythran} once...`);
  const original = await fullVerdict(repro, fn, env, cache, opts, ctx);
  if (ctx.signal.aborted) throw new CancelledError('interrupted');
  refuse(original, name, pythran);
  const kind = original.kind as LeakKind;

  // ---- the search
  const reducerPython = await ctx.ports.reducer.prepare(envCtx);
  const work = await makeTempDir(cache, 'reduce');
  const moduleName = moduleNameFor(repro.absolute);
  const search = new AbortController();
  const searchSignal = AbortSignal.any([ctx.signal, search.signal]);
  const budgetMs = opts.budgetTotal * 1000;
  let stopped: ReduceReport['stopped'] = 'fixpoint';
  const timer = setTimeout(() => {
    stopped = 'budget';
    search.abort(new CancelledError('budget'));
  }, Math.max(0, budgetMs - elapsed() * 1000));
  const driver = ctx.ports.reducer.start(
    reducerPython,
    { source: repro.source, function: fn, types: exportTypes(repro.source, fn, original.overload), callLine: callLineOf(repro.source, fn), work, moduleName },
    { timeoutMs: budgetMs + 60_000, signal: searchSignal },
  );
  const counts = { tried: 0, interesting: 0, notBuilt: 0 };
  // Written by the judges as they finish (a holder, not locals: closures assign them).
  const found: { first: Size | null; best: Best | null } = { first: null, best: null };
  const inflight = new Map<string, { assume: string | null; abort: AbortController; done: Promise<void> }>();
  const cli = opts.call.map((text) => ({ ...(parseCallText(text) ?? { function: '', expr: text }), origin: '--call' as const }));
  const show = () =>
    ctx.progress.step(
      `reduce ${fn}: ${found.best?.bodyLines ?? found.first?.bodyLines ?? '?'} body lines (${found.first?.bodyLines ?? '?'} at the start), ${counts.tried} candidates tried, ${counts.interesting} kept, ${elapsed().toFixed(0)} s`,
    );

  const judge = async (m: CandidateMessage, signal: AbortSignal): Promise<CandidateOutcome> => {
    const text = await ctx.ports.files.read(m.path);
    let planned;
    try {
      planned = planModule(parseExports(text), text, { fileLabel: m.path, moduleName, cli });
    } catch (error) {
      return { state: 'no-call', reason: (error as Error).message };
    }
    const plan = planned.overloads.find((o) => o.overload.sig.name === fn)?.plan ?? null;
    if (plan === null) return { state: 'no-call', reason: 'no call fits the export line' };
    let built;
    try {
      built = await ctx.ports.builder.build(m.path, env, { cache, signal, timeoutMs: opts.buildTimeout * 1000, display: path.basename(m.path), debug: false });
    } catch (error) {
      if (error instanceof CancelledError || !isKnownError(error)) throw error;
      return { state: 'not-built', reason: error.message };
    }
    // Beside the measurement, one uncompiled call: a candidate whose arguments plain Python
    // rejects (an index past the end of an array it shrank) would be judged on reads and
    // writes out of bounds.
    const short = { budget: Math.min(CANDIDATE_BUDGET, opts.budget), timeout: CANDIDATE_TIMEOUT, threshold: opts.threshold, warmupSeconds: opts.warmup };
    const [measurement, domain] = await Promise.all([
      measureFunction(env, built, fn, plan.plan, short, { signal, ports: ctx.ports }),
      checkDomain(env, built, fn, plan.plan, short, { signal, ports: ctx.ports }),
    ]);
    if (domain.status === 'raised') return { state: 'outside-domain', reason: `${domain.error.exception}: ${domain.error.message}` };
    return { state: 'measured', measurement };
  };

  let failure: Error | null = null;
  const onCandidate = (m: CandidateMessage) => {
    counts.tried += 1;
    found.first ??= { bodyLines: m.bodyLines, lines: m.lines };
    const abort = new AbortController();
    const signal = AbortSignal.any([searchSignal, abort.signal]);
    const done = (async () => {
      let interesting = false;
      try {
        const outcome = await judge(m, signal);
        if (outcome.state === 'not-built') counts.notBuilt += 1;
        interesting = isInteresting(kind, outcome);
      } catch (error) {
        // A failure that is not the search being stopped ends the search, and the command.
        if (!(error instanceof CancelledError) && !signal.aborted) {
          failure ??= error instanceof Error ? error : new Error(String(error));
          search.abort(new CancelledError('failed'));
        }
        return;
      } finally {
        inflight.delete(m.id);
      }
      if (signal.aborted) return;
      if (interesting) {
        counts.interesting += 1;
        const size = { bodyLines: m.bodyLines, lines: m.lines };
        if (found.best === null || smaller(size, found.best)) found.best = { ...size, text: await ctx.ports.files.read(m.path) };
        // The candidates asked on the assumption that this one is not interesting are moot.
        for (const other of inflight.values()) if (other.assume === m.id) other.abort.abort();
      }
      driver.answer(m.id, interesting);
      show();
    })();
    inflight.set(m.id, { assume: m.assume, abort, done });
    show();
  };

  let notReproducible: string | null = null;
  try {
    for await (const message of driver.messages()) {
      if (message.type === 'candidate') onCandidate(message);
      else if (message.type === 'error') {
        if (message.kind === 'not-reproducible') notReproducible = message.message;
        else failure = new HarnessError(`the reducer failed: ${message.message}`);
        break;
      } else break;
    }
  } catch (error) {
    if (!searchSignal.aborted) failure = error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(timer);
    if (ctx.signal.aborted) stopped = 'interrupted';
    driver.stop();
    search.abort(new CancelledError('search over'));
    await Promise.allSettled([...inflight.values()].map((x) => x.done));
    await driver.finish();
    await removeQuietly(work);
  }
  if (failure !== null) throw failure;
  const finalBest = found.best;
  if (finalBest === null) {
    if (stopped === 'interrupted') throw new CancelledError('interrupted before any candidate was judged');
    if (notReproducible !== null) throw new NothingToReduceError(`${name}: ${notReproducible}`, { hint: 'the reduced module keeps only this function and its export line: does the leak need another exported function?' });
    throw new NothingToReduceError(`${name}: no candidate was judged within --budget-total ${opts.budgetTotal} s`, { hint: 'raise --budget-total' });
  }
  const start = found.first ?? finalBest;

  // ---- the result: written first, so that Ctrl-C keeps it; then the full verdict and the releases
  const reproFile = await ctx.ports.files.write(folder, names.repro, finalBest.text);
  const display = path.relative(ctx.cwd, reproFile).startsWith('..') ? reproFile : path.relative(ctx.cwd, reproFile);
  const which = opts.python !== undefined ? `--python ${opts.python}` : `--pythran ${pythran}`;
  const reproduce = `pythran-leakcheck run ${display} ${which}`;
  // Interrupted (Ctrl-C): the smallest repro found so far and its report are kept, with no full verdict.
  const interrupted = () => ctx.signal.aborted;
  let result: Result | null = null;
  let releases: BisectReport | null = null;
  if (!interrupted()) {
    ctx.progress.step(`Judging the reduced repro (${finalBest.bodyLines} body lines) in full...`);
    const reducedRepro: Repro = { display, absolute: reproFile, source: finalBest.text, only: [fn] };
    result = await fullVerdict(reducedRepro, fn, env, cache, opts, ctx).catch((error: unknown) => {
      if (error instanceof CancelledError) return null;
      throw error;
    });
  }
  if (range !== null && !interrupted()) {
    ctx.progress.step(`Bisecting releases ${range.from}..${range.to} on the reduced repro...`);
    releases = await ctx.ports.bisect(`${reproFile}::${fn}`, range, { cacheDir: opts.cacheDir }).catch((error: unknown) => {
      if (error instanceof CancelledError) return null;
      throw error;
    });
  }
  if (interrupted()) {
    stopped = 'interrupted';
    result = null;
  }
  ctx.progress.done();
  const report = ReduceReportSchema.parse({
    schemaVersion: REDUCE_SCHEMA_VERSION,
    tool: { name: 'pythran-leakcheck', version: TOOL_VERSION },
    command: 'reduce',
    target: name,
    function: fn,
    environment: environmentReport(env),
    kind,
    outcome: result !== null && confirmed(kind, result) ? 'reduced' : 'unconfirmed',
    stopped,
    fixpoint: stopped === 'fixpoint',
    seconds: elapsed(),
    budgetSeconds: opts.budgetTotal,
    candidates: counts,
    original: { file: repro.display, bodyLines: start.bodyLines, lines: start.lines, result: original },
    reduced: { file: display, bodyLines: finalBest.bodyLines, lines: finalBest.lines, source: finalBest.text, result },
    releases,
    reproduce,
    files: { repro: reproFile, report: path.join(folder, names.report), issue: result === null ? null : path.join(folder, names.issue) },
  } satisfies ReduceReport);
  if (result !== null) await ctx.ports.files.write(folder, names.issue, issueMarkdown({ ...report, reduced: { ...report.reduced, result } }));
  await ctx.ports.files.write(folder, names.report, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
