/**
 * `--report FILE.html`: one self-contained HTML page (inline CSS and inline
 * SVG charts, no script, no fonts or images fetched: a Content-Security-Policy
 * forbids any network use). Pure: takes a document, returns the page.
 *
 * One renderer for three documents:
 *   - `run`: a run's report — the environment, then a card per function with
 *     its verdict, what leaks, and one chart per signal (readings against
 *     calls, with the fitted slope drawn over them);
 *   - `gate`: a baseline/candidate comparison, one row per function;
 *   - `bisect`: the points a bisection tried and the first point found.
 *
 * Every piece of text is escaped: the `html` tagged template below escapes
 * each interpolated value unless it is markup this module built.
 */
import { z } from 'zod';
import { EnvironmentSchema, ReportSchema, ResultSchema, VERDICTS, type EnvironmentReport, type Report, type Result } from '../core/report.js';
import { TOOL_VERSION } from '../version.js';
import { formatCount, formatRate, formatSeconds } from './format.js';
import { CHARTED_SIGNALS, interceptFor, seriesPoints, tellingSignal, type ChartedSignal, type Point } from './series.js';

// ---------------------------------------------------------------------------
// Input documents

export const GATE_STATUSES = ['regression', 'fixed', 'same', 'known', 'unjudged'] as const;
export type GateStatus = (typeof GATE_STATUSES)[number];

/** One side of a gate comparison: a label to show ("Pythran 0.15.0", "main@1a2b3c") and the environment it ran in. */
export const GateSideSchema = z.object({
  label: z.string(),
  environment: EnvironmentSchema.nullable(),
});
export type GateSide = z.infer<typeof GateSideSchema>;

/**
 * One function in a gate comparison. `baseline`/`candidate` are that side's
 * result, or null when the function was not run there (absent on that side).
 */
export const GateRowSchema = z.object({
  file: z.string(),
  function: z.string().nullable(),
  baseline: ResultSchema.nullable(),
  candidate: ResultSchema.nullable(),
  status: z.enum(GATE_STATUSES),
  /** Why, when there is more to say (for `known`: the expectation or issue that covers it). */
  note: z.string().nullable().optional(),
});
export type GateRow = z.infer<typeof GateRowSchema>;

export const GateComparisonSchema = z.object({
  baseline: GateSideSchema,
  candidate: GateSideSchema,
  rows: z.array(GateRowSchema),
});
export type GateComparison = z.infer<typeof GateComparisonSchema>;

export const BISECT_STEP_VERDICTS = [...VERDICTS, 'skipped'] as const;

/** One point a bisection tried, in the order tried. */
export const BisectStepSchema = z.object({
  /** The point's label: a release ("0.16.0") or a commit ("1a2b3c4"). */
  point: z.string(),
  /** The target's verdict there; `skipped` when the point could not be tested (it did not build, say). */
  verdict: z.enum(BISECT_STEP_VERDICTS),
  /** The growth per call that decided it (the leaking signal's bytes per call), when measured. */
  bytesPerCall: z.number().refine(Number.isFinite, 'must be finite').nullable(),
  note: z.string().nullable().optional(),
});
export type BisectStep = z.infer<typeof BisectStepSchema>;

export const BisectLogSchema = z.object({
  /** What was bisected: "repros/seed/view_leak.py::simpler_leak". */
  target: z.string(),
  /** `introduced`: looking for the first point that leaks; `fixed`: the first point that no longer leaks. */
  direction: z.enum(['introduced', 'fixed']),
  /** The first point with the new behaviour, or null when the bisection did not find one. */
  first: z.string().nullable(),
  steps: z.array(BisectStepSchema),
  /** Every candidate point, oldest first, when known: drawn as a timeline with the tried points coloured. */
  points: z.array(z.string()).nullable().optional(),
  environment: EnvironmentSchema.nullable().optional(),
});
export type BisectLog = z.infer<typeof BisectLogSchema>;

export const HtmlDocumentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), report: ReportSchema, title: z.string().optional() }),
  z.object({ kind: z.literal('gate'), gate: GateComparisonSchema, title: z.string().optional() }),
  z.object({ kind: z.literal('bisect'), bisect: BisectLogSchema, title: z.string().optional() }),
]);
export type HtmlDocument =
  | { kind: 'run'; report: Report; title?: string }
  | { kind: 'gate'; gate: GateComparison; title?: string }
  | { kind: 'bisect'; bisect: BisectLog; title?: string };

/** The page for a run report, a gate comparison or a bisect log. The input is validated first. */
export function renderHtml(doc: HtmlDocument): string {
  const checked = HtmlDocumentSchema.parse(doc) as HtmlDocument;
  switch (checked.kind) {
    case 'run':
      return renderRun(checked.report, checked.title);
    case 'gate':
      return renderGate(checked.gate, checked.title);
    case 'bisect':
      return renderBisect(checked.bisect, checked.title);
  }
}

// ---------------------------------------------------------------------------
// Escaping: markup is built only with the `html` tag, which escapes values.

class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = Markup | string | number | null | undefined | false | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

