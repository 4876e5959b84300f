import { describe, expect, it } from 'vitest';
import { batchRates, mean, meanInterval, median, stdev, tQuantile } from '../../src/core/stats.js';

describe('batchRates', () => {
  it('gives growth per call between successive cumulative samples', () => {
    expect(batchRates([100, 400, 700, 1000], [0, 100, 200, 300])).toEqual([3, 3, 3]);
  });
  it('handles uneven batches and skips empty ones', () => {
    expect(batchRates([0, 10, 10, 40], [0, 10, 10, 40])).toEqual([1, 1]);
  });
  it('is empty below two samples', () => {
    expect(batchRates([5], [1])).toEqual([]);
  });
});

describe('mean, stdev, median', () => {
  it('computes the usual figures', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(stdev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138, 3);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(mean([]))).toBe(true);
  });
});

describe('tQuantile', () => {
  it('matches Student-t tables', () => {
    expect(tQuantile(0.95, 5)).toBeCloseTo(2.5706, 3);
    expect(tQuantile(0.95, 30)).toBeCloseTo(2.0423, 3);
    expect(tQuantile(0.99, 10)).toBeCloseTo(3.1693, 3);
  });
});

describe('meanInterval', () => {
  it('is exact for constant rates (an exact leak)', () => {
    const iv = meanInterval([168, 168, 168, 168, 168, 168]);
    expect(iv).toEqual({ estimate: 168, low: 168, high: 168, n: 6 });
  });
  it('has the t half-width for noisy rates', () => {
    const xs = [1, 2, 3, 4, 5, 6];
    const iv = meanInterval(xs, 0.95);
    const half = 2.5706 * (stdev(xs) / Math.sqrt(6));
    expect(iv.estimate).toBe(3.5);
    expect(iv.low).toBeCloseTo(3.5 - half, 3);
    expect(iv.high).toBeCloseTo(3.5 + half, 3);
  });
  it('is unbounded with fewer than two observations', () => {
    expect(meanInterval([3]).low).toBe(-Infinity);
    expect(meanInterval([3]).high).toBe(Infinity);
  });
});
