/** The page of a bisection: the points tried, in order, and the first point found. */
import { TOOL_VERSION } from '../../version.js';
import type { BisectLog, BisectStep } from './document.js';
import { badge, envPanel, html, signed } from './markup.js';
import { page } from './page.js';


export function renderBisect(log: BisectLog, title: string | undefined): string {
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
