/**
 * The report's SVG charts: one signal's readings against calls with the
 * fitted slope and the threshold slope drawn over them, and a small trend
 * line for tables.
 */
import type { Result } from '../../core/report.js';
import { formatCount } from '../format.js';
import { interceptFor, seriesPoints, tellingSignal, type ChartedSignal, type Point } from '../series.js';
import { fmt, html, signed, UNIT_PER_CALL, type Markup, type Unit } from './markup.js';

/** Axis labels: bytes in B/KiB/MiB/GiB, counts with k/M. */
function axisLabel(v: number, unit: Unit | 'calls', withSign: boolean): string {
  const sign = withSign && v > 0 ? '+' : v < 0 ? '-' : '';
  const a = Math.abs(v);
  const trim = (x: number) => String(Number(x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2)));
  if (unit === 'bytes') {
    if (a < 1024) return `${sign}${trim(a)} B`;
    if (a < 1024 ** 2) return `${sign}${trim(a / 1024)} KiB`;
    if (a < 1024 ** 3) return `${sign}${trim(a / 1024 ** 2)} MiB`;
    return `${sign}${trim(a / 1024 ** 3)} GiB`;
  }
  if (a < 1000) return `${sign}${trim(a)}`;
  if (a < 1e6) return `${sign}${trim(a / 1e3)}k`;
  return `${sign}${trim(a / 1e6)}M`;
}

