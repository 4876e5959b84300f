import { describe, expect, it } from 'vitest';
import { isInteresting, parseDriverLine, parseReleaseRange, smaller, type CandidateOutcome } from '../../src/core/reduce.js';
import type { Measurement } from '../../src/core/measure.js';

function measured(verdict: 'leak' | 'ok' | 'inconclusive', kind: string | null): CandidateOutcome {
  return { state: 'measured', measurement: { status: 'judged', judgement: { verdict, kind } } as unknown as Measurement };
}

describe('reduce, the pure part', () => {
  it('calls a candidate interesting only when it builds and leaks the same way', () => {
    expect(isInteresting('python-objects', measured('leak', 'python-objects'))).toBe(true);
    expect(isInteresting('python-objects', measured('leak', 'native-heap'))).toBe(false);
    expect(isInteresting('python-objects', measured('ok', null))).toBe(false);
    expect(isInteresting('python-objects', measured('inconclusive', null))).toBe(false);
    expect(isInteresting('native-heap', { state: 'not-built', reason: 'g++ failed' })).toBe(false);
    expect(isInteresting('native-heap', { state: 'no-call', reason: 'no plan' })).toBe(false);
  });

  it('ranks candidates by lines of function body, then lines of file', () => {
    expect(smaller({ bodyLines: 2, lines: 9 }, { bodyLines: 3, lines: 4 })).toBe(true);
    expect(smaller({ bodyLines: 2, lines: 4 }, { bodyLines: 2, lines: 5 })).toBe(true);
    expect(smaller({ bodyLines: 2, lines: 5 }, { bodyLines: 2, lines: 5 })).toBe(false);
  });

  it("checks the driver's messages", () => {
    expect(parseDriverLine('{"type":"candidate","id":"12-3","path":"/t/c/m.py","bodyLines":4,"lines":7,"assume":null}')).toMatchObject({ type: 'candidate', id: '12-3' });
    expect(parseDriverLine('{"type":"candidate","id":"../x","path":"/t","bodyLines":4,"lines":7,"assume":null}')).toBeNull();
    expect(parseDriverLine('{"type":"done"}')).toBeNull();
    expect(parseDriverLine('not json')).toBeNull();
  });

  it('reads a release range', () => {
    expect(parseReleaseRange('0.14.0..0.16.1')).toEqual({ from: '0.14.0', to: '0.16.1' });
    expect(parseReleaseRange('0.14.0')).toBeNull();
  });
});
