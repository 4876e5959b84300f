/**
 * The decision rule: from batch samples to `leak`, `ok` or `inconclusive`.
 * Pure: no I/O, no clock, no console.
 *
 * For each signal, the growth per call in each batch is one observation
 * (see stats.ts). Judged on the recent half of the window (the earlier half
 * counts as extended warm-up, so growth that settles is not held against a
 * function), a signal is
 *   - `leak` when the 95% interval of its mean rate lies above the threshold
 *     over the recent half AND over the whole window, after at least
 *     `minLeakSeconds` of calls (the plateau guard: growth must hold as the
 *     window doubles, for long enough that a cache filling up has stopped);
 *   - `flat` when the recent half's interval lies below the threshold;
 *   - `undecided` otherwise: more batches are needed.
 * A function is `leak` when any decisive signal is `leak`, `ok` when every
 * decisive signal is `flat`, and `inconclusive` when the budget ran out first.
 * A leak becomes final only when the confirmation in a fresh process
 * agrees (confirm.ts).
 */
import { batchRates, meanInterval, type Interval } from './stats.js';
import type { PlainSample, TracedSample } from './protocol.js';

export type SignalName = 'python' | 'blocks' | 'native' | 'rss' | `refcount:${number}`;
export type SignalUnit = 'bytes' | 'blocks' | 'refs';
export type SignalState = 'leak' | 'flat' | 'undecided';
export type LeakKind = 'python-objects' | 'native-heap' | 'argument-refcount';
export type Verdict = 'leak' | 'ok' | 'inconclusive';

