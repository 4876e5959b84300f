/**
 * The search of `bisect` over an ordered list of points (releases or
 * commits), given a judge for one point. Pure: no I/O, no console; the judge
 * callback does the building and measuring.
 *
 * The two ends are judged first, at once. Their verdicts give the direction
 * (ok then leak: the leak was introduced; leak then ok: it was fixed), and the
 * search looks for the first point whose verdict is the newer end's. Points
 * that cannot be judged (do not build, crash, inconclusive) are skipped, as
 * `git bisect run` skips on exit 125. With `parallel` = 2 each round judges
 * two points at once, cutting the candidates in three instead of two.
 */

export type PointState = 'leak' | 'ok' | 'skip' | 'unjudged';

export interface Judgement {
  /** `skip`: the point does not build; `unjudged`: it built but gave no leak/ok verdict. */
  state: PointState;
  /** Why, for skip and unjudged (and a short description otherwise). */
  reason: string | null;
}

export interface BisectStep<J extends Judgement> {
  index: number;
  /** 1 for the two ends, then one per round of probes. */
  round: number;
  judgement: J;
}

export type Direction = 'introduced' | 'fixed';

export type BisectOutcome<J extends Judgement> =
  | { kind: 'found'; direction: Direction; first: number; steps: BisectStep<J>[]; rounds: number; cancelled: number[] }
  | { kind: 'ends-agree'; state: 'leak' | 'ok'; steps: BisectStep<J>[]; rounds: number; cancelled: number[] }
  | {
      kind: 'unjudged';
      /** What stopped the search. */
      reason: string;
      direction: Direction | null;
      /** When only skipped points are left: every point that may be the first. */
      candidates: number[];
      steps: BisectStep<J>[];
      rounds: number;
      /** Probes stopped because another point's verdict made them pointless. */
      cancelled: number[];
    };

export interface BisectOptions {
  /** Points judged at once per round (both cores: 2). */
  parallel: number;
  /**
   * Judge the two points at the boundary again at level 'boundary' when a probe
   * judged them: the answer then rests on the full verdict of both, and a
   * boundary point whose full verdict differs from its probe's moves the search on.
   */
  confirmBoundary?: boolean;
}

/**
 * How much a judgement must tell: `end` for --from and --to (the direction
 * rests on them), `probe` for the points in between (the cheapest measurement
 * that tells leak from ok will do), `boundary` for the full verdict of a point
 * next to the answer.
 */
export type JudgeLevel = 'end' | 'probe' | 'boundary';

export interface JudgeRequest {
  level: JudgeLevel;
  /** Aborted when another point's verdict makes this one pointless: stop and return (or throw) soon. */
  signal: AbortSignal;
}

/**
 * Which unknown candidates to judge next. `unknown` are the indices (ascending)
 * strictly between the last old point and the first new one that have not
 * been judged or skipped; the first new point is the answer unless one of
 * them is new too. With k probes the |unknown|+1 possible answers are cut into
 * k+1 parts of (nearly) equal size.
 */
export function chooseProbes(unknown: readonly number[], k: number): number[] {
  const u = unknown.length;
  if (u === 0 || k <= 0) return [];
  if (u <= k) return [...unknown];
  const answers = u + 1;
  const picks: number[] = [];
  for (let i = 1; i <= k; i += 1) {
    // 1-based rank in `unknown`: a probe at rank r splits the answers into r and answers - r.
    let rank = Math.round((i * answers) / (k + 1));
    rank = Math.max(1, Math.min(u, rank));
    const last = picks.length > 0 ? unknown.indexOf(picks[picks.length - 1] as number) + 1 : 0;
    if (rank <= last) rank = last + 1;
    if (rank > u) break;
    picks.push(unknown[rank - 1] as number);
  }
  return picks;
}

/**
 * Where to probe next while other points are still being judged: the
 * candidates are cut by the in-flight points into segments, one of which
 * holds the answer; probe the middle of the largest.
 */
export function chooseWithInFlight(unknown: readonly number[], inFlight: readonly number[]): number | null {
  if (unknown.length === 0) return null;
  const cuts = [...inFlight].sort((a, b) => a - b);
  let best: number[] = [];
  let segment: number[] = [];
  let c = 0;
  for (const i of unknown) {
    while (c < cuts.length && (cuts[c] as number) < i) {
      if (segment.length > best.length) best = segment;
      segment = [];
      c += 1;
    }
    segment.push(i);
  }
  if (segment.length > best.length) best = segment;
  return chooseProbes(best, 1)[0] ?? null;
}

/**
 * The search over `count` ordered points (index 0 is --from, count-1 is --to).
 * After the ends, up to `parallel` points are judged at a time; when one
 * finishes, the next probe starts at once (nothing waits for the slowest of a
 * round), chosen with the points still being judged taken into account. A
 * probe that another point's verdict leaves outside the range still open is
 * cancelled through its signal (its result, if any, is dropped). With
 * `confirmBoundary`, the two points at the boundary that only a probe judged
 * are judged again at level 'boundary' before the answer is given.
 * `round` numbers the launches: the ends are 1, each later launch one more.
 */
