/**
 * Drives one function's measurement: reads the harness's messages, judges
 * each phase after every batch, and tells the harness when a phase has seen
 * enough. It talks only to the `HarnessSession` interface, so recorded
 * streams replayed through a fake exercise exactly this code. No clock: the
 * budget is counted in the seconds the harness reports spending on calls.
 */
import { plainValues, readingNoise } from './confirm.js';
import type {
  BulkMessage,
  ErrorMessage,
  HarnessCommand,
  HarnessMessage,
  ParsedLine,
  PhaseName,
  PlainSample,
  SitesMessage,
  TracedSample,
} from './protocol.js';
import {
  judgeFunction,
  judgeSignal,
  phaseSettled,
  plainSeries,
  tracedSeries,
  type FunctionJudgement,
  type RuleOptions,
  type SignalJudgement,
  type Thresholds,
} from './verdict.js';

export interface SessionEnd {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The last lines the process wrote on stderr (user output, faulthandler stacks). */
  stderrTail: string;
}

/** One running harness, real (a Python subprocess) or fake (a recorded stream). */
export interface HarnessSession {
  lines(): AsyncIterable<ParsedLine>;
  send(command: HarnessCommand): void;
  /** Resolves once the process has ended (killing it first if it is still running after the stream ends). */
  finish(): Promise<SessionEnd>;
  kill(): void;
}

export interface MeasureOptions {
  thresholds: Thresholds;
  rule: RuleOptions;
  /** Seconds of calls allowed per function, over both phases. */
  budgetSeconds: number;
  /** Share of the budget the plain phase may use before the traced phase starts. */
  plainShare: number;
  /** Called once, as soon as the plain phase has found a leak (the traced phase still to come). */
  onPlainLeak?: (early: PlainLeak) => void;
}

/** What the plain phase knows when it has found a leak: enough to plan the leak's confirmation. */
export interface PlainLeak {
  judgement: FunctionJudgement;
  plain: PlainSample[];
  ready: ReadyMessage;
}

type HelloMessage = Extract<HarnessMessage, { type: 'hello' }>;
type ReadyMessage = Extract<HarnessMessage, { type: 'ready' }>;

export interface Samples {
  plain: PlainSample[];
  traced: TracedSample[];
}

export type Measurement =
  | {
      status: 'judged';
      judgement: FunctionJudgement;
      hello: HelloMessage;
      ready: ReadyMessage;
      samples: Samples;
      sites: SitesMessage | null;
      /** The confirmation run's two readings, when this process made one. */
      bulk: BulkMessage | null;
      /** Objects of each type left alive per call (plain phase, most common types), largest first. */
      types: Array<{ type: string; perCall: number }>;
      calls: number;
      seconds: number;
    }
  | { status: 'raised'; error: ErrorMessage; stderrTail: string }
  | { status: 'crash'; signal: string | null; exitCode: number | null; stderrTail: string; calls: number }
  | { status: 'timeout'; stderrTail: string; calls: number }
  | { status: 'broken'; reason: string; stderrTail: string };