export interface Thresholds {
  /** Bytes per call above which the Python (tracemalloc) or native heap signal is a leak. */
  bytes: number;
  /** Python allocator blocks per call. */
  blocks: number;
  /** References gained per call on one argument. */
  refs: number;
  /** RSS is judged only where no native-heap reading exists; pages make it coarse. */
  rssBytes: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { bytes: 16, blocks: 0.5, refs: 0.5, rssBytes: 16 };

export interface RuleOptions {
  confidence: number;
  /** Batch rates needed before any signal may be decided (half of them form the recent window). */
  minRates: number;
  /** Seconds of calls a signal must keep growing before it may be called a leak. */
  minLeakSeconds: number;
}

export const DEFAULT_RULE: RuleOptions = { confidence: 0.95, minRates: 8, minLeakSeconds: 0.3 };

export interface SignalSeries {
  name: SignalName;
  unit: SignalUnit;
  threshold: number;
  /** Decisive signals vote on the verdict; the others are reported only. */
  decisive: boolean;
  calls: number[];
  values: number[];
}

export interface SignalJudgement {
  name: SignalName;
  unit: SignalUnit;
  threshold: number;
  decisive: boolean;
  state: SignalState;
  /** Growth per call over the whole measured window. */
  perCall: Interval;
  /** Growth per call over the second half of the window (the plateau guard). */
  secondHalf: Interval;
  /** The smallest leak this signal rules out, per call (upper bound, never below zero). */
  rulesOutAbove: number;
}

/** The smallest growth per call the recent half of the window can see: one granule over its calls. */
function resolution(series: SignalSeries): number {
  const n = series.calls.length;
  if (n < 2) return Infinity;
  const mid = Math.floor((n - 1) / 2);
  const calls = (series.calls[n - 1] as number) - (series.calls[mid] as number);
  // A tracked allocation is at least 16 bytes; blocks and references come one at a time.
  const granule = series.unit === 'bytes' ? 16 : 1;
  return calls > 0 ? granule / calls : Infinity;
}

/**
 * Judge one signal. `elapsedSeconds` is the time spent in calls over the
 * window (the harness's own count), used only by the plateau guard.
 */
export function judgeSignal(series: SignalSeries, rule: RuleOptions = DEFAULT_RULE, elapsedSeconds = Infinity): SignalJudgement {
  const rates = batchRates(series.values, series.calls);
  const perCall = meanInterval(rates, rule.confidence);
  const secondHalf = meanInterval(rates.slice(Math.floor(rates.length / 2)), rule.confidence);
  let state: SignalState = 'undecided';
  if (rates.length >= rule.minRates) {
    if (perCall.low > series.threshold && secondHalf.low > series.threshold) {
      if (elapsedSeconds >= rule.minLeakSeconds) state = 'leak';
    } else if (secondHalf.high < series.threshold) {
      state = 'flat';
    }
  }
  return {
    name: series.name,
    unit: series.unit,
    threshold: series.threshold,
    decisive: series.decisive,
    state,
    perCall,
    secondHalf,
    rulesOutAbove: Math.max(0, secondHalf.high, resolution(series)),
  };
}

/** The series a plain phase yields: blocks, native heap, RSS and one per tracked argument. */
export function plainSeries(samples: readonly PlainSample[], thresholds: Thresholds): SignalSeries[] {
  const calls = samples.map((s) => s.calls);
  const out: SignalSeries[] = [];
  out.push({ name: 'blocks', unit: 'blocks', threshold: thresholds.blocks, decisive: true, calls, values: samples.map((s) => s.blocks) });
  const hasNative = samples.length > 0 && samples.every((s) => s.native !== null);
  if (hasNative) {
    out.push({ name: 'native', unit: 'bytes', threshold: thresholds.bytes, decisive: true, calls, values: samples.map((s) => s.native ?? 0) });
  }
  const hasRss = samples.length > 0 && samples.every((s) => s.rss !== null);
  if (hasRss) {
    // Where the native heap can be read, RSS (page-sized, moved by the allocator's own
    // trimming) only corroborates; where it cannot, RSS must stand in for it.
    out.push({ name: 'rss', unit: 'bytes', threshold: thresholds.rssBytes, decisive: !hasNative, calls, values: samples.map((s) => s.rss ?? 0) });
  }
  const nargs = samples[0]?.refcounts.length ?? 0;
  for (let i = 0; i < nargs; i += 1) {
    if (samples.every((s) => s.refcounts[i] !== null && s.refcounts[i] !== undefined)) {
      out.push({ name: `refcount:${i}`, unit: 'refs', threshold: thresholds.refs, decisive: true, calls, values: samples.map((s) => s.refcounts[i] ?? 0) });
    }
  }
  return out;
}

export function tracedSeries(samples: readonly TracedSample[], thresholds: Thresholds): SignalSeries[] {
  return [
    {
      name: 'python',
      unit: 'bytes',
      threshold: thresholds.bytes,
      decisive: true,
      calls: samples.map((s) => s.calls),
      values: samples.map((s) => s.traced),
    },
  ];
}

/** Whether a phase has seen enough: every decisive signal decided, or one of them a leak. */
export function phaseSettled(judgements: readonly SignalJudgement[]): boolean {
  const decisive = judgements.filter((j) => j.decisive);
  if (decisive.length === 0) return false;
  if (decisive.some((j) => j.state === 'leak')) return true;
  return decisive.every((j) => j.state === 'flat');
}

export interface FunctionJudgement {
  verdict: Verdict;
  kind: LeakKind | null;
  signals: SignalJudgement[];
  /** One line that says why. */
  reason: string;
}

/** The kind of a leak from the signals that leak: references beat objects, objects beat the native heap. */
export function kindOf(names: readonly SignalName[]): LeakKind {
  if (names.some((n) => n.startsWith('refcount:'))) return 'argument-refcount';
  if (names.includes('blocks')) return 'python-objects';
  if (names.some((n) => n === 'native' || n === 'rss')) return 'native-heap';
  return 'python-objects';
}

export function judgeFunction(signals: readonly SignalJudgement[]): FunctionJudgement {
  const decisive = signals.filter((s) => s.decisive);
  const leaking = decisive.filter((s) => s.state === 'leak');
  if (leaking.length > 0) {
    const kind = kindOf(leaking.map((s) => s.name));
    // Every leak states bytes per call with an interval: the leaking signals, and any byte
    // signal whose interval lies above its threshold even if it was not held long enough to decide.
    const shown = decisive.filter((s) => s.state === 'leak' || (s.unit === 'bytes' && s.perCall.low > s.threshold));
    const parts = shown.map((s) => `${s.name} +${fmt(s.perCall.estimate)} ${s.unit}/call [${fmt(s.perCall.low)}, ${fmt(s.perCall.high)}]`);
    return { verdict: 'leak', kind, signals: [...signals], reason: parts.join('; ') };
  }
  if (decisive.length > 0 && decisive.every((s) => s.state === 'flat')) {
    const bytes = decisive.filter((s) => s.unit === 'bytes');
    const bound = bytes.length > 0 ? Math.max(...bytes.map((s) => s.rulesOutAbove)) : 0;
    return { verdict: 'ok', kind: null, signals: [...signals], reason: `no leak above ${fmt(Math.max(bound, 0))} B/call` };
  }
  const open = decisive.filter((s) => s.state === 'undecided');
  // What the run could still have seen: for each open signal, the upper end of its recent interval.
  const seen = open.map((s) => `${s.name} ${fmt(s.rulesOutAbove)} ${s.unit === 'bytes' ? 'B' : s.unit}/call`).join(', ');
  return {
    verdict: 'inconclusive',
    kind: null,
    signals: [...signals],
    reason:
      decisive.length === 0
        ? 'no signal could be measured'
        : `budget spent before ${open.map((s) => s.name).join(', ')} settled; the smallest leak this run could have seen: ${seen}`,
  };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(1);
  if (a >= 0.01 || a === 0) return x.toFixed(2);
  return x.toPrecision(1);
}
