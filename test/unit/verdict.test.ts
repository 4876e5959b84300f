import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLDS,
  judgeFunction,
  judgeSignal,
  phaseSettled,
  plainSeries,
  type SignalSeries,
} from '../../src/core/verdict.js';
import type { PlainSample } from '../../src/core/protocol.js';

function series(values: number[], opts: Partial<SignalSeries> = {}): SignalSeries {
  return {
    name: 'python',
    unit: 'bytes',
    threshold: 16,
    decisive: true,
    calls: values.map((_, i) => i * 1000),
    values,
    ...opts,
  };
}

/** Cumulative readings growing by `perCall` bytes per call in batches of 1000 calls, plus noise. */
function growing(perCall: number, batches: number, noise: (i: number) => number = () => 0): number[] {
  return Array.from({ length: batches + 1 }, (_, i) => 1_000_000 + perCall * 1000 * i + noise(i));
}

describe('judgeSignal', () => {
  it('calls an exact, steady growth above the threshold a leak', () => {
    const j = judgeSignal(series(growing(168, 8)));
    expect(j.state).toBe('leak');
    expect(j.perCall.estimate).toBe(168);
  });

  it('calls a flat signal flat and states the leak it rules out', () => {
    const j = judgeSignal(series(growing(0, 8, (i) => (i % 2) * 64)));
    expect(j.state).toBe('flat');
    expect(j.rulesOutAbove).toBeGreaterThan(0);
    expect(j.rulesOutAbove).toBeLessThan(1);
  });

  it('decides nothing before the minimum number of batches', () => {
    expect(judgeSignal(series(growing(168, 5))).state).toBe('undecided');
    expect(judgeSignal(series(growing(0, 5))).state).toBe('undecided');
  });

  it('does not call a cache that fills and stops a leak (plateau guard)', () => {
    // 500 B/call for the first 4 batches, then nothing: the whole-window mean is high,
    // but the second half of the window shows no growth.
    const values = [0, 500_000, 1_000_000, 1_500_000, 2_000_000, 2_000_000, 2_000_000, 2_000_000, 2_000_000];
    const j = judgeSignal(series(values));
    expect(j.perCall.estimate).toBeGreaterThan(16);
    expect(j.state).not.toBe('leak');
  });

  it('stays undecided when growth straddles the threshold', () => {
    const noisy = growing(16, 8, (i) => (i % 2 === 0 ? 0 : 9000));
    expect(judgeSignal(series(noisy)).state).toBe('undecided');
  });

  it('treats a small but real growth below the threshold as flat', () => {
    expect(judgeSignal(series(growing(2, 10))).state).toBe('flat');
  });
});

describe('plainSeries', () => {
  const sample = (calls: number, blocks: number, native: number | null, refs: Array<number | null>): PlainSample => ({
    type: 'sample',
    phase: 'plain',
    calls,
    seconds: calls / 1e6,
    sampleSeconds: 0,
    rss: 4096 * 100,
    native,
    blocks,
    refcounts: refs,
    types: null,
  });

  it('makes RSS decisive only when the native heap cannot be read', () => {
    const withNative = plainSeries([sample(0, 1, 10, [2]), sample(10, 1, 10, [2])], DEFAULT_THRESHOLDS);
    expect(withNative.find((s) => s.name === 'rss')?.decisive).toBe(false);
    const without = plainSeries([sample(0, 1, null, [2]), sample(10, 1, null, [2])], DEFAULT_THRESHOLDS);
    expect(without.find((s) => s.name === 'native')).toBeUndefined();
    expect(without.find((s) => s.name === 'rss')?.decisive).toBe(true);
  });

  it('tracks refcounts only for arguments the harness tracks', () => {
    const s = plainSeries([sample(0, 1, 10, [2, null]), sample(10, 1, 10, [3, null])], DEFAULT_THRESHOLDS);
    expect(s.map((x) => x.name)).toEqual(['blocks', 'native', 'rss', 'refcount:0']);
  });
});

describe('judgeFunction', () => {
  const flat = (name: SignalSeries['name'], unit: SignalSeries['unit'] = 'bytes') =>
    judgeSignal(series(growing(0, 8), { name, unit, threshold: unit === 'bytes' ? 16 : 0.5 }));
  const leak = (name: SignalSeries['name'], unit: SignalSeries['unit'], perCall: number) =>
    judgeSignal(series(growing(perCall, 8), { name, unit, threshold: unit === 'bytes' ? 16 : 0.5 }));

  it('is ok when every decisive signal is flat, with the bound it rules out', () => {
    const j = judgeFunction([flat('blocks', 'blocks'), flat('native'), flat('python')]);
    expect(j.verdict).toBe('ok');
    expect(j.kind).toBeNull();
    expect(j.reason).toMatch(/^no leak above \d/);
  });

  it('names python objects when allocator blocks grow', () => {
    const j = judgeFunction([leak('blocks', 'blocks', 3), flat('native'), leak('python', 'bytes', 168)]);
    expect(j).toMatchObject({ verdict: 'leak', kind: 'python-objects' });
  });

  it('names the native heap when only the native heap grows', () => {
    const j = judgeFunction([flat('blocks', 'blocks'), leak('native', 'bytes', 1024), flat('python')]);
    expect(j).toMatchObject({ verdict: 'leak', kind: 'native-heap' });
  });

  it('names an argument refcount first when an argument gains references', () => {
    const j = judgeFunction([leak('blocks', 'blocks', 1), leak('refcount:0', 'refs', 1), flat('native'), flat('python')]);
    expect(j).toMatchObject({ verdict: 'leak', kind: 'argument-refcount' });
  });

  it('is inconclusive, never ok, when a decisive signal is undecided', () => {
    const undecided = judgeSignal(series(growing(0, 3)));
    const j = judgeFunction([flat('blocks', 'blocks'), undecided]);
    expect(j.verdict).toBe('inconclusive');
  });

  it('is inconclusive when nothing decisive was measured', () => {
    expect(judgeFunction([]).verdict).toBe('inconclusive');
  });

  it('ignores non-decisive signals for the verdict', () => {
    const rss = judgeSignal(series(growing(500, 8), { name: 'rss', decisive: false }));
    expect(judgeFunction([flat('blocks', 'blocks'), rss]).verdict).toBe('ok');
  });
});

describe('phaseSettled', () => {
  it('settles on any leak, or when all decisive signals are flat', () => {
    const f = judgeSignal(series(growing(0, 8)));
    const l = judgeSignal(series(growing(100, 8)));
    const u = judgeSignal(series(growing(0, 2)));
    expect(phaseSettled([f, f])).toBe(true);
    expect(phaseSettled([u, l])).toBe(true);
    expect(phaseSettled([f, u])).toBe(false);
    expect(phaseSettled([])).toBe(false);
  });
});
