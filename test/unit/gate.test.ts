import { describe, expect, it } from 'vitest';
import { compareRuns, gateOutcome, GateReportSchema, leakSize, summarize, type GateReport } from '../../src/core/gate.js';
import type { Result } from '../../src/core/report.js';
import { renderJunit, xmlEscape } from '../../src/reporters/junit.js';
import { mdEscape, renderMarkdown } from '../../src/reporters/markdown.js';

function result(fn: string | null, verdict: Result['verdict'], python: number | null = null, extra: Partial<Result> = {}): Result {
  return {
    file: 'r.py',
    function: fn,
    verdict,
    kind: verdict === 'leak' ? 'python-objects' : null,
    bytesPerCall: { rss: null, native: verdict === 'leak' ? 0 : null, python },
    blocksPerCall: null,
    refsPerCall: [],
    calls: 10,
    seconds: 1,
    message: null,
    errorType: null,
    rulesOutAbove: null,
    call: null,
    signals: {},
    build: null,
    series: null,
    ...extra,
  } as Result;
}

const TOL = { percent: 20, bytes: 16 };
const none = new Set<string>();

describe('compareRuns', () => {
  it('ok then leak is a new leak, a regression', () => {
    const rows = compareRuns([result('f', 'ok')], [result('f', 'leak', 168)], none, TOL);
    expect(rows[0]?.status).toBe('new-leak');
    expect(gateOutcome(rows)).toBe('regression');
  });

  it('leak then ok is fixed, good news that passes', () => {
    const rows = compareRuns([result('f', 'leak', 168)], [result('f', 'ok')], none, TOL);
    expect(rows[0]?.status).toBe('fixed');
    expect(gateOutcome(rows)).toBe('pass');
    expect(summarize(rows).fixed).toBe(1);
  });

  it('a known leak of the candidate does not fail the gate', () => {
    const rows = compareRuns([result('f', 'ok')], [result('f', 'leak', 168)], new Set(['r.py::f']), TOL);
    expect(rows[0]?.status).toBe('known-leak');
    expect(gateOutcome(rows)).toBe('pass');
  });

  it('a leak that grows beyond the tolerance is a regression; within it, not', () => {
    expect(compareRuns([result('f', 'leak', 100)], [result('f', 'leak', 130)], none, TOL)[0]?.status).toBe('grew');
    expect(compareRuns([result('f', 'leak', 100)], [result('f', 'leak', 115)], none, TOL)[0]?.status).toBe('still-leaks');
    // 50% more but only 10 B: below the absolute tolerance.
    expect(compareRuns([result('f', 'leak', 20)], [result('f', 'leak', 30)], none, TOL)[0]?.status).toBe('still-leaks');
    expect(compareRuns([result('f', 'leak', 200)], [result('f', 'leak', 100)], none, TOL)[0]?.status).toBe('shrank');
  });

  it('compares the larger heap signal, and RSS only without one', () => {
    expect(leakSize({ bytesPerCall: { rss: 900, native: 288, python: 40 } })).toBe(288);
    expect(leakSize({ bytesPerCall: { rss: 900, native: null, python: null } })).toBe(900);
  });

  it('anything but leak or ok on either side cannot be judged, and never passes', () => {
    for (const v of ['inconclusive', 'crash', 'timeout', 'error'] as const) {
      const rows = compareRuns([result('f', 'ok'), result('g', 'ok')], [result('f', v), result('g', 'ok')], none, TOL);
      expect(rows[0]?.status).toBe('unjudged');
      expect(gateOutcome(rows)).toBe('unjudged');
    }
  });

  it('unjudged wins over a regression (exit 3 over 1), bad input over both', () => {
    const rows = compareRuns([result('f', 'ok'), result('g', 'ok')], [result('f', 'leak', 100), result('g', 'crash')], none, TOL);
    expect(gateOutcome(rows)).toBe('unjudged');
    const bad = result(null, 'error', null, { errorType: 'InputError', message: 'no such file' });
    expect(gateOutcome(compareRuns([bad, result('f', 'ok')], [bad, result('f', 'leak', 99)], none, TOL))).toBe('usage');
  });

  it('a function missing from one side cannot be judged', () => {
    const rows = compareRuns([result('f', 'ok')], [], none, TOL);
    expect(rows[0]?.status).toBe('unjudged');
  });

  it('a gate that judged nothing does not pass', () => {
    expect(gateOutcome([])).toBe('unjudged');
  });
});

function report(rows = compareRuns([result('f', 'ok'), result('g', 'leak', 168)], [result('f', 'leak', 168), result('g', 'ok')], none, TOL)): GateReport {
  return GateReportSchema.parse({
    schemaVersion: 1,
    tool: { name: 'pythran-leakcheck', version: '0.0.0' },
    command: 'gate',
    outcome: gateOutcome(rows),
    baseline: { spec: '0.16.1', environment: null },
    candidate: { spec: '0.15.0', environment: null },
    tolerance: TOL,
    summary: summarize(rows),
    functions: rows,
  });
}

describe('junit', () => {
  it('a regression is a failure, a fixed leak passes, counts match', () => {
    const xml = renderJunit(report());
    expect(xml).toContain('tests="2" failures="1" errors="0"');
    expect(xml).toMatch(/<testcase classname="r.py" name="f" time="0">\s*<failure message="REGRESSION: new leak" type="new-leak">/);
    expect(xml).toMatch(/<testcase classname="r.py" name="g" time="0">\s*<system-out>fixed/);
  });

  it('an unjudged function is an error, and an empty gate is not an empty (passing) suite', () => {
    const rows = compareRuns([result('f', 'ok')], [result('f', 'crash')], none, TOL);
    expect(renderJunit(report(rows))).toContain('errors="1"');
    expect(renderJunit(report([]))).toContain('<error message="nothing was judged"');
  });

  it('escapes markup and characters XML cannot hold', () => {
    expect(xmlEscape('a<b & "c" \u0001')).toBe('a&lt;b &amp; &quot;c&quot; \uFFFD');
  });
});

describe('markdown', () => {
  it('names the outcome, each function and its status', () => {
    const md = renderMarkdown(report());
    expect(md).toContain('0.16.1 → 0.15.0: the candidate regresses');
    expect(md).toContain('| `r.py::f` | ok | leak 168.0 B/call | **REGRESSION: new leak** |');
    expect(md).toContain('| fixed |');
  });

  it('escapes table separators and newlines', () => {
    expect(mdEscape('a|b\nc')).toBe('a\\|b c');
  });
});

describe('overloads', () => {
  it('are matched by signature between the two runs', () => {
    const row = (overload: string, verdict: 'ok' | 'leak') => result('window', verdict, verdict === 'leak' ? 168 : 0, { overload });
    const base = [row('window(float list, int)', 'ok'), row('window(float64[:,:], int)', 'ok')];
    const cand = [row('window(float64[:,:], int)', 'leak'), row('window(float list, int)', 'ok')];
    const rows = compareRuns(base, cand, new Set(), { percent: 20, bytes: 16 });
    expect(rows.map((r) => [r.function, r.status])).toEqual([
      ['window(float list, int)', 'ok'],
      ['window(float64[:,:], int)', 'new-leak'],
    ]);
  });
});
