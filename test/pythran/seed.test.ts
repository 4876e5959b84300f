/**
 * The seed's pair on real Pythran releases, through the CLI as a user runs it.
 * Pythran 0.15.0 leaks the slices tuple of a returned view (issue #2200);
 * 0.16.1 does not.
 */
import { describe, expect, it } from 'vitest';
import { byFunction, cli, cliJson } from '../support/cli.js';

const SEED = 'repros/seed/view_leak.py';

describe('seed pair on Pythran 0.15.0', () => {
  it('finds the view leak: python objects, about 190 B and 3 blocks per call; the copy is ok', async () => {
    const { code, report } = await cliJson(['run', SEED, '--pythran', '0.15.0']);
    expect(report.environment?.pythran.version).toBe('0.15.0');
    const leak = byFunction(report, 'simpler_leak');
    expect(leak.verdict).toBe('leak');
    expect(leak.kind).toBe('python-objects');
    expect(leak.blocksPerCall).toBeGreaterThan(2.9);
    expect(leak.blocksPerCall).toBeLessThan(3.1);
    // tracemalloc sees the tuple and two slices (168 B); RSS, with allocator overhead, about 190 B.
    expect(leak.bytesPerCall.python).toBeGreaterThan(150);
    expect(leak.bytesPerCall.python).toBeLessThan(200);
    expect(leak.bytesPerCall.rss).toBeGreaterThan(150);
    expect(leak.bytesPerCall.rss).toBeLessThan(230);
    expect(leak.refsPerCall[0]).toBe(0);
    // Named: the tuple of two slices Pythran builds for the view, left alive on every call;
    // and the same function run uncompiled does not leak.
    const types = Object.fromEntries((leak.diagnosis?.types ?? []).map((t) => [t.type, t.perCall]));
    expect(types.slice).toBeGreaterThan(1.8);
    expect(types.slice).toBeLessThan(2.2);
    expect(types.tuple).toBeGreaterThan(0.9);
    expect(types.tuple).toBeLessThan(1.1);
    expect(leak.diagnosis?.interpreted?.verdict).toBe('ok');
    expect(leak.diagnosis?.replicate?.verdict).toBe('leak');
    expect(leak.message).toContain('confirmed in a fresh process');
    const ok = byFunction(report, 'simpler_no_leak');
    expect(ok.verdict).toBe('ok');
    expect(ok.rulesOutAbove).not.toBeNull();
    expect(ok.rulesOutAbove ?? Infinity).toBeLessThan(16);
    expect(code).toBe(1);
  });

  it('does not rebuild on a second run', async () => {
    const { report } = await cliJson(['run', SEED, '--pythran', '0.15.0']);
    for (const r of report.results) expect(r.build?.cached).toBe(true);
  });

  it('prints a table naming the environment and the verdicts', async () => {
    const { code, stdout } = await cli(['run', SEED, '--pythran', '0.15.0']);
    expect(code).toBe(1);
    expect(stdout).toContain('Pythran 0.15.0');
    expect(stdout).toMatch(/simpler_leak\s*\|.*leak \(python-objects\)/);
    expect(stdout).toMatch(/simpler_no_leak\s*\|.*\|\s*ok\s*\|/);
  });
});

describe('seed pair on Pythran 0.16.1', () => {
  it('finds no leak in either function', async () => {
    const { code, report } = await cliJson(['run', SEED, '--pythran', '0.16.1']);
    expect(report.environment?.pythran.version).toBe('0.16.1');
    expect(byFunction(report, 'simpler_leak').verdict).toBe('ok');
    expect(byFunction(report, 'simpler_no_leak').verdict).toBe('ok');
    expect(code).toBe(0);
  });

  it('measures only the named function with file.py::function', async () => {
    const { report } = await cliJson(['run', `${SEED}::simpler_leak`, '--pythran', '0.16.1']);
    expect(report.results.map((r) => r.function)).toEqual(['simpler_leak']);
  });
});