function show(v: Value): string {
  if (v instanceof Markup) return v.text;
  if (Array.isArray(v)) return v.map((x: Value) => show(x)).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += show(v) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}

// ---------------------------------------------------------------------------
// Numbers

/** Like the table's numbers, but small ones in plain decimals (0.024) rather than exponents. */
function fmt(x: number, digits = 1): string {
  const a = Math.abs(x);
  if (a !== 0 && a < 0.05) return String(Number(x.toPrecision(2)));
  return formatRate(x, digits);
}

function orDash(x: number | null, digits = 1): string {
  return x === null ? '-' : fmt(x, digits);
}

function signed(x: number, digits = 1): string {
  return x > 0 ? `+${fmt(x, digits)}` : fmt(x, digits);
}

const UNIT_PER_CALL = { bytes: 'B/call', blocks: 'blocks/call', refs: 'refs/call' } as const;
type Unit = keyof typeof UNIT_PER_CALL;

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

// ---------------------------------------------------------------------------
// Charts

const SIGNAL_INFO: Record<ChartedSignal, { title: string; source: string }> = {
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

interface ChartInput {
  points: readonly Point[];
  /** the fitted growth per call, or null when there is none */
  slope: number | null;
  threshold: number | null;
  unit: Unit;
  state: string;
  label: string;
}

/** Readings (relative to the first) against calls, the fitted slope over them, and the threshold slope for scale. */
function chartSvg(c: ChartInput): Markup {
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
function miniSvg(r: Result | null): Markup {
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

// ---------------------------------------------------------------------------
// Pieces

const VERDICT_LABEL: Record<string, string> = {
  leak: 'leak',
  ok: 'ok',
  inconclusive: 'inconclusive',
  error: 'error',
  crash: 'crash',
  timeout: 'timeout',
  skipped: 'skipped',
};

function badge(verdict: string, text?: string): Markup {
  return html`<span class="badge verdict-${verdict}">${text ?? VERDICT_LABEL[verdict] ?? verdict}</span>`;
}

function nameOf(r: { file: string; function: string | null }): Markup {
  return r.function === null ? html`<span class="file">${r.file}</span>` : html`<span class="file">${r.file}</span><span class="sep">::</span><span class="fn">${r.function}</span>`;
}

function envPanel(env: EnvironmentReport | null, heading: string): Markup {
  if (env === null) {
    return html`<section class="panel env"><h2>${heading}</h2><p class="muted">No environment was resolved (the run failed before one was found).</p></section>`;
  }
  const commit = env.pythran.commit !== null ? html` <code title="${env.pythran.commit}">${env.pythran.commit.slice(0, 12)}</code>` : html` <span class="muted">(no commit recorded)</span>`;
  return html`<section class="panel env"><h2>${heading}</h2><dl>
<div><dt>Pythran</dt><dd><strong>${env.pythran.version}</strong>${commit}</dd></div>
<div><dt>Python</dt><dd><strong>${env.pythonVersion}</strong><span class="muted path" title="${env.python}">${env.python.replace(/ \([^)]*\)$/, '')}</span></dd></div>
<div><dt>numpy</dt><dd><strong>${env.numpy}</strong></dd></div>
<div><dt>C++ compiler</dt><dd>${env.compiler}</dd></div>
<div><dt>Environment</dt><dd>${env.managed ? 'managed by pythran-leakcheck' : 'your interpreter'}</dd></div>
</dl></section>`;
}

const KIND_TEXT: Record<string, { title: string; explain: string }> = {
  'python-objects': { title: 'python-objects', explain: 'Python objects are left alive after every call: the allocator’s block count grows.' },
  'native-heap': { title: 'native-heap', explain: 'Memory is taken from the C heap and never given back; no Python counter sees it.' },
  'argument-refcount': { title: 'argument-refcount', explain: 'An argument gains a reference on every call, so it can never be freed.' },
};

const SIGNAL_TITLE: Record<string, string> = {
  python: 'Python heap (tracemalloc)',
  blocks: 'allocator blocks',
  native: 'native heap (mallinfo2)',
  rss: 'resident memory (RSS)',
};

function signalTitle(name: string): string {
  const ref = /^refcount:(\d+)$/.exec(name);
  if (ref !== null) return `references to argument ${ref[1]}`;
  return SIGNAL_TITLE[name] ?? name;
}

function signalOrder(name: string): number {
  const i = (['python', 'blocks', 'native', 'rss'] as string[]).indexOf(name);
  return i >= 0 ? i : 10;
}

function headline(r: Result): Markup {
  switch (r.verdict) {
    case 'leak': {
      const kind = r.kind !== null ? KIND_TEXT[r.kind] : undefined;
      const figures: Markup[] = [];
      if (r.kind === 'argument-refcount') {
        r.refsPerCall.forEach((x, i) => {
          if (x !== null && x > 0) figures.push(html`<strong>${signed(x, 2)}</strong> references to argument ${i}`);
        });
      }
      if (r.bytesPerCall.python !== null && r.kind !== 'native-heap') figures.push(html`<strong>${signed(r.bytesPerCall.python)} B</strong> of Python heap`);
      if (r.blocksPerCall !== null && r.kind === 'python-objects') figures.push(html`<strong>${signed(r.blocksPerCall, 2)}</strong> allocator blocks`);
      if (r.bytesPerCall.native !== null && r.kind === 'native-heap') figures.push(html`<strong>${signed(r.bytesPerCall.native)} B</strong> of native heap`);
      if (r.bytesPerCall.rss !== null) figures.push(html`<strong>${signed(r.bytesPerCall.rss)} B</strong> of resident memory`);
      const list = figures.map((f, i) => html`${i === 0 ? '' : i === figures.length - 1 ? ' and ' : ', '}${f}`);
      return html`<div class="headline leak"><div class="kind">Leaks <strong>${kind?.title ?? 'memory'}</strong></div>
<p class="figures">Every call keeps ${list} per call.</p>
${kind !== undefined ? html`<p class="explain">${kind.explain}</p>` : ''}</div>`;
    }
    case 'ok':
      return html`<div class="headline ok"><div class="kind">No leak</div><p class="figures">${
        r.rulesOutAbove !== null ? html`Rules out any leak above <strong>${fmt(r.rulesOutAbove, 2)} B/call</strong>.` : 'Every decisive signal is flat.'
      }</p></div>`;
    case 'inconclusive':
      return html`<div class="headline inconclusive"><div class="kind">Undecided</div><p class="figures">The measuring budget ran out before every signal was decided.</p></div>`;
    default: {
      const what = r.verdict === 'crash' ? 'The function killed its process' : r.verdict === 'timeout' ? 'The function ran past the time allowed' : 'The function could not be judged';
      return html`<div class="headline ${r.verdict}"><div class="kind">${what}${r.errorType !== null ? html` <code>${r.errorType}</code>` : ''}</div></div>`;
    }
  }
}

function signalTable(r: Result): Markup {
  const names = Object.keys(r.signals).sort((a, b) => signalOrder(a) - signalOrder(b) || a.localeCompare(b));
  if (names.length === 0) return html``;
  const rows = names.map((name) => {
    const s = r.signals[name];
    if (s === undefined) return html``;
    const per = s.perCall === null ? '-' : signed(s.perCall, s.unit === 'bytes' ? 1 : 2);
    const interval = s.low === null || s.high === null ? '-' : `[${fmt(s.low, s.unit === 'bytes' ? 1 : 2)}, ${fmt(s.high, s.unit === 'bytes' ? 1 : 2)}]`;
    return html`<tr class="state-${s.state}${s.decisive ? '' : ' reported'}" data-signal="${name}">
<td>${signalTitle(name)}</td><td class="num">${per} <span class="unit">${UNIT_PER_CALL[s.unit]}</span></td><td class="num interval">${interval}</td>
<td class="num">${fmt(s.threshold, s.unit === 'bytes' ? 0 : 1)}</td><td><span class="state state-${s.state}">${s.state}</span></td>
<td class="muted">${s.decisive ? 'decisive' : 'reported'}</td><td class="num muted">${s.batches}</td></tr>`;
  });
  return html`<table class="signals"><thead><tr><th>signal</th><th class="num">growth per call</th><th class="num">95% interval</th><th class="num">threshold</th><th>state</th><th>role</th><th class="num">batches</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function chartCard(r: Result, name: ChartedSignal): Markup {
  const info = SIGNAL_INFO[name];
  const s = r.signals[name];
  const points = seriesPoints(r, name);
  const unit: Unit = s?.unit ?? (name === 'blocks' ? 'blocks' : 'bytes');
  const state = s?.state ?? 'none';
  const slope = s?.perCall ?? null;
  const head = html`<header><div><h4>${info.title}</h4><div class="source">${info.source}</div></div>${
    s !== undefined ? html`<span class="state state-${s.state}">${s.state}${s.decisive ? '' : ' · reported'}</span>` : ''
  }</header>`;
  if (points.length < 2) {
    return html`<figure class="chart-card empty" data-signal="${name}">${head}<div class="no-data">not measured</div></figure>`;
  }
  const rate =
    slope === null
      ? html`<span class="muted">no slope</span>`
      : html`<strong>${signed(slope, unit === 'bytes' ? 1 : 2)}</strong> ${UNIT_PER_CALL[unit]}${
          s?.low != null && s.high != null ? html` <span class="muted">[${fmt(s.low, unit === 'bytes' ? 1 : 2)}, ${fmt(s.high, unit === 'bytes' ? 1 : 2)}]</span>` : ''
        }`;
  const label = `${info.title}: readings against calls${slope !== null ? `, fitted slope ${signed(slope)} ${UNIT_PER_CALL[unit]}` : ''}`;
  return html`<figure class="chart-card state-${state}" data-signal="${name}">${head}
${chartSvg({ points, slope, threshold: s?.threshold ?? null, unit, state, label })}
<figcaption><span class="rate">${rate}</span><span class="legend"><i class="key readings"></i>readings <i class="key fit"></i>fit <i class="key threshold"></i>threshold</span></figcaption></figure>`;
}

/** What the follow-up measurements found: object types, allocation sites, block sizes, buffer, scaling, controls. */
function diagnosisPanel(r: Result): Markup {
  const d = r.diagnosis;
  if (d === null || d === undefined) return html``;
  const items: Markup[] = [];
  if (d.types.length > 0) {
    items.push(html`<div><dt>objects left per call</dt><dd>${d.types.map((t, i) => html`${i > 0 ? ', ' : ''}<strong>${fmt(t.perCall, 2)}</strong> <code>${t.type}</code>`)}</dd></div>`);
  }
  if (d.sizes.length > 0) {
    items.push(html`<div><dt>block sizes</dt><dd>${d.sizes.map((t, i) => html`${i > 0 ? ', ' : ''}<strong>${fmt(t.perCall, 2)}</strong> × ${fmt(t.size, 0)} B`)}</dd></div>`);
  }
  if (d.sites.length > 0) {
    items.push(
      html`<div><dt>allocated at</dt><dd>${d.sites.map((t, i) => html`${i > 0 ? html`<br>` : ''}<code>${t.where}</code> <span class="muted">${signed(t.bytesPerCall)} B, ${signed(t.blocksPerCall, 2)} blocks per call</span>`)}</dd></div>`,
    );
  }
  if (d.buffer !== null) items.push(html`<div><dt>looks like</dt><dd>${d.buffer}</dd></div>`);
  if (d.scaling !== null) {
    items.push(html`<div><dt>at twice the size</dt><dd>${signed(d.scaling.bytesPerCall)} B/call (× ${fmt(d.scaling.ratio, 2)}): <strong>${d.scaling.reading}</strong></dd></div>`);
  }
  if (d.replicate !== null) items.push(html`<div><dt>fresh process</dt><dd>${badge(d.replicate.verdict)} <span class="muted">${d.replicate.message}</span></dd></div>`);
  if (d.interpreted !== null) {
    items.push(html`<div><dt>uncompiled Python</dt><dd>${badge(d.interpreted.verdict)} <span class="muted">${d.interpreted.message}</span></dd></div>`);
  }
  if (items.length === 0) return html``;
  return html`<dl class="diagnosis">${items}</dl>`;
}

function callText(r: Result): Markup {
  if (r.call === null || r.function === null) return html``;
  return html`<div class="call"><span class="muted">called as</span> <code>${r.function}(${r.call.args.join(', ')})</code> <span class="muted">(${r.call.origin})</span></div>`;
}

function resultCard(r: Result, index: number): Markup {
  const facts: string[] = [];
  if (r.calls > 0) facts.push(`${formatCount(r.calls)} calls`);
  if (r.seconds > 0) facts.push(formatSeconds(r.seconds));
  if (r.build !== null) facts.push(r.build.cached ? 'build cached' : `built in ${formatSeconds(r.build.seconds)}`);
  const judged = r.verdict === 'leak' || r.verdict === 'ok' || r.verdict === 'inconclusive';
  const charts = r.series !== null ? html`<div class="charts">${CHARTED_SIGNALS.map((n) => chartCard(r, n))}</div>` : '';
  const message =
    r.message === null
      ? ''
      : judged
        ? html`<p class="message"><code>${r.message}</code></p>`
        : html`<pre class="message error-message">${r.message}</pre>`;
  return html`<article class="card verdict-${r.verdict}" id="fn-${index}" data-function="${r.function ?? ''}" data-verdict="${r.verdict}" data-kind="${r.kind ?? ''}">
<header class="card-head"><h3>${nameOf(r)}</h3>${badge(r.verdict, r.verdict === 'leak' && r.kind !== null ? `leak · ${r.kind}` : undefined)}</header>
<div class="facts">${facts.join(' · ')}</div>
${headline(r)}
${message}
${diagnosisPanel(r)}
${callText(r)}
${judged ? signalTable(r) : ''}
${charts}
</article>`;
}

function countChips(values: readonly string[], order: readonly string[], prefix: 'verdict' | 'status' = 'verdict'): Markup {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return html`<div class="chips">${order.filter((v) => counts.has(v)).map((v) => html`<span class="chip ${prefix}-${v}"><b>${counts.get(v) ?? 0}</b> ${v}</span>`)}</div>`;
}

function page(title: string, kindLabel: string, body: Markup, version: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="pythran-leakcheck ${escapeHtml(version)}">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="wrap">
<header class="top"><div class="brand"><span class="logo" aria-hidden="true">${LOGO}</span><span>pythran-leakcheck</span></div><div class="doc-kind">${escapeHtml(kindLabel)}</div></header>
${body.text}
<footer>Made by pythran-leakcheck ${escapeHtml(version)} · one self-contained file: no scripts, nothing fetched.</footer>
</div>
</body>
</html>
`;
}

const LOGO =
  '<svg viewBox="0 0 24 24" width="22" height="22"><path d="M4 18 L9 12 L13 15 L20 6" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/><circle cx="20" cy="6" r="2.4" fill="currentColor"/></svg>';

const VERDICT_ORDER = ['leak', 'inconclusive', 'error', 'crash', 'timeout', 'ok'] as const;

// ---------------------------------------------------------------------------
// Run

function renderRun(report: Report, title: string | undefined): string {
  const results = report.results;
  const files = [...new Set(results.map((r) => r.file))];
  const heading = title ?? (files.length === 1 ? `Leak check of ${files[0] ?? ''}` : `Leak check of ${files.length} repros`);
  const env = report.environment;
  const sub = env !== null ? `Pythran ${env.pythran.version} · Python ${env.pythonVersion} · numpy ${env.numpy}` : 'no environment';
  const overview = html`<table class="overview"><thead><tr><th>function</th><th>verdict</th><th>trend</th><th class="num">python B/call</th><th class="num">native B/call</th><th class="num">RSS B/call</th><th class="num">blocks/call</th></tr></thead><tbody>${results.map(
    (r, i) =>
      html`<tr class="verdict-${r.verdict}"><td><a href="#fn-${i}">${nameOf(r)}</a></td><td>${badge(r.verdict, r.verdict === 'leak' && r.kind !== null ? `leak · ${r.kind}` : undefined)}</td><td>${miniSvg(r)}</td>
<td class="num">${orDash(r.bytesPerCall.python)}</td><td class="num">${orDash(r.bytesPerCall.native)}</td><td class="num">${orDash(r.bytesPerCall.rss)}</td><td class="num">${orDash(r.blocksPerCall, 2)}</td></tr>`,
  )}</tbody></table>`;
  const t = report.thresholds;
  const body = html`<section class="hero"><h1>${heading}</h1><p class="sub">${sub}</p>
${countChips(
  results.map((r) => r.verdict),
  VERDICT_ORDER,
)}
<p class="thresholds muted">A signal leaks when its 95% interval lies above its threshold: ${fmt(t.bytes, 0)} B/call for the Python and native heaps, ${fmt(t.blocks)} blocks/call, ${fmt(t.refs)} references/call per argument; RSS (${fmt(t.rssBytes, 0)} B/call) is reported, and decides only where the native heap cannot be read.</p></section>
${envPanel(env, 'Environment')}<section class="panel"><h2>Functions</h2>${results.length === 0 ? html`<p class="muted">Nothing was judged.</p>` : overview}</section>
${results.map((r, i) => resultCard(r, i))}`;
  const counts = VERDICT_ORDER.map((v) => [v, results.filter((r) => r.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${v}`)
    .join(', ');
  return page(`${heading}: ${counts || 'nothing judged'}`, 'run report', body, report.tool.version);
}

// ---------------------------------------------------------------------------
// Gate

const GATE_STATUS_TEXT: Record<GateStatus, string> = {
  regression: 'regression',
  fixed: 'fixed',
  same: 'same',
  known: 'known',
  unjudged: 'unjudged',
};

function keyFigure(r: Result): string {
  if (r.verdict === 'leak') {
    if (r.kind === 'argument-refcount') {
      const refs = r.refsPerCall.find((x) => x !== null && x > 0);
      if (refs !== undefined && refs !== null) return `${signed(refs, 2)} refs/call`;
    }
    const b = r.kind === 'native-heap' ? r.bytesPerCall.native : (r.bytesPerCall.python ?? r.bytesPerCall.native);
    if (b !== null) return `${signed(b)} B/call`;
    if (r.blocksPerCall !== null) return `${signed(r.blocksPerCall, 2)} blocks/call`;
  }
  if (r.verdict === 'ok' && r.rulesOutAbove !== null) return `< ${fmt(r.rulesOutAbove, 2)} B/call`;
  return '';
}

function gateCell(r: Result | null): Markup {
  if (r === null) return html`<td class="side"><span class="muted">not run</span></td>`;
  return html`<td class="side"><div class="side-line">${badge(r.verdict, r.verdict === 'leak' && r.kind !== null ? `leak · ${r.kind}` : undefined)}<span class="figure">${keyFigure(r)}</span></div>${miniSvg(r)}</td>`;
}

function renderGate(gate: GateComparison, title: string | undefined): string {
  const heading = title ?? `Gate: ${gate.candidate.label} against ${gate.baseline.label}`;
  const order: GateStatus[] = ['regression', 'unjudged', 'known', 'fixed', 'same'];
  const rows = gate.rows.map((row) => {
    const detail = row.status === 'regression' || row.status === 'unjudged' ? row.candidate?.message ?? null : null;
    return html`<tr class="status-${row.status}" data-status="${row.status}">
<td>${nameOf(row)}${row.note != null ? html`<div class="note">${row.note}</div>` : ''}${detail !== null ? html`<pre class="message">${detail}</pre>` : ''}</td>
${gateCell(row.baseline)}${gateCell(row.candidate)}
<td><span class="badge status-${row.status}">${GATE_STATUS_TEXT[row.status]}</span></td></tr>`;
  });
  const body = html`<section class="hero"><h1>${heading}</h1><p class="sub">baseline <strong>${gate.baseline.label}</strong> · candidate <strong>${gate.candidate.label}</strong></p>
${countChips(
  gate.rows.map((r) => r.status),
  order,
  'status',
)}</section>
<div class="two">${envPanel(gate.baseline.environment, `Baseline · ${gate.baseline.label}`)}${envPanel(gate.candidate.environment, `Candidate · ${gate.candidate.label}`)}</div>
<section class="panel"><h2>Functions</h2>${
    gate.rows.length === 0
      ? html`<p class="muted">No functions were compared.</p>`
      : html`<table class="gate"><thead><tr><th>function</th><th>baseline · ${gate.baseline.label}</th><th>candidate · ${gate.candidate.label}</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>`
  }</section>`;
  const regressions = gate.rows.filter((r) => r.status === 'regression').length;
  return page(`${heading}: ${regressions} regression${regressions === 1 ? '' : 's'}`, 'gate comparison', body, TOOL_VERSION);
}

// ---------------------------------------------------------------------------
// Bisect

function renderBisect(log: BisectLog, title: string | undefined): string {
  const goal = log.direction === 'introduced' ? 'starts leaking' : 'stops leaking';
  const heading = title ?? `Bisect: where ${log.target} ${goal}`;
  const found =
    log.first !== null
      ? html`<p class="found">First point where it ${goal}: <strong class="first-point">${log.first}</strong></p>`
      : html`<p class="found none">No point where it ${goal} was found.</p>`;
  const tried = new Map<string, BisectStep>();
  for (const s of log.steps) tried.set(s.point, s);
  const timeline =
    log.points != null && log.points.length > 0
      ? html`<section class="panel"><h2>Points, oldest first</h2><ol class="timeline">${log.points.map((p) => {
          const s = tried.get(p);
          return html`<li class="${s !== undefined ? `tried verdict-${s.verdict}` : 'untried'}${p === log.first ? ' first' : ''}" title="${s !== undefined ? `${p}: ${s.verdict}` : `${p}: not tried`}">${p}</li>`;
        })}</ol></section>`
      : '';
  const max = Math.max(0, ...log.steps.map((s) => (s.bytesPerCall !== null ? Math.abs(s.bytesPerCall) : 0)));
  const steps = log.steps.map((s, i) => {
    const width = s.bytesPerCall !== null && max > 0 ? Math.max(1, (Math.abs(s.bytesPerCall) / max) * 100) : 0;
    return html`<tr class="${s.point === log.first ? 'first' : ''}" data-point="${s.point}"><td class="num muted">${i + 1}</td><td><code>${s.point}</code>${s.point === log.first ? html` <span class="chip first-chip">first</span>` : ''}</td><td>${badge(s.verdict)}</td>
<td class="num">${s.bytesPerCall !== null ? `${signed(s.bytesPerCall)} B/call` : '-'}</td><td class="barcell">${width > 0 ? html`<span class="bar verdict-${s.verdict}" style="width:${width.toFixed(1)}%"></span>` : ''}</td><td class="muted">${s.note ?? ''}</td></tr>`;
  });
  const body = html`<section class="hero"><h1>${heading}</h1><p class="sub">${log.steps.length} point${log.steps.length === 1 ? '' : 's'} tried</p>${found}</section>
${log.environment != null ? envPanel(log.environment, 'Environment') : ''}
${timeline}
<section class="panel"><h2>Steps, in the order tried</h2>${
    log.steps.length === 0
      ? html`<p class="muted">No point was tried.</p>`
      : html`<table class="steps"><thead><tr><th class="num">#</th><th>point</th><th>verdict</th><th class="num">growth</th><th></th><th>note</th></tr></thead><tbody>${steps}</tbody></table>`
  }</section>`;
  return page(heading, 'bisect log', body, TOOL_VERSION);
}

// ---------------------------------------------------------------------------
// Style

const CSS = `
:root{
  --bg:#f5f6f8;--panel:#ffffff;--ink:#1b1f24;--muted:#66707c;--line:#e3e6ea;--soft:#f0f2f5;
  --leak:#d1344b;--leak-bg:#fdecee;--ok:#16875a;--ok-bg:#e6f5ee;--warn:#b7791f;--warn-bg:#fdf4e3;
  --bad:#8e44ad;--bad-bg:#f4ecf8;--accent:#2f6fdb;--grey:#8a939e;--grey-bg:#eef0f3;
  color-scheme:light dark;
}
@media (prefers-color-scheme:dark){:root{
  --bg:#111418;--panel:#1a1e24;--ink:#e7eaee;--muted:#9aa4b0;--line:#2c323a;--soft:#222830;
  --leak:#ff6b7f;--leak-bg:#3a1d23;--ok:#43c78b;--ok-bg:#15302a;--warn:#e6b04b;--warn-bg:#352a15;
  --bad:#c58be0;--bad-bg:#2e2036;--accent:#6ea2ff;--grey:#7d8793;--grey-bg:#262c34;
}}
*{box-sizing:border-box}
html{background:var(--bg)}
body{margin:0;color:var(--ink);font:14px/1.5 "Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif;-webkit-font-smoothing:antialiased}
code,pre,.path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:12.5px}
.wrap{max-width:1180px;margin:0 auto;padding:22px 28px 40px}
.top{display:flex;justify-content:space-between;align-items:center;color:var(--muted);font-size:13px;margin-bottom:6px}
.brand{display:flex;align-items:center;gap:8px;font-weight:600;color:var(--ink)}
.logo{color:var(--leak);display:inline-flex}
.doc-kind{text-transform:uppercase;letter-spacing:.08em;font-size:11px}
h1{font-size:26px;line-height:1.25;margin:6px 0 2px;font-weight:650;word-break:break-word}
h2{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);margin:0 0 10px;font-weight:600}
h3{font-size:17px;margin:0;font-weight:600;word-break:break-all}
h4{font-size:13.5px;margin:0;font-weight:600}
.sub{margin:0 0 12px;color:var(--muted)}
.muted{color:var(--muted)}
.hero{margin-bottom:16px}
.thresholds{font-size:12.5px;margin:10px 0 0;max-width:900px}
.chips{display:flex;gap:8px;flex-wrap:wrap}
.chip{display:inline-flex;align-items:center;gap:6px;border-radius:999px;padding:3px 12px;font-size:13px;background:var(--grey-bg);color:var(--ink)}
.chip b{font-size:15px}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:16px 18px;margin-bottom:16px}
.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media (max-width:860px){.two{grid-template-columns:1fr}}
dl{margin:0;display:grid;gap:7px}
dl>div{display:grid;grid-template-columns:96px 1fr;gap:8px}
dt{color:var(--muted)}
dd{margin:0;word-break:break-word}
.env dl{grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:10px 20px}
.env dl>div{display:block;min-width:0}
.env dt{font-size:12px}
.env dd strong{font-size:15px}
.two .env dl{grid-template-columns:1fr 1fr}
.path{display:block;font-size:11px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
table{border-collapse:collapse;width:100%}
th{font-weight:600;color:var(--muted);font-size:12px;text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
td{padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:middle}
tr:last-child>td{border-bottom:0}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
a{color:inherit;text-decoration:none}
a:hover .fn{text-decoration:underline}
.file{color:var(--muted)}
.sep{color:var(--grey);margin:0 1px}
.fn{font-weight:600;color:var(--ink)}
.badge{display:inline-block;border-radius:6px;padding:2px 9px;font-size:12px;font-weight:650;white-space:nowrap;background:var(--grey-bg);color:var(--muted)}
.verdict-leak.badge,.chip.verdict-leak,.badge.status-regression,.chip.status-regression{background:var(--leak-bg);color:var(--leak)}
.verdict-ok.badge,.chip.verdict-ok,.badge.status-fixed,.chip.status-fixed{background:var(--ok-bg);color:var(--ok)}
.verdict-inconclusive.badge,.chip.verdict-inconclusive,.badge.status-known,.chip.status-known{background:var(--warn-bg);color:var(--warn)}
.verdict-error.badge,.verdict-crash.badge,.verdict-timeout.badge,.chip.verdict-error,.chip.verdict-crash,.chip.verdict-timeout,.badge.status-unjudged,.chip.status-unjudged{background:var(--bad-bg);color:var(--bad)}
.card{background:var(--panel);border:1px solid var(--line);border-left:4px solid var(--grey);border-radius:12px;padding:16px 20px 18px;margin-bottom:18px}
.card.verdict-leak{border-left-color:var(--leak)}
.card.verdict-ok{border-left-color:var(--ok)}
.card.verdict-inconclusive{border-left-color:var(--warn)}
.card.verdict-error,.card.verdict-crash,.card.verdict-timeout{border-left-color:var(--bad)}
.card-head{display:flex;justify-content:space-between;align-items:center;gap:12px}
.card-head .badge{font-size:13px;padding:3px 11px}
.facts{color:var(--muted);font-size:12.5px;margin-top:2px}
.headline{margin:12px 0 8px}
.headline .kind{font-size:15px}
.headline.leak .kind strong{color:var(--leak)}
.headline.ok .kind{color:var(--ok);font-weight:600}
.headline.inconclusive .kind{color:var(--warn);font-weight:600}
.headline.error .kind,.headline.crash .kind,.headline.timeout .kind{color:var(--bad);font-weight:600}
.figures{margin:2px 0 0}
.explain{margin:2px 0 0;color:var(--muted);font-size:13px}
.message{margin:6px 0}
.message code{background:var(--soft);border-radius:5px;padding:2px 6px}
pre.message{background:var(--soft);border-radius:8px;padding:10px 12px;white-space:pre-wrap;word-break:break-word;margin:8px 0}
.error-message{border-left:3px solid var(--bad)}
.diagnosis{margin:10px 0;padding:10px 14px;background:var(--soft);border-radius:8px;font-size:13px;gap:5px}
.diagnosis>div{grid-template-columns:150px 1fr}
.diagnosis .badge{font-size:11px;padding:0 7px}
.call{font-size:12.5px;margin:4px 0 8px}
.call code{background:var(--soft);border-radius:5px;padding:1px 6px}
table.signals{margin:8px 0 4px;font-size:13px}
table.signals td{padding:5px 8px}
table.signals tr.state-leak td:first-child{font-weight:600}
table.signals tr.reported td{color:var(--muted)}
.unit{color:var(--muted);font-size:11.5px}
.interval{color:var(--muted)}
.state{display:inline-block;border-radius:999px;padding:0 8px;font-size:11.5px;font-weight:600;background:var(--grey-bg);color:var(--muted)}
.state.state-leak{background:var(--leak-bg);color:var(--leak)}
.state.state-flat{background:var(--ok-bg);color:var(--ok)}
.state.state-undecided{background:var(--warn-bg);color:var(--warn)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:12px;margin-top:12px}
.chart-card{margin:0;border:1px solid var(--line);border-radius:10px;padding:10px 10px 8px;background:var(--panel)}
.chart-card header{display:flex;justify-content:space-between;align-items:flex-start;gap:6px}
.chart-card .source{font-size:11px;color:var(--muted)}
.chart-card figcaption{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:4px 10px;font-size:12.5px;margin-top:2px}
.chart-card .legend{font-size:11px;color:var(--muted);white-space:nowrap}
.key{display:inline-block;width:14px;height:0;border-top:2px solid var(--grey);vertical-align:middle;margin:0 3px 0 6px}
.key.readings{border-top-color:var(--accent)}
.key.fit{border-top:2.5px dashed var(--ink)}
.key.threshold{border-top:1.5px dotted var(--grey)}
.chart-card.state-leak .key.fit{border-top-color:var(--leak)}
.chart-card.state-flat .key.fit{border-top-color:var(--ok)}
.chart-card.state-undecided .key.fit{border-top-color:var(--warn)}
.no-data{height:120px;display:grid;place-items:center;color:var(--muted);font-size:12.5px}
svg.chart{display:block;width:100%;height:auto;margin-top:4px;overflow:visible}
svg.chart .plot{fill:var(--soft);stroke:none}
svg.chart .grid{stroke:var(--line);stroke-width:1}
svg.chart .axis,svg.chart .tickmark{stroke:var(--grey);stroke-width:1}
svg.chart .tick{fill:var(--muted);font-size:9.5px;font-family:inherit}
svg.chart .readings{fill:none;stroke:var(--accent);stroke-width:1.5;stroke-linejoin:round}
svg.chart .dot{fill:var(--panel);stroke:var(--accent);stroke-width:1.3}
svg.chart .fit{fill:none;stroke:var(--ink);stroke-width:2.4;stroke-dasharray:7 4;opacity:.75}
svg.chart.state-leak .fit{stroke:var(--leak);opacity:1}
svg.chart.state-flat .fit{stroke:var(--ok);opacity:1}
svg.chart.state-undecided .fit{stroke:var(--warn);opacity:1}
svg.chart .threshold{fill:none;stroke:var(--grey);stroke-width:1.3;stroke-dasharray:1.5 3}
svg.mini{display:block;overflow:visible}
svg.mini polyline{fill:none;stroke:var(--grey);stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}
svg.mini.verdict-leak polyline{stroke:var(--leak)}
svg.mini.verdict-ok polyline{stroke:var(--ok)}
table.gate td.side{min-width:200px}
.side-line{display:flex;align-items:center;gap:8px;margin-bottom:3px}
.figure{font-size:12.5px;color:var(--muted);font-variant-numeric:tabular-nums}
tr.status-regression>td:first-child{box-shadow:inset 3px 0 0 var(--leak)}
tr.status-fixed>td:first-child{box-shadow:inset 3px 0 0 var(--ok)}
.note{font-size:12px;color:var(--muted)}
.found{font-size:16px;margin:8px 0 0}
.found strong{font-size:18px;color:var(--accent)}
.timeline{list-style:none;display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0}
.timeline li{border-radius:6px;padding:3px 10px;font-family:ui-monospace,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px;background:var(--soft);color:var(--muted);border:1px solid var(--line)}
.timeline li.tried.verdict-leak{background:var(--leak-bg);color:var(--leak);border-color:transparent}
.timeline li.tried.verdict-ok{background:var(--ok-bg);color:var(--ok);border-color:transparent}
.timeline li.tried.verdict-skipped,.timeline li.tried.verdict-inconclusive{background:var(--warn-bg);color:var(--warn);border-color:transparent}
.timeline li.first{outline:2px solid var(--accent);outline-offset:1px;font-weight:700}
table.steps tr.first td{background:var(--soft)}
.first-chip{background:var(--accent);color:#fff;font-size:11px;padding:1px 8px}
.barcell{width:32%}
.bar{display:block;height:10px;border-radius:5px;background:var(--grey)}
.bar.verdict-leak{background:var(--leak)}
.bar.verdict-ok{background:var(--ok)}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:26px}
`;
