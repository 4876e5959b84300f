import { describe, expect, it } from 'vitest';
import { bisect, chooseProbes, chooseWithInFlight, type Judgement, type JudgeRequest, type PointState } from '../../src/core/bisect.js';

/** A judge over fixed states that records the rounds in which it was called. */
function fakeJudge(states: PointState[]) {
  const calls: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const judge = async (i: number): Promise<Judgement> => {
    calls.push(i);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight -= 1;
    const state = states[i];
    if (state === undefined) throw new Error(`judged ${i}, out of range`);
    return { state, reason: null };
  };
  return { judge, calls, maxInFlight: () => maxInFlight };
}

/** States for `n` points where the first `first` are `before` and the rest `after`. */
function stepStates(n: number, first: number, before: PointState, after: PointState): PointState[] {
  return Array.from({ length: n }, (_, i) => (i < first ? before : after));
}

describe('chooseProbes', () => {
  it('cuts the answers in three with two probes', () => {
    // 8 unknown candidates, 9 possible answers: probes at ranks 3 and 6.
    expect(chooseProbes([1, 2, 3, 4, 5, 6, 7, 8], 2)).toEqual([3, 6]);
  });
  it('cuts in two with one probe', () => {
    expect(chooseProbes([1, 2, 3, 4, 5, 6, 7], 1)).toEqual([4]);
  });
  it('probes every candidate when there are no more than probes', () => {
    expect(chooseProbes([4, 9], 2)).toEqual([4, 9]);
    expect(chooseProbes([4], 2)).toEqual([4]);
    expect(chooseProbes([], 2)).toEqual([]);
  });
  it('returns distinct, ascending candidates', () => {
    for (let u = 1; u < 40; u += 1) {
      const unknown = Array.from({ length: u }, (_, i) => i * 2 + 1);
      const picks = chooseProbes(unknown, 2);
      expect(new Set(picks).size).toBe(picks.length);
      expect([...picks].sort((a, b) => a - b)).toEqual(picks);
      for (const p of picks) expect(unknown).toContain(p);
    }
  });
});

describe('chooseWithInFlight', () => {
  it('probes the middle of the largest segment left by the points being judged', () => {
    // 1..20 unknown, 5 being judged: the segment 6..20 is the larger one.
    const unknown = Array.from({ length: 20 }, (_, i) => i + 1).filter((i) => i !== 5);
    const pick = chooseWithInFlight(unknown, [5]);
    expect(pick).toBeGreaterThanOrEqual(12);
    expect(pick).toBeLessThanOrEqual(14);
  });
  it('without points in flight, bisects', () => {
    expect(chooseWithInFlight([1, 2, 3, 4, 5, 6, 7], [])).toBe(4);
  });
  it('returns null when nothing is left', () => {
    expect(chooseWithInFlight([], [3])).toBeNull();
  });
});