export async function bisect<J extends Judgement>(
  count: number,
  judge: (index: number, request: JudgeRequest) => Promise<J>,
  opts: BisectOptions,
): Promise<BisectOutcome<J>> {
  if (count < 2) throw new RangeError('bisect needs at least two points');
  const parallel = Math.max(1, Math.floor(opts.parallel));
  const steps: BisectStep<J>[] = [];
  const states = new Map<number, PointState>();
  /** Points whose state comes from a full judgement (the ends, and boundary points judged again). */
  const full = new Set<number>();
  const cancelled: number[] = [];
  let round = 0;

  interface Settled {
    index: number;
    level: JudgeLevel;
    round: number;
    /** null: cancelled. */
    judgement: J | null;
  }
  const inFlight = new Map<number, { level: JudgeLevel; controller: AbortController; done: Promise<Settled> }>();
  /** Judgements that have come back but are not yet taken into account. */
  const settled: Settled[] = [];
  const launch = (index: number, level: JudgeLevel, current: number): void => {
    const controller = new AbortController();
    const done = judge(index, { level, signal: controller.signal }).then(
      (judgement): Settled => ({ index, level, round: current, judgement: controller.signal.aborted ? null : judgement }),
      (error: unknown): Settled => {
        // Our own cancel: the probe is dropped. Anything else (Ctrl-C, a bug) reaches the caller.
        if (controller.signal.aborted) return { index, level, round: current, judgement: null };
        throw error;
      },
    );
    const tracked = done.then((d) => {
      settled.push(d);
      return d;
    });
    // A failure reaches the caller through Promise.race; the others must not go unhandled.
    tracked.catch(() => undefined);
    inFlight.set(index, { level, controller, done: tracked });
  };
  /** Take in every judgement that has come back by now. */
  const takeIn = (): void => {
    for (const d of settled.splice(0)) {
      inFlight.delete(d.index);
      if (d.judgement === null) {
        cancelled.push(d.index);
        continue;
      }
      steps.push({ index: d.index, round: d.round, judgement: d.judgement });
      if (d.level !== 'probe') full.add(d.index);
      states.set(d.index, d.judgement.state);
    }
  };
  /** Stop whatever is still running (its result no longer matters) and wait until it has. */
  const stopAll = async (): Promise<void> => {
    for (const f of inFlight.values()) f.controller.abort();
    await Promise.all([...inFlight.values()].map((f) => f.done));
    takeIn();
  };

  // Round 1: both ends at once (one after the other when parallel is 1).
  round = 1;
  if (parallel >= 2) {
    launch(0, 'end', 1);
    launch(count - 1, 'end', 1);
  } else {
    launch(0, 'end', 1);
    await inFlight.get(0)?.done;
    launch(count - 1, 'end', 1);
  }
  await Promise.all([...inFlight.values()].map((f) => f.done));
  takeIn();
  const from = states.get(0) as PointState;
  const to = states.get(count - 1) as PointState;
  for (const [end, state, name] of [
    [0, from, '--from'],
    [count - 1, to, '--to'],
  ] as const) {
    if (state !== 'leak' && state !== 'ok') {
      const why = steps.find((s) => s.index === end)?.judgement.reason ?? state;
      return { kind: 'unjudged', reason: `the ${name} end could not be judged: ${why}`, direction: null, candidates: [], steps, rounds: round, cancelled };
    }
  }
  if (from === to) return { kind: 'ends-agree', state: from as 'leak' | 'ok', steps, rounds: round, cancelled };
  const direction: Direction = from === 'ok' ? 'introduced' : 'fixed';
  const newState = to;

  for (;;) {
    // lo: last point known to have the old verdict before hi, the first with the new one.
    let hi = count - 1;
    for (const [i, s] of states) if (s === newState && i < hi) hi = i;
    let lo = 0;
    for (const [i, s] of states) if (s !== 'skip' && s !== 'unjudged' && s !== newState && i > lo && i < hi) lo = i;
    // Probes that the verdicts so far leave outside (lo, hi) cannot change the answer: stop them.
    for (const [i, f] of inFlight) if (f.level === 'probe' && (i <= lo || i >= hi)) f.controller.abort();
    const unknown: number[] = [];
    const skipped: number[] = [];
    const pending: number[] = [];
    for (let i = lo + 1; i < hi; i += 1) {
      const s = states.get(i);
      if (inFlight.has(i)) pending.push(i);
      else if (s === undefined) unknown.push(i);
      else skipped.push(i);
    }
    let launched: number[] = [];
    if (unknown.length === 0 && pending.length === 0) {
      if (skipped.length > 0) {
        await stopAll();
        return {
          kind: 'unjudged',
          reason: `only points that could not be judged are left: the first ${direction === 'introduced' ? 'leaking' : 'fixed'} point is one of ${skipped.length + 1}`,
          direction,
          candidates: [...skipped, hi],
          steps,
          rounds: round,
          cancelled,
        };
      }
      // The answer is hi, lo before it: both on a full verdict when asked for.
      const weak = opts.confirmBoundary === true ? [lo, hi].filter((i) => !full.has(i)) : [];
      if (weak.length === 0) {
        await stopAll();
        return { kind: 'found', direction, first: hi, steps, rounds: round, cancelled };
      }
      const toLaunch = weak.filter((i) => !inFlight.has(i));
      if (toLaunch.length > 0) {
        round += 1;
        for (const i of toLaunch) launch(i, 'boundary', round);
      }
    } else {
      // Start probes while cores are free: k at once when nothing relevant is running, else one by one.
      // (A cancelled probe holds its core until it has stopped, which takes moments: its process is killed.)
      const free = parallel - inFlight.size;
      launched = pending.length === 0 && free >= 2 ? chooseProbes(unknown, free) : (() => {
        const one = chooseWithInFlight(unknown, pending);
        return free > 0 && one !== null ? [one] : [];
      })();
      if (launched.length > 0) {
        round += 1;
        for (const index of launched) launch(index, 'probe', round);
      }
    }
    if (inFlight.size === 0) continue;
    await Promise.race([...inFlight.values()].map((f) => f.done));
    takeIn();
  }
}
