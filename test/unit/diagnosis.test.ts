import { describe, expect, it } from 'vitest';
import { describeDiagnosis, diagnose, likelyBuffer } from '../../src/core/diagnosis.js';
import { measure } from '../../src/core/measure.js';
import { DEFAULT_RULE, DEFAULT_THRESHOLDS } from '../../src/core/verdict.js';
import { replay } from '../support/fake-session.js';

const opts = { thresholds: DEFAULT_THRESHOLDS, rule: DEFAULT_RULE, budgetSeconds: 10, plainShare: 0.6 };

describe('naming the seed leak from a recorded stream (Pythran 0.15.0, simpler_leak)', () => {
  it('finds two slices and a tuple left alive per call, in three 56-byte blocks', async () => {
    const first = await measure(replay('leaky'), opts);
    const d = diagnose({ first, confirmation: null, interpreted: null, scaled: null });
    expect(d).not.toBeNull();
    const types = Object.fromEntries((d?.types ?? []).map((t) => [t.type, t.perCall]));
    expect(types.slice).toBeCloseTo(2, 1);
    expect(types.tuple).toBeCloseTo(1, 1);
    expect(d?.sizes[0]?.size).toBe(56);
    expect(d?.sizes[0]?.perCall).toBeCloseTo(3, 1);
    const lines = describeDiagnosis(d!, 'leak');
    expect(lines[0]).toBe('left alive per call: 2.0 slice, 1.0 tuple');
  });

  it('says the leak exists only when compiled when the uncompiled control is ok', async () => {
    const first = await measure(replay('leaky'), opts);
    const control = await measure(replay('flat'), opts);
    const d = diagnose({ first, confirmation: null, interpreted: control, scaled: null });
    expect(describeDiagnosis(d!, 'leak').at(-1)).toContain('the leak exists only when compiled by Pythran');
  });
});

describe('likelyBuffer', () => {
  it('matches a native leak to the array of about that size', () => {
    expect(likelyBuffer(8016, ['ndarray float64[1000]', '3'], [8000, null], 'None', null)).toContain('argument 1 (ndarray float64[1000], 8000 B)');
    expect(likelyBuffer(8016, ['3'], [null], 'ndarray float64[1000]', 8000)).toContain('the returned value');
  });
  it('says nothing when no array is close', () => {
    expect(likelyBuffer(80, ['ndarray float64[1000]'], [8000], 'None', null)).toBeNull();
  });
});
