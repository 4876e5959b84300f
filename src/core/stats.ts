/**
 * Statistics for memory growth. Pure functions, no I/O.
 *
 * Samples are cumulative readings taken after each batch of calls. Successive
 * readings are strongly autocorrelated (memory is a running total), so the
 * uncertainty of a slope is estimated with the method of batch means: the
 * growth per call within each batch is one observation, and batches of many
 * calls are close to independent. The interval is Student's t on those rates.
 */
import jstatPkg from 'jstat';

const { jStat } = jstatPkg;

export interface Interval {
  /** Mean growth per call. */
  estimate: number;
  low: number;
  high: number;
  /** How many batch rates the interval rests on. */
  n: number;
}

/** Growth per call in each batch: (v[i] - v[i-1]) / (calls[i] - calls[i-1]). */
export function batchRates(values: readonly number[], calls: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i += 1) {
    const dv = (values[i] as number) - (values[i - 1] as number);
    const dc = (calls[i] as number) - (calls[i - 1] as number);
    if (dc > 0) out.push(dv / dc);
  }
  return out;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n - 1). */
export function stdev(xs: readonly number[]): number {
  if (xs.length < 2) return Number.NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Two-sided Student-t quantile for the given confidence and degrees of freedom. */
export function tQuantile(confidence: number, dof: number): number {
  return jStat.studentt.inv(1 - (1 - confidence) / 2, dof);
}

/** Mean of `xs` with a two-sided t interval; an infinite interval below two points. */
export function meanInterval(xs: readonly number[], confidence = 0.95): Interval {
  const n = xs.length;
  const m = mean(xs);
  if (n < 2) return { estimate: n === 1 ? m : Number.NaN, low: -Infinity, high: Infinity, n };
  const half = tQuantile(confidence, n - 1) * (stdev(xs) / Math.sqrt(n));
  return { estimate: m, low: m - half, high: m + half, n };
}

/** Median, for reporting robust figures. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