export async function measure(session: HarnessSession, opts: MeasureOptions): Promise<Measurement> {
  let hello: HelloMessage | null = null;
  let ready: ReadyMessage | null = null;
  let error: ErrorMessage | null = null;
  let done = false;
  let broken: string | null = null;
  let phase: PhaseName | null = null;
  let nextSent = false;
  const samples: Samples = { plain: [], traced: [] };
  const spent: Record<PhaseName, number> = { plain: 0, traced: 0 };

  let sites: SitesMessage | null = null;
  let bulk: BulkMessage | null = null;
  let batchAsked = 0;
  const warmedUp = () => (ready === null ? 0 : ready.warmupCalls * ready.callSeconds);
  const judgePhase = (p: PhaseName): SignalJudgement[] =>
    (p === 'plain' ? plainSeries(samples.plain, opts.thresholds) : tracedSeries(samples.traced, opts.thresholds)).map((s) =>
      // The plateau guard counts every call the process has made: the warm-up, then the plain
      // phase, then the traced one.
      judgeSignal(s, opts.rule, warmedUp() + spent.plain + (p === 'traced' ? spent.traced : 0)),
    );
  // Once the plain phase has found a leak, the traced phase only needs enough batches for its figure.
  let plainLeaked = false;
  const settled = (p: PhaseName): boolean => {
    if (p === 'traced' && plainLeaked) return samples.traced.length > opts.rule.minRates;
    const done = phaseSettled(judgePhase(p));
    if (p === 'plain' && done) plainLeaked = judgePhase('plain').some((j) => j.decisive && j.state === 'leak');
    return done;
  };

  for await (const line of session.lines()) {
    if (!line.ok) {
      broken = line.reason;
      session.kill();
      break;
    }
    const msg = line.message;
    switch (msg.type) {
      case 'hello':
        hello = msg;
        break;
      case 'ready':
        ready = msg;
        break;
      case 'phase':
        phase = msg.phase;
        nextSent = false;
        break;
      case 'sample': {
        if (msg.phase !== phase) {
          broken = `sample for phase '${msg.phase}' during phase '${phase ?? 'none'}'`;
          session.kill();
          break;
        }
        // A reading the harness sent before it read "next" is not judged: the phase's verdict is
        // the one the tool decided on (a late reading under load once turned a settled ok into
        // an inconclusive).
        if (nextSent) break;
        if (msg.phase === 'plain') samples.plain.push(msg);
        else samples.traced.push(msg);
        spent[msg.phase] = msg.seconds;
        if (msg.phase === 'plain' && ready !== null) {
          const ask = batchForNoise(samples.plain, judgePhase('plain'), ready.callSeconds, opts.budgetSeconds * opts.plainShare);
          if (ask > batchAsked) {
            batchAsked = ask;
            session.send(`batch ${ask}`);
          }
        }
        const allowed =
          msg.phase === 'plain' ? opts.budgetSeconds * opts.plainShare : Math.max(opts.budgetSeconds - spent.plain, opts.budgetSeconds * (1 - opts.plainShare));
        if (settled(msg.phase) || msg.seconds >= allowed) {
          session.send('next');
          nextSent = true;
          if (msg.phase === 'plain' && plainLeaked && ready !== null) opts.onPlainLeak?.({ judgement: judgeFunction(judgePhase('plain')), plain: [...samples.plain], ready });
        }
        break;
      }
      case 'error':
        error = msg;
        break;
      case 'sites':
        sites = msg;
        break;
      case 'bulk':
        bulk = msg;
        break;
      case 'done':
        done = true;
        break;
    }
    if (broken !== null || done || error !== null) break;
  }
  const end = await session.finish();
  const calls = (samples.plain.at(-1)?.calls ?? 0) + (samples.traced.at(-1)?.calls ?? 0);

  if (error !== null) return { status: 'raised', error, stderrTail: end.stderrTail };
  if (end.timedOut) return { status: 'timeout', stderrTail: end.stderrTail, calls };
  if (broken !== null) return { status: 'broken', reason: broken, stderrTail: end.stderrTail };
  if (!done) {
    if (end.signal !== null || (end.exitCode !== null && end.exitCode !== 0)) {
      return { status: 'crash', signal: end.signal, exitCode: end.exitCode, stderrTail: end.stderrTail, calls };
    }
    return { status: 'broken', reason: 'the harness stopped without finishing', stderrTail: end.stderrTail };
  }
  if (hello === null || ready === null) {
    return { status: 'broken', reason: 'the harness finished without describing itself', stderrTail: end.stderrTail };
  }
  // Only the phases that ran have a say: a replicate may run the plain phase alone.
  const ran = (p: PhaseName) => samples[p].length > 0;
  const signals = [...(ran('plain') ? judgePhase('plain') : []), ...(ran('traced') ? judgePhase('traced') : [])];
  return {
    status: 'judged',
    judgement: judgeFunction(signals),
    hello,
    ready,
    samples,
    sites,
    bulk,
    types: typeGrowth(samples.plain),
    calls,
    seconds: spent.plain + spent.traced,
  };
}

/** Batches of the plain phase are checked for noise at these sample counts. */
const NOISE_CHECKS = new Set([6, 12, 24]);
/** Batches wanted over the rest of the phase: the batch size must leave room for this many. */
const BATCHES_WANTED = 16;

/**
 * The smallest batch that lets a leak at the threshold stand out of a signal's reading noise
 * (twice the noise over one batch), for the noisiest undecided signal, within the phase's
 * time: the number of calls comes from the call time and the noise, not from a fixed size.
 * 0 when nothing needs to change.
 */
export function batchForNoise(plain: readonly PlainSample[], judged: readonly SignalJudgement[], callSeconds: number, phaseSeconds: number): number {
  if (!NOISE_CHECKS.has(plain.length)) return 0;
  const calls = plain.map((s) => s.calls);
  let want = 0;
  for (const j of judged) {
    if (!j.decisive || j.state !== 'undecided' || j.name === 'python') continue;
    const noise = readingNoise(calls, plainValues(j.name, plain));
    if (Number.isFinite(noise)) want = Math.max(want, Math.ceil((2 * noise) / j.threshold));
  }
  const cap = Math.max(1, Math.floor(phaseSeconds / BATCHES_WANTED / Math.max(callSeconds, 1e-9)));
  return want > 1 ? Math.min(want, cap) : 0;
}

/** Surviving objects per call by type, over the plain phase (the first batch included: it is measured too). */
export function typeGrowth(plain: readonly PlainSample[]): Array<{ type: string; perCall: number }> {
  const calls = plain.at(-1)?.calls ?? 0;
  if (calls === 0) return [];
  const totals = new Map<string, number>();
  for (const s of plain) for (const [t, n] of Object.entries(s.types ?? {})) totals.set(t, (totals.get(t) ?? 0) + n);
  return [...totals.entries()]
    .map(([type, n]) => ({ type, perCall: n / calls }))
    .sort((a, b) => b.perCall - a.perCall);
}