describe('bisect', () => {
  it('finds the first point that fixed a leak, for every position, two at a time', async () => {
    for (let first = 1; first < 12; first += 1) {
      const { judge } = fakeJudge(stepStates(12, first, 'leak', 'ok'));
      const out = await bisect(12, judge, { parallel: 2 });
      expect(out.kind).toBe('found');
      if (out.kind !== 'found') return;
      expect(out.direction).toBe('fixed');
      expect(out.first).toBe(first);
    }
  });

  it('finds the first point that introduced a leak, one at a time', async () => {
    for (let first = 1; first < 10; first += 1) {
      const out = await bisect(10, fakeJudge(stepStates(10, first, 'ok', 'leak')).judge, { parallel: 1 });
      expect(out).toMatchObject({ kind: 'found', direction: 'introduced', first });
    }
  });

  it('judges both ends first, at once', async () => {
    const f = fakeJudge(stepStates(30, 17, 'leak', 'ok'));
    const out = await bisect(30, f.judge, { parallel: 2 });
    expect(f.calls.slice(0, 2).sort((a, b) => a - b)).toEqual([0, 29]);
    expect(out.steps.filter((s) => s.round === 1).map((s) => s.index).sort((a, b) => a - b)).toEqual([0, 29]);
    expect(f.maxInFlight()).toBe(2);
  });

  it('two at a time takes less (virtual) time than one at a time over 41 points', async () => {
    // A virtual clock: every judgement takes one unit; time moves only when nothing else can run.
    const simulate = async (first: number, parallel: number) => {
      const states = stepStates(41, first, 'leak', 'ok');
      let now = 0;
      let pending: Array<{ at: number; resolve: () => void }> = [];
      const judge = (i: number) =>
        new Promise<Judgement>((resolve) => pending.push({ at: now + 1, resolve: () => resolve({ state: states[i] as PointState, reason: null }) }));
      let finished = false;
      const run = bisect(41, judge, { parallel }).then((out) => {
        finished = true;
        return out;
      });
      while (!finished) {
        await new Promise((r) => setImmediate(r));
        if (finished || pending.length === 0) continue;
        now = Math.min(...pending.map((p) => p.at));
        const due = pending.filter((p) => p.at === now);
        pending = pending.filter((p) => p.at !== now);
        for (const p of due) p.resolve();
      }
      expect(await run).toMatchObject({ kind: 'found', first });
      return now;
    };
    const two: number[] = [];
    const one: number[] = [];
    for (let first = 1; first < 41; first += 1) {
      two.push(await simulate(first, 2));
      one.push(await simulate(first, 1));
    }
    // 40 possible answers. One at a time: 2 units for the ends, then 5 or 6.
    // Two at a time: 1 for the ends, then at most 4.
    expect(Math.max(...one)).toBe(8);
    expect(Math.max(...two)).toBe(5);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(two)).toBeLessThan(0.7 * mean(one));
  });

  it('never judges a point twice', async () => {
    for (let first = 1; first < 25; first += 1) {
      const f = fakeJudge(stepStates(25, first, 'ok', 'leak'));
      await bisect(25, f.judge, { parallel: 2 });
      expect(new Set(f.calls).size).toBe(f.calls.length);
    }
  });

  it('reports both ends agreeing without searching', async () => {
    const f = fakeJudge(stepStates(9, 0, 'ok', 'leak'));
    const out = await bisect(9, f.judge, { parallel: 2 });
    expect(out).toMatchObject({ kind: 'ends-agree', state: 'leak' });
    expect(f.calls).toHaveLength(2);
  });

  it('cannot judge when an end does not build', async () => {
    const states = stepStates(9, 4, 'leak', 'ok');
    states[8] = 'skip';
    const out = await bisect(9, fakeJudge(states).judge, { parallel: 2 });
    expect(out.kind).toBe('unjudged');
    if (out.kind === 'unjudged') expect(out.reason).toContain('--to');
  });

  it('skips points that do not build and still finds the answer next to them', async () => {
    // Fixed at 6; 3, 4 and 5 do not build (but 2 leaks and 6 is ok).
    const states: PointState[] = ['leak', 'leak', 'leak', 'skip', 'skip', 'skip', 'ok', 'ok', 'ok', 'ok'];
    const out = await bisect(10, fakeJudge(states).judge, { parallel: 2 });
    // The first fixed point is 6 only if 3-5 were fixed later; as with git bisect, the
    // skipped points leave the answer open between them.
    expect(out.kind).toBe('unjudged');
    if (out.kind === 'unjudged') expect(out.candidates).toEqual([3, 4, 5, 6]);
  });

  it('a skipped point beside the answer does not hide it', async () => {
    const states: PointState[] = ['ok', 'ok', 'skip', 'ok', 'ok', 'leak', 'skip', 'leak', 'leak', 'leak', 'leak'];
    const out = await bisect(11, fakeJudge(states).judge, { parallel: 2 });
    expect(out).toMatchObject({ kind: 'found', direction: 'introduced', first: 5 });
  });

  it('treats an unjudged middle point like a skipped one', async () => {
    const states: PointState[] = ['leak', 'leak', 'leak', 'leak', 'unjudged', 'ok', 'ok', 'ok'];
    const out = await bisect(8, fakeJudge(states).judge, { parallel: 2 });
    expect(out.kind).toBe('unjudged');
    if (out.kind === 'unjudged') expect(out.candidates).toEqual([4, 5]);
  });

  it('works on two points', async () => {
    const out = await bisect(2, fakeJudge(['ok', 'leak']).judge, { parallel: 2 });
    expect(out).toMatchObject({ kind: 'found', first: 1, direction: 'introduced', rounds: 1 });
  });

  it('refuses fewer than two points', async () => {
    await expect(bisect(1, fakeJudge(['ok']).judge, { parallel: 2 })).rejects.toThrow(RangeError);
  });

  it('cancels a probe that another point makes pointless, and drops its result', async () => {
    // 0..9, the first leak at 2. Probes at 3 and 6: 3 leaks fast, which leaves 6 outside the
    // range still open; 6 is slow and must be stopped, not waited for.
    const states = stepStates(10, 2, 'ok', 'leak');
    const stopped: number[] = [];
    const levels: Array<[number, string]> = [];
    const judge = (i: number, req: JudgeRequest): Promise<Judgement> =>
      new Promise((resolve, reject) => {
        levels.push([i, req.level]);
        const ms = i === 6 ? 10_000 : 1;
        const timer = setTimeout(() => resolve({ state: states[i] as PointState, reason: null }), ms);
        req.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          stopped.push(i);
          reject(new Error('cancelled'));
        });
      });
    const t0 = Date.now();
    const out = await bisect(10, judge, { parallel: 2, confirmBoundary: true });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out.kind).toBe('found');
    if (out.kind !== 'found') return;
    expect(out.first).toBe(2);
    expect(stopped).toContain(6);
    expect(out.cancelled).toContain(6);
    expect(out.steps.some((s) => s.index === 6)).toBe(false);
    // The ends at level 'end', the others as probes, and the boundary points (1 and 2) judged again in full.
    expect(levels.filter(([, l]) => l === 'end').map(([i]) => i).sort((a, b) => a - b)).toEqual([0, 9]);
    expect(levels.filter(([, l]) => l === 'boundary').map(([i]) => i).sort((a, b) => a - b)).toEqual([1, 2]);
  });

  it('moves on when a boundary point\'s full verdict differs from its probe', async () => {
    // Probes call 4 a leak; its full verdict is ok, so the first leak is 5.
    const states = stepStates(10, 5, 'ok', 'leak');
    const judge = async (i: number, req: JudgeRequest): Promise<Judgement> => {
      await new Promise((r) => setTimeout(r, 1));
      const state = i === 4 && req.level === 'probe' ? 'leak' : (states[i] as PointState);
      return { state, reason: null };
    };
    const out = await bisect(10, judge, { parallel: 2, confirmBoundary: true });
    expect(out.kind).toBe('found');
    if (out.kind === 'found') expect(out.first).toBe(5);
  });
});
