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
 * Every piece of text is escaped: the `html` tagged template (html/markup.ts)
 * escapes each interpolated value unless it is markup built there.
 *
 * Under html/: document.ts (the input schemas), markup.ts (escaping,
 * numbers, shared pieces), charts.ts (SVG), page.ts (the shell and CSS),
 * and one file per page: run-page.ts, gate-page.ts, bisect-page.ts.
 */
import { renderBisect } from './html/bisect-page.js';
import { HtmlDocumentSchema, type HtmlDocument } from './html/document.js';
import { renderGate } from './html/gate-page.js';
import { renderRun } from './html/run-page.js';

export * from './html/document.js';
export { escapeHtml } from './html/markup.js';

/** The page for a run report, a gate comparison or a bisect log. The input is validated first. */
export function renderHtml(doc: HtmlDocument): string {
  const checked = HtmlDocumentSchema.parse(doc);
  switch (checked.kind) {
    case 'run':
      return renderRun(checked.report, checked.title);
    case 'gate':
      return renderGate(checked.gate, checked.title);
    case 'bisect':
      return renderBisect(checked.bisect, checked.title);
  }
}
