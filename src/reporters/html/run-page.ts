/** The page of a run's report: the environment, an overview, and a card per function with its charts. */
import type { Report, Result } from '../../core/report.js';
import { formatCount, formatSeconds } from '../format.js';
import { CHARTED_SIGNALS, seriesPoints, type ChartedSignal } from '../series.js';
import { chartSvg, miniSvg, SIGNAL_INFO } from './charts.js';
import { badge, countChips, envPanel, fmt, html, nameOf, orDash, signed, UNIT_PER_CALL, type Markup, type Unit } from './markup.js';
import { page } from './page.js';

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

const VERDICT_ORDER = ['leak', 'inconclusive', 'error', 'crash', 'timeout', 'ok'] as const;

export function renderRun(report: Report, title: string | undefined): string {
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
