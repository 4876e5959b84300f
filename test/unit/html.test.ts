/** The HTML report: self-contained, escaped, one chart per signal with the fitted slope; gate and bisect pages. */
import { describe, expect, it } from 'vitest';
import { interceptFor } from '../../src/reporters/series.js';
import { escapeHtml, renderHtml, type BisectLog, type GateComparison } from '../../src/reporters/html.js';
import { crashResult, leakResult, okResult, report } from '../support/reports.js';

/** The `points` of the first <polyline class="..."> inside the chart for `signal` in the card `fn`. */
function polyline(page: string, fn: string, signal: string, cls: string): Array<[number, number]> {
  const card = page.slice(page.indexOf(`data-function="${fn}"`));
  const fig = card
    .slice(0, card.indexOf('</article>'))
    .split('<figure')
    .find((f) => f.startsWith(' class="chart-card') && f.includes(`data-signal="${signal}"`));
  if (fig === undefined) throw new Error(`no ${signal} chart for ${fn}`);
  const m = new RegExp(`<polyline class="${cls}" points="([^"]+)"`).exec(fig);
  if (m === null) throw new Error(`no ${cls} polyline in the ${signal} chart of ${fn}`);
  return (m[1] ?? '').split(' ').map((p) => p.split(',').map(Number) as [number, number]);
}

