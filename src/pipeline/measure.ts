/**
 * One function, measured and investigated: the first measurement, and for a
 * leak its confirmation in a fresh process, the uncompiled control and (for a
 * native leak) the run at twice the input size. The harness is a port.
 */
import path from 'node:path';
import { planConfirmation } from '../core/confirm.js';
import type { Investigation, InvestigationTimings } from '../core/diagnosis.js';
import { measure, type Measurement, type PlainLeak } from '../core/measure.js';
import type { FunctionJudgement } from '../core/verdict.js';
import type { PlainSample, TracedSample } from '../core/protocol.js';
import type { CallPlan, HarnessConfig } from '../core/protocol.js';
import { DEFAULT_RULE } from '../core/verdict.js';
import { thresholdsFrom, type RunOptions } from './options.js';
import type { PipelineContext, PythonEnv } from './ports.js';

export type MeasureFunctionOptions = Pick<RunOptions, 'budget' | 'timeout' | 'threshold'> & {
  scale?: number;
  phases?: HarnessConfig['phases'];
  /** Seconds of calls before measuring starts, and the fewest calls of the warm-up. */
  warmupSeconds?: number;
  warmupMinCalls?: number;
  /** The arguments were generated: check them on the uncompiled function (see investigateFunction). */
  checkDomain?: boolean;
  /** Calls of the confirmation run (phases ['bulk']), and whether it reads tracemalloc. */
  bulk?: { calls: number; traced: boolean };
  /** false: after a leak, run only the confirmation (the verdict), not the uncompiled control or the scaled run. */
  diagnose?: boolean;
  /** Called as soon as the plain phase has found a leak (see core/measure.ts). */
  onPlainLeak?: (early: PlainLeak) => void;
};

export interface ModuleRef {
  modulePath: string;
  moduleName: string;
}

const WARMUP_SECONDS = 0.05; // the default of --warmup
/** Seconds allowed for the uncompiled call that checks generated arguments (plain Python can be slow: no answer is no verdict change). */
const DOMAIN_TIMEOUT = 30;
/** The confirmation run makes at least this many calls. */
const CONFIRM_MIN_CALLS = 50;

/** Measure one function of a built module in its own harness process. */
export async function measureFunction(
  env: PythonEnv,
  module: ModuleRef,
  fn: string,
  call: CallPlan,
  opts: MeasureFunctionOptions,
  ctx: Pick<PipelineContext, 'signal' | 'ports'>,
): Promise<Measurement> {
  const session = ctx.ports.harness.start(
    env,
    {
      modulePath: module.modulePath,
      moduleName: module.moduleName,
      function: fn,
      call,
      warmupSeconds: opts.warmupSeconds ?? WARMUP_SECONDS,
      warmupMinCalls: opts.warmupMinCalls ?? 10,
      batchSeconds: 0.01,
      maxBatchCalls: 20_000,
      phases: opts.phases ?? ['plain', 'traced'],
      scale: opts.scale ?? 1,
      census: true,
      bulkCalls: opts.bulk?.calls ?? 0,
      bulkTraced: opts.bulk?.traced ?? false,
    },
    { timeoutMs: opts.timeout * 1000, signal: ctx.signal, cwd: path.dirname(module.modulePath) },
  );
  return measure(session, { thresholds: thresholdsFrom(opts), rule: DEFAULT_RULE, budgetSeconds: opts.budget, plainShare: 0.6, onPlainLeak: opts.onPlainLeak });
}

/** One uncompiled call with the same arguments: does plain Python accept them? (`raised` when it does not.) */
export function checkDomain(
  env: PythonEnv,
  module: ModuleRef & { sourcePath: string },
  fn: string,
  call: CallPlan,
  opts: MeasureFunctionOptions,
  ctx: Pick<PipelineContext, 'signal' | 'ports'>,
): Promise<Measurement> {
  return measureFunction(
    env,
    { modulePath: module.sourcePath, moduleName: `${module.moduleName}_uncompiled` },
    fn,
    call,
    { ...opts, timeout: Math.min(opts.timeout, DOMAIN_TIMEOUT), warmupSeconds: 0, warmupMinCalls: 1, phases: ['bulk'], bulk: { calls: 1, traced: false } },
    ctx,
  );
}

/**
 * Measure a function and, when it leaks, find out more, each in a fresh
 * process and side by side: the confirmation (a leak is final only if one long
 * run with no readings in between grows too), the same function uncompiled (is
 * it Pythran's leak?), and for a native leak the same call at twice the input
 * size (does it scale with the input?).
 */
