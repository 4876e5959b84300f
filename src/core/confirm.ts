/**
 * The confirmation of a leak: a fresh process warms up past the first
 * process's window, takes one reading, makes N calls with no message and no
 * reading, and takes a second reading. No per-batch artefact (of the harness,
 * of the collector, of a message) can reach it, and N is sized from the
 * first process's own noise so that a leak at the threshold grows at least
 * 20 times that noise. A leak the confirmation does not see is not a leak.
 * It is also the batch-size check: N is at least four times the largest
 * batch of the first process, so growth that comes with batches rather than
 * with calls shows as a per-call figure that falls away. Pure.
 */
import type { PlainSample, TracedSample, BulkMessage } from './protocol.js';
import type { FunctionJudgement, LeakKind, SignalName, SignalState, SignalUnit } from './verdict.js';
import { kindOf } from './verdict.js';

/** The confirmation run stops short of piling up more than this, from the first process's figure. */
const DEFAULT_MAX_GROWTH = 512 * 1024 * 1024;
/** How far above the reading noise a leak at the threshold must grow over the confirmation run. */
export const NOISE_FACTOR = 20;
/** Readings apart by less than this many noise units (of the difference of two readings) are not told apart. */
const MARGIN_SIGMAS = 3;

/** The smallest step a signal moves by: one tracked allocation, one block, one reference, one page. */
export function granule(name: SignalName, unit: SignalUnit): number {
  if (unit === 'bytes') return name === 'rss' ? 4096 : 16;
  return 1;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * The noise of one reading of a signal, from a series of readings at growing call counts:
 * consecutive differences minus the median growth per call, robustly scaled (MAD), over the
 * recent half. Two readings each carry it, so their difference carries sqrt(2) times it.
 */
export function readingNoise(calls: readonly number[], values: readonly number[]): number {
  const d: number[] = [];
  const b: number[] = [];
  for (let i = 1; i < values.length; i += 1) {
    const dc = (calls[i] as number) - (calls[i - 1] as number);
    if (dc <= 0) continue;
    d.push((values[i] as number) - (values[i - 1] as number));
    b.push(dc);
  }
  const half = Math.floor(d.length / 2);
  const dr = d.slice(half);
  const br = b.slice(half);
  if (dr.length < 2) return Infinity;
  const rate = median(dr.map((x, i) => x / (br[i] as number)));
  const resid = dr.map((x, i) => x - rate * (br[i] as number));
  const mad = median(resid.map((r) => Math.abs(r - median(resid))));
  return (1.4826 * mad) / Math.SQRT2;
}

export interface ConfirmSignal {
  name: SignalName;
  unit: SignalUnit;
  threshold: number;
  /** The reading noise measured in the first process (never below one granule). */
  noise: number;
  /** Growth per call in the first process, in its batches. */
  firstPerCall: number;
}

export interface ConfirmationPlan {
  /** Calls of the confirmation run. */
  calls: number;
  /** Read tracemalloc (the leak showed only there) rather than the plain signals. */
  traced: boolean;
  /** The signals it must confirm, with their noise. */
  signals: ConfirmSignal[];
  /** The largest batch of the first process, for the batch-size check. */
  firstBatchCalls: number;
  /** True when the time cap kept N below what 20 times the noise asks for. */
  capped: boolean;
}

export interface FirstWindow {
  judgement: FunctionJudgement;
  plain: readonly PlainSample[];
  traced: readonly TracedSample[];
}

/** One plain-phase signal's readings, by its name. */
export function plainValues(name: Exclude<SignalName, 'python'>, plain: readonly PlainSample[]): number[] {
  if (name === 'blocks') return plain.map((s) => s.blocks);
  if (name === 'native') return plain.map((s) => s.native ?? 0);
  if (name === 'rss') return plain.map((s) => s.rss ?? 0);
  const i = Number(name.slice('refcount:'.length));
  return plain.map((s) => s.refcounts[i] ?? 0);
}

function seriesOf(name: SignalName, w: FirstWindow): { calls: number[]; values: number[] } {
  if (name === 'python') return { calls: w.traced.map((s) => s.calls), values: w.traced.map((s) => s.traced) };
  return { calls: w.plain.map((s) => s.calls), values: plainValues(name, w.plain) };
}

function maxBatch(samples: ReadonlyArray<{ calls: number }>): number {
  let best = 1;
  for (let i = 0; i < samples.length; i += 1) best = Math.max(best, (samples[i]?.calls ?? 0) - (i === 0 ? 0 : (samples[i - 1]?.calls ?? 0)));
  return best;
}

/**
 * Size the confirmation of a leak: enough calls that a leak at the threshold grows
 * NOISE_FACTOR times the noise of every leaking signal, at least four times the largest
 * batch and at least `minCalls`, and no more than `maxSeconds` of calls.
 */
export function planConfirmation(
  w: FirstWindow,
  secondsPerCall: number,
  limits: { minCalls: number; maxSeconds: number; maxGrowthBytes?: number },
): ConfirmationPlan {
  const leaking = w.judgement.signals.filter((s) => s.decisive && s.state === 'leak');
  // A leak the plain phase saw is confirmed by the plain signals; one seen only by tracemalloc, under it.
  const traced = leaking.length > 0 && leaking.every((s) => s.name === 'python');
  const chosen = leaking.filter((s) => (traced ? s.name === 'python' : s.name !== 'python'));
  const signals: ConfirmSignal[] = chosen.map((s) => {
    const { calls, values } = seriesOf(s.name, w);
    const noise = Math.max(readingNoise(calls, values), granule(s.name, s.unit));
    return { name: s.name, unit: s.unit, threshold: s.threshold, noise: Number.isFinite(noise) ? noise : granule(s.name, s.unit), firstPerCall: s.perCall.estimate };
  });
  const firstBatchCalls = maxBatch(traced ? w.traced : w.plain);
  const needed = Math.max(limits.minCalls, 4 * firstBatchCalls, ...signals.map((s) => Math.ceil((NOISE_FACTOR * s.noise) / s.threshold)));
  const timeCap = Math.max(4 * firstBatchCalls, Math.floor(limits.maxSeconds / Math.max(secondsPerCall, 1e-9)));
  // A leak of megabytes per call is plain after a few calls: keep what the run piles up bounded.
  const bytesPerCall = Math.max(0, ...leaking.filter((s) => s.unit === 'bytes').map((s) => s.perCall.estimate));
  const memoryCap = bytesPerCall > 0 ? Math.max(4, Math.floor((limits.maxGrowthBytes ?? DEFAULT_MAX_GROWTH) / bytesPerCall)) : Infinity;
  const cap = Math.min(timeCap, memoryCap);
  return { calls: Math.min(needed, cap), traced, signals, firstBatchCalls, capped: cap < needed };
}

export interface ConfirmedSignal extends ConfirmSignal {
  /** Growth over the run, and per call (null when a reading is missing). */
  growth: number | null;
  perCall: number | null;
  /** Half-width of the per-call figure's margin (MARGIN_SIGMAS noise units of a difference of two readings, over N). */
  margin: number;
  state: SignalState;
  /** Per-call growth in the run over per-call growth in the first process's batches (1 for a leak, near 0 for a per-batch artefact). */
  ratio: number | null;
}

export interface Confirmation {
  calls: number;
  seconds: number;
  traced: boolean;
  firstBatchCalls: number;
  capped: boolean;
  signals: ConfirmedSignal[];
  verdict: 'leak' | 'ok' | 'inconclusive';
  kind: LeakKind | null;
}

function readingOf(name: SignalName, r: BulkMessage['before']): number | null {
  if (name === 'python') return r.traced ?? null;
  if (name === 'blocks') return r.blocks ?? null;
  if (name === 'native') return r.native ?? null;
  if (name === 'rss') return r.rss ?? null;
  return r.refcounts?.[Number(name.slice('refcount:'.length))] ?? null;
}

/** Judge the confirmation run: each signal's growth against the threshold times N, with a margin from its noise. */
export function judgeConfirmation(plan: ConfirmationPlan, bulk: BulkMessage): Confirmation {
  const n = Math.max(bulk.calls, 1);
  const signals: ConfirmedSignal[] = plan.signals.map((s) => {
    const a = readingOf(s.name, bulk.before);
    const b = readingOf(s.name, bulk.after);
    const growth = a === null || b === null ? null : b - a;
    const margin = (MARGIN_SIGMAS * Math.SQRT2 * s.noise) / n;
    const perCall = growth === null ? null : growth / n;
    let state: SignalState = 'undecided';
    if (perCall !== null) {
      if (perCall - margin > s.threshold) state = 'leak';
      else if (perCall + margin < s.threshold) state = 'flat';
    }
    const ratio = perCall !== null && s.firstPerCall > 0 ? perCall / s.firstPerCall : null;
    return { ...s, growth, perCall, margin, state, ratio };
  });
  const leaking = signals.filter((s) => s.state === 'leak');
  const verdict = leaking.length > 0 ? 'leak' : signals.length > 0 && signals.every((s) => s.state === 'flat') ? 'ok' : 'inconclusive';
  return {
    calls: bulk.calls,
    seconds: bulk.seconds,
    traced: plan.traced,
    firstBatchCalls: plan.firstBatchCalls,
    capped: plan.capped,
    signals,
    verdict,
    kind: verdict === 'leak' ? kindOf(leaking.map((s) => s.name)) : null,
  };
}

function fmt(x: number | null): string {
  if (x === null) return 'unread';
  const a = Math.abs(x);
  if (!Number.isFinite(x)) return String(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(1);
  return x.toFixed(2);
}

function unitOf(s: { unit: SignalUnit }): string {
  return s.unit === 'bytes' ? 'B' : s.unit;
}

/** One line per confirmed signal: the first process's figure and the run's, with its margin. */
export function describeConfirmation(c: Confirmation): string {
  const parts = c.signals.map(
    (s) =>
      `${s.name} ${fmt(s.firstPerCall)} ${unitOf(s)}/call in batches of up to ${c.firstBatchCalls}, ${fmt(s.perCall)} ± ${fmt(s.margin)} over one run of ${c.calls} calls`,
  );
  return parts.join('; ');
}

/**
 * The final verdict of a leak. The confirmation confirms it (the kind it saw wins),
 * rules it out (`ok`: growth that came with batches or stopped, not with calls), or
 * cannot tell (`inconclusive`, with both figures). Without a confirmation there is no leak.
 */
export function combineConfirmation(first: FunctionJudgement, confirmation: Confirmation | null, why?: string): FunctionJudgement {
  if (first.verdict !== 'leak') return first;
  if (confirmation === null) {
    return { ...first, verdict: 'inconclusive', kind: null, reason: `${first.reason}; the confirmation in a fresh process could not be measured${why ? ` (${why})` : ''}` };
  }
  const both = describeConfirmation(confirmation);
  if (confirmation.verdict === 'leak') {
    return { ...first, kind: confirmation.kind ?? first.kind, reason: `${first.reason}; confirmed in a fresh process (${both})` };
  }
  if (confirmation.verdict === 'ok') {
    return {
      ...first,
      verdict: 'ok',
      kind: null,
      reason: `growth seen in batches did not hold over one long run in a fresh process (${both}): it came with batches or a filling cache, not with calls`,
    };
  }
  return {
    ...first,
    verdict: 'inconclusive',
    kind: null,
    reason: `the first process leaked (${first.reason}) but one long run in a fresh process could not tell it from noise (${both})${confirmation.capped ? '; raise --budget for a longer run' : ''}`,
  };
}
