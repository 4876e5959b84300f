/**
 * From a measurement (or a failure before one) to a report row. Pure.
 */
import type { Measurement } from './measure.js';
import type { Result } from './report.js';
import type { SignalJudgement } from './verdict.js';
import { combineConfirmation, judgeConfirmation, type Confirmation } from './confirm.js';
import { diagnose, ownerOf, summary, type Investigation } from './diagnosis.js';

export interface ResultContext {
  file: string;
  function: string | null;
  /** The signature, for a function exported more than once. */
  overload?: string | null;
  call: Result['call'];
  build: Result['build'];
}

const EMPTY = {
  kind: null,
  bytesPerCall: { rss: null, native: null, python: null },
  blocksPerCall: null,
  refsPerCall: [],
  calls: 0,
  seconds: 0,
  rulesOutAbove: null,
  signals: {},
  series: null,
  diagnosis: null,
  owner: null,
  timings: null,
} satisfies Partial<Result>;

/** A file with nothing to measure (only capsules or ufuncs): said, never held against the run. */
export function skippedResult(ctx: ResultContext, message: string): Result {
  return { ...EMPTY, file: ctx.file, function: ctx.function, overload: null, call: null, build: ctx.build, verdict: 'skipped', errorType: null, message };
}

export function errorResult(ctx: ResultContext, errorType: NonNullable<Result['errorType']>, message: string): Result {
  return { ...EMPTY, file: ctx.file, function: ctx.function, overload: ctx.overload ?? null, call: ctx.call, build: ctx.build, verdict: 'error', errorType, message };
}

function finiteOrNull(x: number | undefined): number | null {
  return x === undefined || !Number.isFinite(x) ? null : x;
}

function signalRecord(signals: readonly SignalJudgement[]): Result['signals'] {
  const out: Result['signals'] = {};
  for (const s of signals) {
    out[s.name] = {
      unit: s.unit,
      perCall: finiteOrNull(s.perCall.estimate),
      low: finiteOrNull(s.perCall.low),
      high: finiteOrNull(s.perCall.high),
      threshold: s.threshold,
      state: s.state,
      decisive: s.decisive,
      batches: s.perCall.n,
    };
  }
  return out;
}

function tail(text: string, lines = 6): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n');
}

/** The harness's own frames in a faulthandler stack (python/harness.py, python/zygote.py): noise beside the user's. */
const OWN_FRAME = /^\s*File ".*[\\/](?:harness|zygote)\.py", line \d+/;

/**
 * What a crashed process printed, for its message: faulthandler's report from
 * its "Fatal Python error" line (the signal, then the user's frames), less
 * the harness's own frames; else the last lines.
 */
function crashTail(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let start = -1;
  lines.forEach((l, i) => {
    if (l.startsWith('Fatal Python error')) start = i;
  });
  if (start < 0) return tail(text);
  return lines
    .slice(start)
    .filter((l) => !OWN_FRAME.test(l))
    .slice(0, 12)
    .join('\n');
}