describe('renderHtml: run report', () => {
  const page = renderHtml({ kind: 'run', report: report([leakResult(), okResult(), crashResult()]) });

  it('is one self-contained document: no script, no external resource, a CSP that forbids fetching', () => {
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).not.toMatch(/<script|<link|@import|url\(|src=/i);
    const urls = page.match(/https?:\/\/[^\s"')]+/g) ?? [];
    expect(urls.filter((u) => u !== 'http://www.w3.org/2000/svg')).toEqual([]);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('names the environment', () => {
    for (const text of ['0.15.0', '3.11.7', '1.26.4', 'gcc (Debian 12.2.0-14+deb12u1) 12.2.0', 'no commit recorded']) expect(page).toContain(escapeHtml(text));
    const withCommit = renderHtml({ kind: 'run', report: { ...report([okResult()]), environment: { ...report([]).environment!, pythran: { version: '0.16.1.dev', commit: '0123456789abcdef0123' } } } });
    expect(withCommit).toContain('0123456789ab</code>');
  });

  it('has a card per function with its verdict, what leaks and the message', () => {
    expect(page.match(/<article class="card /g)).toHaveLength(3);
    expect(page).toContain('data-verdict="leak" data-kind="python-objects"');
    expect(page).toMatch(/Leaks <strong>python-objects<\/strong>/);
    expect(page).toContain('<strong>+168.0 B</strong> of Python heap');
    expect(page).toContain('[168.0, 168.1]'); // the python interval
    expect(page).toContain('Rules out any leak above <strong>0.024 B/call</strong>');
    expect(page).toContain('<pre class="message error-message">crashed with SIGSEGV:\nFatal Python error: Segmentation fault</pre>');
  });

  it('draws one chart per signal for measured functions and none for the crash', () => {
    for (const fn of ['simpler_leak', 'simpler_no_leak']) {
      for (const signal of ['python', 'blocks', 'native', 'rss']) {
        expect(polyline(page, fn, signal, 'readings').length).toBe(7);
      }
    }
    const crashCard = page.slice(page.indexOf('data-function="segfault"'));
    expect(crashCard).toContain('data-verdict="crash"');
    expect(crashCard).not.toContain('<svg class="chart');
  });

  it('anchors the fitted line by least squares: through a straight series it meets the first and last readings', () => {
    const readings = polyline(page, 'simpler_leak', 'python', 'readings');
    const fit = polyline(page, 'simpler_leak', 'python', 'fit');
    expect(fit).toHaveLength(2);
    expect(fit[0]?.[0]).toBeCloseTo(readings[0]?.[0] ?? NaN, 0);
    expect(fit[0]?.[1]).toBeCloseTo(readings[0]?.[1] ?? NaN, 0);
    expect(fit[1]?.[1]).toBeCloseTo(readings[6]?.[1] ?? NaN, 0);
    // rising on screen means a smaller y
    expect((fit[1]?.[1] ?? 0) < (fit[0]?.[1] ?? 0)).toBe(true);
    // the flat native heap gets a flat fit
    const native = polyline(page, 'simpler_leak', 'native', 'fit');
    expect(native[0]?.[1]).toBeCloseTo(native[1]?.[1] ?? NaN, 5);
  });

  it('fits the intercept that minimises squared error for a fixed slope', () => {
    const points = [
      { x: 0, y: 1 },
      { x: 1, y: 4 },
      { x: 2, y: 5 },
    ];
    const a = interceptFor(points, 2);
    const sse = (b0: number) => points.reduce((s, p) => s + (p.y - b0 - 2 * p.x) ** 2, 0);
    expect(sse(a)).toBeLessThan(sse(a + 0.01));
    expect(sse(a)).toBeLessThan(sse(a - 0.01));
  });

  it('escapes every piece of text it was given', () => {
    const evil = '<img src=x onerror=alert(1)>&"\'';
    const doc = report([
      leakResult({ file: `repros/${evil}.py`, function: `f${evil}`, message: `boom ${evil}`, call: { origin: evil, args: [evil] } }),
      crashResult({ message: `</pre><script>alert(1)</script>` }),
    ]);
    doc.environment = { ...doc.environment!, compiler: evil, python: evil, numpy: evil, pythran: { version: evil, commit: evil } };
    const out = renderHtml({ kind: 'run', report: doc, title: evil });
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<script');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;');
  });

  it('refuses a document that does not match its schema', () => {
    expect(() => renderHtml({ kind: 'run', report: { ...report([]), schemaVersion: 2 as 1 } })).toThrow();
  });
});

describe('renderHtml: gate comparison', () => {
  const env = report([]).environment;
  const gate: GateComparison = {
    baseline: { label: 'Pythran 0.16.1', environment: env },
    candidate: { label: 'Pythran 0.15.0', environment: env === null ? null : { ...env, pythran: { version: '0.15.0', commit: null } } },
    rows: [
      { file: 'repros/seed/view_leak.py', function: 'simpler_leak', baseline: okResult({ function: 'simpler_leak' }), candidate: leakResult(), status: 'regression' },
      { file: 'repros/seed/view_leak.py', function: 'simpler_no_leak', baseline: okResult(), candidate: okResult(), status: 'same' },
      { file: 'repros/history/x.py', function: 'old', baseline: leakResult({ function: 'old' }), candidate: leakResult({ function: 'old' }), status: 'known', note: 'issue <#1234>' },
      { file: 'repros/history/y.py', function: 'gone', baseline: okResult({ function: 'gone' }), candidate: null, status: 'unjudged' },
    ],
  };
  const page = renderHtml({ kind: 'gate', gate });

  it('shows both environments and one row per function with its status', () => {
    expect(page).toContain('Baseline · Pythran 0.16.1');
    expect(page).toContain('Candidate · Pythran 0.15.0');
    expect(page.match(/<tr class="status-/g)).toHaveLength(4);
    expect(page).toMatch(/data-status="regression"[\s\S]*simpler_leak[\s\S]*leak · python-objects[\s\S]*\+168\.0 B\/call/);
    expect(page).toContain('<span class="chip status-regression"><b>1</b> regression</span>');
    expect(page).toContain('issue &lt;#1234&gt;');
    expect(page).toContain('not run');
    expect(page).toContain('<title>Gate: Pythran 0.15.0 against Pythran 0.16.1: 1 regression</title>');
  });
});

describe('renderHtml: bisect log', () => {
  const log: BisectLog = {
    target: 'repros/seed/view_leak.py::simpler_leak',
    direction: 'fixed',
    first: '0.16.0',
    points: ['0.14.0', '0.15.0', '0.16.0', '0.16.1'],
    steps: [
      { point: '0.15.0', verdict: 'leak', bytesPerCall: 168 },
      { point: '0.16.1', verdict: 'ok', bytesPerCall: 0.01 },
      { point: '0.16.0', verdict: 'ok', bytesPerCall: 0.02, note: 'built in 41 s' },
    ],
  };
  const page = renderHtml({ kind: 'bisect', bisect: log });

  it('names the first point and lists the steps in the order tried', () => {
    expect(page).toContain('First point where it stops leaking: <strong class="first-point">0.16.0</strong>');
    const order = [...page.matchAll(/<tr class="[^"]*" data-point="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(['0.15.0', '0.16.1', '0.16.0']);
    expect(page).toMatch(/<li class="untried" title="0\.14\.0: not tried">0\.14\.0<\/li>/);
    expect(page).toMatch(/<li class="tried verdict-ok first"/);
    expect(page).toContain('style="width:100.0%"');
  });

  it('says so when nothing was found', () => {
    expect(renderHtml({ kind: 'bisect', bisect: { ...log, first: null, points: null } })).toContain('No point where it stops leaking was found.');
  });
});