export async function investigateFunction(
  env: PythonEnv,
  module: ModuleRef & { sourcePath: string | null },
  fn: string,
  call: CallPlan,
  opts: MeasureFunctionOptions,
  ctx: Pick<PipelineContext, 'signal' | 'ports'>,
): Promise<Investigation> {
  const t0 = ctx.ports.clock();
  const seconds = new Map<keyof InvestigationTimings, number>();
  /** Measure, and note the wall seconds under `name`. */
  const timed = async <T>(name: keyof InvestigationTimings, work: Promise<T>): Promise<T> => {
    const start = ctx.ports.clock();
    const value = await work;
    seconds.set(name, (ctx.ports.clock() - start) / 1000);
    return value;
  };
  const done = (inv: Omit<Investigation, 'timings'>): Investigation => ({
    ...inv,
    timings: {
      measure: seconds.get('measure') ?? 0,
      domain: seconds.get('domain') ?? null,
      replicate: seconds.get('replicate') ?? null,
      control: seconds.get('control') ?? null,
      scaled: seconds.get('scaled') ?? null,
      total: (ctx.ports.clock() - t0) / 1000,
    },
  });
  // Generated arguments may lie outside what the function accepts (an index past the end):
  // compiled code does not check, so its verdict would rest on reads and writes out of bounds.
  // One uncompiled call with the same arguments, beside the first measurement, tells.
  const domainCheck =
    opts.checkDomain === true && module.sourcePath !== null
      ? timed('domain', checkDomain(env, { ...module, sourcePath: module.sourcePath }, fn, call, opts, ctx))
      : Promise.resolve(null);
  // The leak's follow-ups (confirmation, control, scaled run) start as soon as the first
  // process's plain phase has found the leak, beside its traced phase; they are stopped if the
  // first process then fails to give a verdict.
  const early = new AbortController();
  const earlyCtx = { ...ctx, signal: AbortSignal.any([ctx.signal, early.signal]) };
  let started: Promise<FollowUps> | null = null;
  const onPlainLeak = (e: PlainLeak) => {
    started ??= followUps({ judgement: e.judgement, plain: e.plain, traced: [], callSeconds: e.ready.callSeconds }, earlyCtx);
  };
  const [first, domain] = await Promise.all([timed('measure', measureFunction(env, module, fn, call, { ...opts, onPlainLeak }, ctx)), domainCheck]);
  if (first.status !== 'judged' || first.judgement.verdict !== 'leak') {
    early.abort();
    await (started as Promise<FollowUps> | null)?.catch(() => undefined);
    return done({ first, domain, confirmation: null, interpreted: null, scaled: null });
  }
  const w = { judgement: first.judgement, plain: first.samples.plain, traced: first.samples.traced, callSeconds: first.ready.callSeconds };
  const { plan, confirmed, interpreted, scaled } = await (started ?? followUps(w, ctx));
  return done({ first, domain, confirmation: { plan, measurement: confirmed }, interpreted, scaled });

  /** The confirmation in a fresh process, the uncompiled control and, for a native leak, the run at twice the size. */
  async function followUps(
    w: { judgement: FunctionJudgement; plain: PlainSample[]; traced: TracedSample[]; callSeconds: number },
    fctx: Pick<PipelineContext, 'signal' | 'ports'>,
  ): Promise<FollowUps> {
    const native = w.judgement.kind === 'native-heap';
    const plainSeconds = w.plain.at(-1)?.seconds ?? 0;
    const plainCalls = w.plain.at(-1)?.calls ?? 0;
    const secondsPerCall = plainCalls > 0 ? plainSeconds / plainCalls : w.callSeconds;
    const plan = planConfirmation(w, secondsPerCall, { minCalls: CONFIRM_MIN_CALLS, maxSeconds: opts.budget });
    // The confirmation warms up for twice as long as the first process had run when it saw the
    // leak, so it measures a window well past the first one: a cache that was still filling
    // then has stopped by now, while a leak goes on at the same rate.
    const horizon = 2 * ((opts.warmupSeconds ?? WARMUP_SECONDS) + plainSeconds);
    // The confirmation's calls are not counted against the budget's clock but they need time: allow for them.
    const confirmTimeout = opts.timeout + horizon + plan.calls * secondsPerCall * (plan.traced ? 4 : 1);
    // The control and the scaled run measure as the first run did, plain phase only when that saw the leak.
    const plainLeak = w.judgement.signals.some((s) => s.decisive && s.state === 'leak' && s.name !== 'python');
    const again: MeasureFunctionOptions = { ...opts, phases: plainLeak ? ['plain'] : undefined };
    const [confirmed, interpreted, scaled] = await Promise.all([
      timed(
        'replicate',
        measureFunction(env, module, fn, call, { ...opts, timeout: confirmTimeout, warmupSeconds: horizon, phases: ['bulk'], bulk: { calls: plan.calls, traced: plan.traced } }, fctx),
      ),
      module.sourcePath === null || opts.diagnose === false
        ? Promise.resolve(null)
        : timed('control', measureFunction(env, { modulePath: module.sourcePath, moduleName: `${module.moduleName}_uncompiled` }, fn, call, again, fctx)),
      native && opts.diagnose !== false ? timed('scaled', measureFunction(env, module, fn, call, { ...opts, scale: 2, phases: ['plain'] }, fctx)) : Promise.resolve(null),
    ]);
    return { plan, confirmed, interpreted, scaled };
  }
}

interface FollowUps {
  plan: ReturnType<typeof planConfirmation>;
  confirmed: Measurement;
  interpreted: Measurement | null;
  scaled: Measurement | null;
}
