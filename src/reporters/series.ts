/**
 * A result's raw readings as chartable series, shared by the HTML report and
 * the table's sparklines. Pure.
 */
import type { Result } from '../core/report.js';

/** The signals that have raw readings in `series`: plain phase rss/native/blocks, traced phase python. */
export const CHARTED_SIGNALS = ['python', 'blocks', 'native', 'rss'] as const;
export type ChartedSignal = (typeof CHARTED_SIGNALS)[number];

export interface Point {
  /** cumulative calls when the reading was taken */
  x: number;
  /** the reading */
  y: number;
}

/** The readings of one signal against calls, skipping readings that are missing (null). */
export function seriesPoints(result: Result, name: ChartedSignal): Point[] {
  const s = result.series;
  if (s === null) return [];
  const calls = name === 'python' ? s.traced.calls : s.plain.calls;
  const values: ReadonlyArray<number | null> = name === 'python' ? s.traced.python : s.plain[name];
  const out: Point[] = [];
  const n = Math.min(calls.length, values.length);
  for (let i = 0; i < n; i += 1) {
    const x = calls[i];
    const y = values[i];
    if (x === undefined || y === undefined || y === null || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    out.push({ x, y });
  }
  return out;
}

/**
 * The intercept of the least-squares line through `points` with its slope
 * fixed at `slope`: mean(y) - slope * mean(x).
 */
export function interceptFor(points: readonly Point[], slope: number): number {
  if (points.length === 0) return 0;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  return sy / points.length - (slope * sx) / points.length;
}

/**
 * The signal that tells most about a result: for a leak, the leaking signal
 * that matches its kind (native heap for `native-heap`, else tracemalloc's
 * python, then blocks); for anything else python, else blocks, else whatever
 * has readings. null when nothing was measured.
 */
export function tellingSignal(result: Result): ChartedSignal | null {
  const has = (name: ChartedSignal) => seriesPoints(result, name).length >= 2;
  const leaking = (name: ChartedSignal) => result.signals[name]?.state === 'leak';
  const order: readonly ChartedSignal[] = result.kind === 'native-heap' ? ['native', 'rss', 'python', 'blocks'] : ['python', 'blocks', 'native', 'rss'];
  if (result.verdict === 'leak') {
    const found = order.find((n) => has(n) && leaking(n));
    if (found !== undefined) return found;
  }
  return order.find(has) ?? null;
}

/**
 * The smallest vertical span a chart of `points` should show: the growth a
 * leak at the signal's threshold would make over the calls shown, so that
 * noise far below the threshold looks flat rather than filling the chart.
 */
export function minimumSpan(points: readonly Point[], threshold: number | undefined): number {
  if (points.length < 2 || threshold === undefined || !(threshold > 0)) return 0;
  const xs = points.map((p) => p.x);
  return threshold * (Math.max(...xs) - Math.min(...xs));
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/**
 * A unicode sparkline of readings against calls, `width` characters wide:
 * the readings are interpolated at evenly spaced call counts, and the
 * vertical scale spans at least `minSpan` (see minimumSpan) so flat series
 * stay low.
 */
export function sparkline(points: readonly Point[], width = 10, minSpan = 0): string {
  if (points.length === 0) return '';
  const sorted = [...points].sort((a, b) => a.x - b.x);
  const first = sorted[0] as Point;
  const last = sorted[sorted.length - 1] as Point;
  const cols = sorted.length < 2 ? 1 : Math.max(1, width);
  const samples: number[] = [];
  for (let i = 0; i < cols; i += 1) {
    const x = cols === 1 ? last.x : first.x + ((last.x - first.x) * i) / (cols - 1);
    samples.push(interpolate(sorted, x));
  }
  const lo = Math.min(...samples);
  const hi = Math.max(...samples);
  const span = Math.max(hi - lo, minSpan);
  return samples
    .map((v) => {
      if (!(span > 0)) return BARS[0];
      const level = Math.round(((v - lo) / span) * (BARS.length - 1));
      return BARS[Math.max(0, Math.min(BARS.length - 1, level))];
    })
    .join('');
}

function interpolate(sorted: readonly Point[], x: number): number {
  let prev = sorted[0] as Point;
  for (const p of sorted) {
    if (p.x >= x) {
      if (p.x === prev.x) return p.y;
      return prev.y + ((p.y - prev.y) * (x - prev.x)) / (p.x - prev.x);
    }
    prev = p;
  }
  return prev.y;
}
