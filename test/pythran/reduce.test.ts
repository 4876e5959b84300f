/**
 * `reduce` end to end with real Pythran: a small repro that leaks on 0.15.0
 * (it returns a view, Pythran issue #2200) shrinks to a repro that still leaks
 * Python objects, is ok uncompiled, and comes with its report and ISSUE.md;
 * the user's file is left as it was, and nothing is written over. A function
 * that does not leak, and one that does not build, are refused with their own
 * exit codes.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/cli.js';
import { cli, ROOT } from '../support/cli.js';

const V = ['--pythran', '0.15.0'];

describe('reduce', () => {
  it('shrinks a leaking function to a smaller repro that leaks the same way, with ISSUE.md', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lc-reduce-'));
    const file = path.join(dir, 'small_view.py');
    copyFileSync(path.join(ROOT, 'test/fixtures/reduce/small_view.py'), file);
    const before = readFileSync(file, 'utf8');
    const out = path.join(dir, 'out');
    const res = await cli(['reduce', `${file}::view_stats`, ...V, '--out', out, '--budget-total', '240', '--json'], { cwd: dir });
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as {
      outcome: string;
      kind: string;
      fixpoint: boolean;
      original: { bodyLines: number };
      reduced: { bodyLines: number; source: string; result: { verdict: string; kind: string; diagnosis: { interpreted: { verdict: string } } } };
      candidates: { tried: number };
    };
    expect(report.outcome).toBe('reduced');
    expect(report.kind).toBe('python-objects');
    expect(report.reduced.result).toMatchObject({ verdict: 'leak', kind: 'python-objects', diagnosis: { interpreted: { verdict: 'ok' } } });
    expect(report.original.bodyLines).toBe(3);
    expect(report.reduced.bodyLines).toBeLessThan(report.original.bodyLines);
    expect(report.candidates.tried).toBeGreaterThan(1);
    // The export line matches the parameters left; the other function and its export are gone.
    expect(report.reduced.source).toMatch(/^# pythran export view_stats\(float32\[:, :\](, int)?\)$/m);
    expect(report.reduced.source).not.toContain('unrelated');
    expect(readFileSync(path.join(out, 'view_stats.py'), 'utf8')).toBe(report.reduced.source);
    expect(existsSync(path.join(out, 'view_stats.reduce.json'))).toBe(true);
    const issue = readFileSync(path.join(out, 'ISSUE.md'), 'utf8');
    expect(issue).toMatch(/^# Pythran 0\.15\.0 leaks Python objects in `view_stats` \(\d+ bytes, \d+ objects? per call\)/);
    for (const part of ['## Minimal repro', '- numpy 1.26.4', '- compiler: ', 'uncompiled (plain Python + NumPy): **ok**', 'pythran-leakcheck run ']) expect(issue).toContain(part);
    // The user's file is never changed, and a second reduction never writes over the first.
    expect(readFileSync(file, 'utf8')).toBe(before);
    const again = await cli(['reduce', `${file}::view_stats`, ...V, '--out', out], { cwd: dir });
    expect(again.code).toBe(EXIT_CODES.output);
    expect(again.stderr).toContain('already has view_stats.py: reduce never writes over a file');
  });

  it.each([
    ['does not leak, after measuring it once', 'repros/seed/view_leak.py::simpler_no_leak', 'nothing-to-reduce', 'does not leak on Pythran 0.15.0 (measured once: ok'],
    ['does not build', 'test/fixtures/bad/syntax_error.py::broken', 'not-buildable', 'does not build with Pythran 0.15.0'],
  ] as const)('refuses a function that %s, with its own exit code', async (_what, target, category, message) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lc-reduce-'));
    const res = await cli(['reduce', path.join(ROOT, target), ...V], { cwd: dir });
    expect(res.code).toBe(EXIT_CODES[category]);
    expect(res.stderr).toContain(message);
    expect(readdirSync(dir)).toEqual([]);
  });
});
