/** The page of a gate comparison: both environments, one row per function with both verdicts and its status. */
import type { Result } from '../../core/report.js';
import { TOOL_VERSION } from '../../version.js';
import { miniSvg } from './charts.js';
import type { GateComparison, GateStatus } from './document.js';
import { badge, countChips, envPanel, fmt, html, nameOf, signed, type Markup } from './markup.js';
import { page } from './page.js';


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

export function renderGate(gate: GateComparison, title: string | undefined): string {
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
