import { describe, expect, it } from 'vitest';
import { combineConfirmation, judgeConfirmation, planConfirmation, readingNoise, type ConfirmationPlan } from '../../src/core/confirm.js';
import type { BulkMessage, PlainSample } from '../../src/core/protocol.js';
import { judgeFunction, judgeSignal, plainSeries, DEFAULT_THRESHOLDS, DEFAULT_RULE } from '../../src/core/verdict.js';

/** Plain samples of `n` batches of `batch` calls, blocks growing by `perBatch` + `perCall` * batch, with a noise pattern. */
function plain(n: number, batch: number, perCall: number, perBatch = 0, noise: number[] = [0]): PlainSample[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'sample' as const,
    phase: 'plain' as const,
    calls: (i + 1) * batch,
    seconds: (i + 1) * batch * 0.01,
    sampleSeconds: 0,
    rss: 40_000_000,
    native: 6_000_000,
    blocks: Math.round(80_000 + (i + 1) * (perBatch + perCall * batch) + (noise[i % noise.length] ?? 0)),
    refcounts: [],
    types: null,
  }));
}

const firstOf = (samples: PlainSample[]) => judgeFunction(plainSeries(samples, DEFAULT_THRESHOLDS).map((s) => judgeSignal(s, DEFAULT_RULE)));

function bulk(calls: number, before: number, after: number): BulkMessage {
  return { type: 'bulk', calls, seconds: calls * 0.01, traced: false, before: { blocks: before, native: 6_000_000, rss: 1, refcounts: [] }, after: { blocks: after, native: 6_000_000, rss: 1, refcounts: [] } };
}

describe('readingNoise', () => {
  it('is zero for readings on a straight line, whatever the slope', () => {
    expect(readingNoise([1, 2, 3, 4, 5, 6, 7, 8], [10, 13, 16, 19, 22, 25, 28, 31])).toBe(0);
  });
  it('grows with scatter around the line', () => {
    const calls = Array.from({ length: 40 }, (_, i) => i + 1);
    const small = readingNoise(calls, calls.map((c, i) => c * 3 + (i % 2) * 2));
    const large = readingNoise(calls, calls.map((c, i) => c * 3 + (i % 2) * 20));
    expect(small).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(5 * small);
  });
});

describe('planConfirmation', () => {
  it('sizes the run so that a leak at the threshold grows 20 times the noise, at least four times the largest batch', () => {
    const samples = plain(60, 2, 1.5, 0, [0, 2, -1, 3]);
    const first = firstOf(samples);
    expect(first.verdict).toBe('leak');
    const plan = planConfirmation({ judgement: first, plain: samples, traced: [] }, 0.01, { minCalls: 50, maxSeconds: 10 });
    const blocks = plan.signals.find((s) => s.name === 'blocks');
    expect(blocks).toBeDefined();
    expect(plan.calls * 0.5).toBeGreaterThanOrEqual(20 * (blocks?.noise ?? Infinity));
    expect(plan.calls).toBeGreaterThanOrEqual(4 * 2);
    expect(plan.traced).toBe(false);
    expect(plan.capped).toBe(false);
  });
  it('keeps the run within the time allowed, and says so', () => {
    const samples = plain(30, 1, 1.5, 0, [0, 60, -30, 90]);
    const plan = planConfirmation({ judgement: firstOf(samples), plain: samples, traced: [] }, 0.05, { minCalls: 50, maxSeconds: 2 });
    expect(plan.calls).toBeLessThanOrEqual(40);
    expect(plan.capped).toBe(true);
  });
});

describe('judgeConfirmation and combineConfirmation', () => {
  const samples = plain(30, 2, 0, 3); // 3 blocks per batch of 2 calls: the harness artefact of issue 9
  const first = firstOf(samples);
  const plan: ConfirmationPlan = planConfirmation({ judgement: first, plain: samples, traced: [] }, 0.005, { minCalls: 50, maxSeconds: 10 });

  it('sees the per-batch artefact as a leak in batches (the reason a confirmation exists)', () => {
    expect(first.verdict).toBe('leak');
  });
  it('rules it out when one long run does not grow: ok, with both figures', () => {
    const c = judgeConfirmation(plan, bulk(plan.calls, 90_000, 90_000));
    expect(c.verdict).toBe('ok');
    expect(c.signals[0]?.ratio).toBe(0);
    const final = combineConfirmation(first, c);
    expect(final.verdict).toBe('ok');
    expect(final.reason).toContain('did not hold over one long run');
    expect(final.reason).toContain(`over one run of ${plan.calls} calls`);
  });
  it('confirms a leak that grows with calls', () => {
    const c = judgeConfirmation(plan, bulk(plan.calls, 90_000, 90_000 + 2 * plan.calls));
    expect(c.verdict).toBe('leak');
    expect(c.kind).toBe('python-objects');
    expect(combineConfirmation(first, c).verdict).toBe('leak');
  });
  it('is inconclusive, never ok, when the run cannot tell the threshold from its noise', () => {
    const noisy: ConfirmationPlan = { ...plan, calls: 10, signals: plan.signals.map((s) => ({ ...s, noise: 10 })) };
    const c = judgeConfirmation(noisy, bulk(10, 90_000, 90_000 + 5));
    expect(c.verdict).toBe('inconclusive');
    expect(combineConfirmation(first, c).verdict).toBe('inconclusive');
  });
  it('makes a leak without a confirmation inconclusive, and leaves an ok alone', () => {
    expect(combineConfirmation(first, null, 'crash: SIGSEGV').verdict).toBe('inconclusive');
    const ok = firstOf(plain(30, 2, 0, 0));
    expect(ok.verdict).toBe('ok');
    expect(combineConfirmation(ok, null)).toBe(ok);
  });
});
