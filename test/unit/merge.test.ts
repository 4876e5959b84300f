import { describe, expect, it } from 'vitest';
import { mergeReports } from '../../src/core/report.js';
import { leakResult, okResult, report } from '../support/reports.js';

describe('mergeReports', () => {
  it('keeps two overloads of one function from two shards, and flags the same overload measured twice', () => {
    const a = okResult({ function: 'window', overload: 'window(float list, int)' });
    const b = leakResult({ function: 'window', overload: 'window(float64[:,:], int)' });
    const { report: merged, problems } = mergeReports([report([a]), report([b])]);
    expect(merged.results.map((r) => r.overload)).toEqual(['window(float list, int)', 'window(float64[:,:], int)']);
    expect(problems).toEqual([]);
    const again = mergeReports([report([a]), report([a])]);
    expect(again.problems.map((p) => p.kind)).toEqual(['duplicate']);
  });
});