export function resultFromMeasurement(ctx: ResultContext, m: Measurement, timeoutSeconds: number): Result {
  const base = { file: ctx.file, function: ctx.function, overload: ctx.overload ?? null, call: ctx.call, build: ctx.build };
  switch (m.status) {
    case 'raised': {
      const stage = m.error.stage === 'call' ? 'raised' : m.error.stage === 'arguments' ? 'could not build its arguments:' : 'could not be loaded:';
      const hint =
        m.error.stage === 'call' || m.error.stage === 'arguments'
          ? ` (arguments: ${ctx.call?.origin ?? 'generated'}; give working ones with '# leakcheck: call ${ctx.function ?? 'f'}(...)' or --call)`
          : '';
      return { ...errorResult(ctx, 'FunctionRaised', `${stage} ${m.error.exception}: ${m.error.message}${hint}`), ...base };
    }
    case 'crash': {
      const how = m.signal !== null ? `crashed with ${m.signal}` : `exited with code ${m.exitCode ?? '?'}`;
      return { ...EMPTY, ...base, verdict: 'crash', errorType: null, calls: m.calls, message: `${how}${m.stderrTail ? `:\n${crashTail(m.stderrTail)}` : ''}` };
    }
    case 'timeout':
      return {
        ...EMPTY,
        ...base,
        verdict: 'timeout',
        errorType: null,
        calls: m.calls,
        message: `did not finish within ${timeoutSeconds} s (a call that never returns?); raise --timeout if it is just slow`,
      };
    case 'broken':
      return { ...errorResult(ctx, 'HarnessError', `the measuring process broke: ${m.reason}${m.stderrTail ? `\n${tail(m.stderrTail)}` : ''}`), ...base };
    case 'judged': {
      const j = m.judgement;
      const get = (name: string) => j.signals.find((s) => s.name === name);
      const est = (name: string) => finiteOrNull(get(name)?.perCall.estimate);
      const nargs = m.ready.refcountTracked.length;
      const refsPerCall = Array.from({ length: nargs }, (_, i) => est(`refcount:${i}`));
      return {
        ...base,
        call: ctx.call === null ? null : { origin: ctx.call.origin, args: m.ready.args },
        verdict: j.verdict,
        kind: j.kind,
        bytesPerCall: { rss: est('rss'), native: est('native'), python: est('python') },
        blocksPerCall: est('blocks'),
        refsPerCall,
        calls: m.calls,
        seconds: m.seconds,
        message: j.reason,
        errorType: null,
        rulesOutAbove: j.verdict === 'ok' ? Math.max(0, ...j.signals.filter((s) => s.decisive && s.unit === 'bytes').map((s) => s.rulesOutAbove)) : null,
        signals: signalRecord(j.signals),
        diagnosis: null,
        owner: null,
        timings: null,
        series: {
          plain: {
            calls: m.samples.plain.map((x) => x.calls),
            rss: m.samples.plain.map((x) => x.rss),
            native: m.samples.plain.map((x) => x.native),
            blocks: m.samples.plain.map((x) => x.blocks),
          },
          traced: { calls: m.samples.traced.map((x) => x.calls), python: m.samples.traced.map((x) => x.traced) },
        },
      };
    }
  }
}

/** A report row from a function's whole investigation: the confirmation decides whether a leak is final. */
export function resultFromInvestigation(ctx: ResultContext, inv: Investigation, timeoutSeconds: number): Result {
  const d = inv.domain;
  // (When the compiled function raised too, its own exception is the message.)
  if (d?.status === 'raised' && d.error.stage === 'call' && inv.first.status !== 'raised') {
    // The compiled verdict would measure code running on arguments it does not accept.
    const fn = ctx.function ?? 'f';
    return errorResult(
      ctx,
      'FunctionRaised',
      `the generated arguments are outside what ${fn} accepts: uncompiled, it raises ${d.error.exception}: ${d.error.message}; compiled code does not check, so no verdict is given on them. Give working ones with '# leakcheck: call ${fn}(...)' or --call`,
    );
  }
  let first = inv.first;
  let confirmation: Confirmation | null = null;
  if (first.status === 'judged' && first.judgement.verdict === 'leak') {
    const c = inv.confirmation;
    let why: string | undefined;
    if (c !== null && c.measurement.status === 'judged' && c.measurement.bulk !== null) confirmation = judgeConfirmation(c.plan, c.measurement.bulk);
    else if (c !== null) why = `${summary(c.measurement).verdict}: ${summary(c.measurement).message}`;
    first = { ...first, judgement: combineConfirmation(first.judgement, confirmation, why) };
  }
  const result = resultFromMeasurement(ctx, first, timeoutSeconds);
  const diagnosis = diagnose({ ...inv, first }, confirmation);
  return { ...result, diagnosis, owner: ownerOf(result.verdict, diagnosis) };
}