function niceTicks(lo: number, hi: number, count: number): { lo: number; hi: number; ticks: number[] } {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  // a reading a hair beyond a tick does not add a whole step
  const nlo = Math.floor(lo / step + 0.02) * step;
  const nhi = Math.ceil(hi / step - 0.02) * step;
  const ticks: number[] = [];
  for (let v = nlo; v <= nhi + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { lo: nlo, hi: nhi, ticks };
}

interface Ticks {
  lo: number;
  hi: number;
  ticks: number[];
  label: (v: number) => string;
}

/** Nice ticks in the unit the labels use (bytes step in B, KiB, MiB or GiB), and a label for each. */
function unitTicks(lo: number, hi: number, unit: Unit): Ticks {
  if (unit !== 'bytes') return { ...niceTicks(lo, hi, 4), label: (v) => axisLabel(v, unit, true) };
  const big = Math.max(Math.abs(lo), Math.abs(hi));
  const [scale, name] = big >= 1024 ** 3 ? [1024 ** 3, 'GiB'] : big >= 1024 ** 2 ? [1024 ** 2, 'MiB'] : big >= 1024 ? [1024, 'KiB'] : [1, 'B'];
  const t = niceTicks(lo / scale, hi / scale, 4);
  const label = (v: number) => {
    const x = Number((v / scale).toPrecision(6));
    return x === 0 ? '0' : `${x > 0 ? '+' : ''}${x} ${name}`;
  };
  return { lo: t.lo * scale, hi: t.hi * scale, ticks: t.ticks.map((x) => x * scale), label };
}
export const SIGNAL_INFO: Record<ChartedSignal, { title: string; source: string }> = {
  python: { title: 'Python heap', source: 'tracemalloc · traced phase' },
  blocks: { title: 'Allocator blocks', source: 'getallocatedblocks · plain phase' },
  native: { title: 'Native heap', source: 'mallinfo2 · plain phase' },
  rss: { title: 'Resident memory', source: 'RSS · plain phase' },
};

const W = 250;
const H = 160;
const M = { left: 52, right: 8, top: 8, bottom: 22 };

function pts(list: ReadonlyArray<readonly [number, number]>): string {
  return list.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}

export interface ChartInput {
  points: readonly Point[];
  /** the fitted growth per call, or null when there is none */
  slope: number | null;
  threshold: number | null;
  unit: Unit;
  state: string;
  label: string;
}

/** Readings (relative to the first) against calls, the fitted slope over them, and the threshold slope for scale. */
export function chartSvg(c: ChartInput): Markup {
  const sorted = [...c.points].sort((a, b) => a.x - b.x);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) return html``;
  const rel = sorted.map((p) => ({ x: p.x, y: p.y - first.y }));
  const x0 = first.x;
  const x1 = last.x;
  const fit = c.slope !== null ? { a: interceptFor(rel, c.slope), b: c.slope } : null;
  const fitAt = (x: number) => (fit === null ? 0 : fit.a + fit.b * x);
  const thr = c.threshold !== null && c.threshold > 0 && x1 > x0 ? { y0: fit !== null ? fitAt(x0) : 0, b: c.threshold } : null;
  const ys = rel.map((p) => p.y);
  if (fit !== null) ys.push(fitAt(x0), fitAt(x1));
  if (thr !== null) ys.push(thr.y0 + thr.b * (x1 - x0));
  const yRange = unitTicks(Math.min(...ys), Math.max(...ys), c.unit);
  const xNice = niceTicks(x0, x1, 4);
  const xRange = { lo: x0, hi: x1 > x0 ? x1 : x0 + 1, ticks: xNice.ticks.filter((t) => t >= x0 && t <= x1) };
  const sx = (x: number) => M.left + ((x - xRange.lo) / (xRange.hi - xRange.lo)) * (W - M.left - M.right);
  const sy = (y: number) => H - M.bottom - ((y - yRange.lo) / (yRange.hi - yRange.lo)) * (H - M.top - M.bottom);
  const grid = yRange.ticks.map(
    (t) => html`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}"/><text class="tick" x="${M.left - 6}" y="${(sy(t) + 3.5).toFixed(1)}" text-anchor="end">${yRange.label(t)}</text>`,
  );
  const xticks = xRange.ticks.map(
    (t) =>
      html`<line class="tickmark" x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${H - M.bottom}" y2="${H - M.bottom + 4}"/><text class="tick" x="${sx(t).toFixed(1)}" y="${H - M.bottom + 15}" text-anchor="${
        sx(t) > W - M.right - 14 ? 'end' : sx(t) < M.left + 14 ? 'start' : 'middle'
      }">${axisLabel(t, 'calls', false)}</text>`,
  );
  const unitWord = c.unit === 'bytes' ? 'B' : c.unit;
  const radius = sorted.length <= 16 ? 2.6 : sorted.length <= 40 ? 1.8 : 0;
  const dots = (radius > 0 ? sorted : []).map(
    (p) =>
      html`<circle class="dot" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y - first.y).toFixed(1)}" r="${radius}"><title>after ${formatCount(p.x)} calls: ${formatCount(p.y)} ${unitWord} (${axisLabel(p.y - first.y, c.unit, true)} since the first reading)</title></circle>`,
  );
  const fitLine =
    fit === null
      ? html``
      : html`<polyline class="fit" points="${pts([
          [sx(x0), sy(fitAt(x0))],
          [sx(x1), sy(fitAt(x1))],
        ])}"><title>fitted slope: ${signed(fit.b)} ${UNIT_PER_CALL[c.unit]}</title></polyline>`;
  const thrLine =
    thr === null
      ? html``
      : html`<polyline class="threshold" points="${pts([
          [sx(x0), sy(thr.y0)],
          [sx(x1), sy(thr.y0 + thr.b * (x1 - x0))],
        ])}"><title>a leak at the threshold, ${fmt(thr.b)} ${UNIT_PER_CALL[c.unit]}, would rise like this</title></polyline>`;
  return html`<svg class="chart state-${c.state}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${c.label}" xmlns="http://www.w3.org/2000/svg">
<rect class="plot" x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}"/>
${grid}
<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/>
${xticks}
<text class="tick axis-title" x="${M.left - 6}" y="${H - M.bottom + 15}" text-anchor="end">calls</text>
${thrLine}
<polyline class="readings" points="${pts(rel.map((p) => [sx(p.x), sy(p.y)] as const))}"/>
${fitLine}
${dots}
</svg>`;
}

/** A small trend line for tables (no axes). */
export function miniSvg(r: Result | null): Markup {
  if (r === null) return html``;
  const name = tellingSignal(r);
  if (name === null) return html``;
  const points = seriesPoints(r, name).sort((a, b) => a.x - b.x);
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined || last.x === first.x) return html``;
  const threshold = r.signals[name]?.threshold ?? 0;
  const ys = points.map((p) => p.y - first.y);
  const lo = Math.min(0, ...ys);
  const hi = Math.max(...ys, lo + threshold * (last.x - first.x), lo + 1e-9);
  const w = 96;
  const h = 24;
  const list = points.map((p) => [2 + ((p.x - first.x) / (last.x - first.x)) * (w - 4), h - 3 - ((p.y - first.y - lo) / (hi - lo)) * (h - 6)] as const);
  return html`<svg class="mini verdict-${r.verdict}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${name} readings against calls" xmlns="http://www.w3.org/2000/svg"><polyline points="${pts(list)}"/><title>${name} readings against calls</title></svg>`;
}