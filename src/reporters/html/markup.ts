/**
 * The pieces every page is built from. Markup is built only with the `html`
 * tagged template, which escapes each interpolated value unless it is markup
 * built here; numbers are formatted one way on every page.
 */
import type { EnvironmentReport } from '../../core/report.js';
import { formatRate } from '../format.js';


export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Value = Markup | string | number | null | undefined | false | readonly Value[];

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

export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += show(v) + (strings[i + 1] ?? '');
  });
  return new Markup(out);
}
// ---------------------------------------------------------------------------
// Numbers

/** Like the table's numbers, but small ones in plain decimals (0.024) rather than exponents. */
export function fmt(x: number, digits = 1): string {
  const a = Math.abs(x);
  if (a !== 0 && a < 0.05) return String(Number(x.toPrecision(2)));
  return formatRate(x, digits);
}

export function orDash(x: number | null, digits = 1): string {
  return x === null ? '-' : fmt(x, digits);
}

export function signed(x: number, digits = 1): string {
  return x > 0 ? `+${fmt(x, digits)}` : fmt(x, digits);
}

export const UNIT_PER_CALL = { bytes: 'B/call', blocks: 'blocks/call', refs: 'refs/call' } as const;
export type Unit = keyof typeof UNIT_PER_CALL;

// ---------------------------------------------------------------------------
// Pieces shared by the pages

const VERDICT_LABEL: Record<string, string> = {
  leak: 'leak',
  ok: 'ok',
  inconclusive: 'inconclusive',
  error: 'error',
  crash: 'crash',
  timeout: 'timeout',
  skipped: 'skipped',
};

export function badge(verdict: string, text?: string): Markup {
  return html`<span class="badge verdict-${verdict}">${text ?? VERDICT_LABEL[verdict] ?? verdict}</span>`;
}

export function nameOf(r: { file: string; function: string | null; overload?: string | null }): Markup {
  const fn = r.overload ?? r.function;
  return fn === null ? html`<span class="file">${r.file}</span>` : html`<span class="file">${r.file}</span><span class="sep">::</span><span class="fn">${fn}</span>`;
}

export function envPanel(env: EnvironmentReport | null, heading: string): Markup {
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

export function countChips(values: readonly string[], order: readonly string[], prefix: 'verdict' | 'status' = 'verdict'): Markup {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return html`<div class="chips">${order.filter((v) => counts.has(v)).map((v) => html`<span class="chip ${prefix}-${v}"><b>${counts.get(v) ?? 0}</b> ${v}</span>`)}</div>`;
}

