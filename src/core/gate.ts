/**
 * The upgrade gate: compare the results of the same repros on a baseline and
 * a candidate Pythran, function by function, and decide whether the candidate
 * regresses. Pure.
 *
 * A regression is a function `ok` on the baseline and `leak` on the
 * candidate, or a leak on both whose bytes per call grew beyond the
 * tolerance, unless the repros' expectations list it as a known leak of the
 * candidate. A leak on the baseline that is `ok` on the candidate is reported
 * as fixed. Anything that is not `leak` or `ok` on either side cannot be
 * judged, and a gate that judged nothing never passes.
 */
import { z } from 'zod';
import { categoryOfErrorType } from '../errors.js';
import { EnvironmentSchema, functionLabel, KINDS, VERDICTS, type Result } from './report.js';

export const GATE_STATUSES = ['new-leak', 'grew', 'fixed', 'known-leak', 'still-leaks', 'shrank', 'ok', 'unjudged', 'bad-input'] as const;
export type GateStatus = (typeof GATE_STATUSES)[number];

/** Statuses that fail the gate with exit 1. */
export const REGRESSIONS: readonly GateStatus[] = ['new-leak', 'grew'];

export type GateOutcome = 'pass' | 'regression' | 'usage' | 'unjudged';

export interface Tolerance {
  /** Growth of bytes per call, in percent of the baseline's, that still passes. */
  percent: number;
  /** Growth below this many bytes per call always passes (the leak threshold). */
  bytes: number;
}

const num = z.number().refine(Number.isFinite, 'must be finite');

export const GateSideSchema = z.object({
  verdict: z.enum(VERDICTS).nullable().describe('null when the function is missing from this side'),
  kind: z.enum(KINDS).nullable(),
  bytesPerCall: num.nullable().describe('the leak size compared: the larger of the python and native heap growth, else RSS'),
  message: z.string().nullable(),
});
export type GateSide = z.infer<typeof GateSideSchema>;

export const GateRowSchema = z.object({
  file: z.string(),
  function: z.string().nullable(),
  status: z.enum(GATE_STATUSES),
  baseline: GateSideSchema,
  candidate: GateSideSchema,
  note: z.string(),
});
export type GateRow = z.infer<typeof GateRowSchema>;

export const GateSummarySchema = z.object({
  regressions: z.number().int(),
  fixed: z.number().int(),
  knownLeaks: z.number().int(),
  unchanged: z.number().int(),
  unjudged: z.number().int(),
});

export const GateEndSchema = z.object({
  spec: z.string().describe('what was asked for: a release, or a commit of --repo'),
  environment: EnvironmentSchema.nullable(),
});

export const GATE_SCHEMA_VERSION = 1;

export const GateReportSchema = z.object({
  schemaVersion: z.literal(GATE_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('pythran-leakcheck'), version: z.string() }),
  command: z.literal('gate'),
  outcome: z.enum(['pass', 'regression', 'usage', 'unjudged']),
  baseline: GateEndSchema,
  candidate: GateEndSchema,
  tolerance: z.object({ percent: num, bytes: num }),
  summary: GateSummarySchema,
  functions: z.array(GateRowSchema),
});
export type GateReport = z.infer<typeof GateReportSchema>;

/** The size of a leak that the gate compares: heap growth seen by tracemalloc or malloc, else RSS. */
export function leakSize(r: Pick<Result, 'bytesPerCall'>): number | null {
  const heap = [r.bytesPerCall.python, r.bytesPerCall.native].filter((x): x is number => x !== null);
  if (heap.length > 0) return Math.max(...heap);
  return r.bytesPerCall.rss;
}

function side(r: Result | undefined): GateSide {
  if (r === undefined) return { verdict: null, kind: null, bytesPerCall: null, message: 'missing from this run' };
  return { verdict: r.verdict, kind: r.kind, bytesPerCall: r.verdict === 'leak' ? leakSize(r) : null, message: r.message };
}

/** Results are matched by file and function, and by signature for a function exported several times. */
function keyOf(r: Pick<Result, 'file' | 'function' | 'overload'>): string {
  return `${r.file}::${functionLabel(r) ?? ''}`;
}

function isBadInput(r: Result | undefined): boolean {
  return r !== undefined && r.verdict === 'error' && r.errorType !== null && r.errorType !== 'FunctionRaised' && categoryOfErrorType(r.errorType) === 'usage';
}

function fmt(bytes: number | null): string {
  return bytes === null ? '?' : `${bytes >= 100 ? Math.round(bytes) : Number(bytes.toPrecision(3))} B/call`;
}

/**
 * Compare two runs. `knownOnCandidate` holds the keys (`file::function`, as
 * in the results) that the expectations list as leaking on the candidate.
 */
export function compareRuns(
  baseline: readonly Result[],
  candidate: readonly Result[],
  knownOnCandidate: ReadonlySet<string>,
  tolerance: Tolerance,
): GateRow[] {
  const order: string[] = [];
  const base = new Map<string, Result>();
  const cand = new Map<string, Result>();
  for (const r of baseline) {
    if (r.verdict === 'skipped') continue; // nothing to measure in that file, on either side
    if (!base.has(keyOf(r))) order.push(keyOf(r));
    base.set(keyOf(r), r);
  }
  for (const r of candidate) {
    if (r.verdict === 'skipped') continue;
    if (!base.has(keyOf(r)) && !cand.has(keyOf(r))) order.push(keyOf(r));
    cand.set(keyOf(r), r);
  }
  return order.map((key): GateRow => {
    const b = base.get(key);
    const c = cand.get(key);
    const any = (b ?? c) as Result;
    const row = (status: GateStatus, note: string): GateRow => ({
      file: any.file,
      function: functionLabel(any),
      status,
      baseline: side(b),
      candidate: side(c),
      note,
    });
    if (isBadInput(b) || isBadInput(c)) return row('bad-input', (isBadInput(c) ? c : b)?.message ?? 'bad input');
    if (b === undefined || c === undefined) return row('unjudged', `missing from the ${b === undefined ? 'baseline' : 'candidate'} run`);
    const judged = (r: Result) => r.verdict === 'leak' || r.verdict === 'ok';
    if (!judged(b) || !judged(c)) {
      const which = !judged(b) && !judged(c) ? 'either side' : !judged(b) ? 'the baseline' : 'the candidate';
      const bad = judged(b) ? c : b;
      return row('unjudged', `no verdict on ${which}: ${bad.verdict}${bad.message !== null ? ` (${bad.message.split('\n')[0]})` : ''}`);
    }
    const known = knownOnCandidate.has(key);
    if (b.verdict === 'ok' && c.verdict === 'ok') return row('ok', 'no leak on either side');
    if (b.verdict === 'leak' && c.verdict === 'ok') return row('fixed', `leaked ${fmt(leakSize(b))} on the baseline; no leak on the candidate`);
    if (b.verdict === 'ok' && c.verdict === 'leak') {
      if (known) return row('known-leak', `leaks ${fmt(leakSize(c))} on the candidate, a known leak of that release (expectations)`);
      return row('new-leak', `no leak on the baseline; leaks ${fmt(leakSize(c))} on the candidate`);
    }
    // Both leak.
    const bs = leakSize(b);
    const cs = leakSize(c);
    if (bs !== null && cs !== null) {
      const grew = cs - bs > tolerance.bytes && cs > bs * (1 + tolerance.percent / 100);
      if (grew) {
        if (known) return row('known-leak', `grew from ${fmt(bs)} to ${fmt(cs)}, a known leak of the candidate (expectations)`);
        return row('grew', `grew from ${fmt(bs)} to ${fmt(cs)} (tolerance ${tolerance.percent}% and ${tolerance.bytes} B/call)`);
      }
      const shrank = bs - cs > tolerance.bytes && bs > cs * (1 + tolerance.percent / 100);
      if (shrank) return row('shrank', `shrank from ${fmt(bs)} to ${fmt(cs)}`);
    }
    return row('still-leaks', `leaks on both: ${fmt(bs)} then ${fmt(cs)}`);
  });
}

export function summarize(rows: readonly GateRow[]): z.infer<typeof GateSummarySchema> {
  const count = (...s: GateStatus[]) => rows.filter((r) => s.includes(r.status)).length;
  return {
    regressions: count(...REGRESSIONS),
    fixed: count('fixed'),
    knownLeaks: count('known-leak'),
    unchanged: count('ok', 'still-leaks', 'shrank'),
    unjudged: count('unjudged', 'bad-input'),
  };
}

/** Bad input wins over anything unjudged, which wins over a regression: an incomplete gate never passes. */
export function gateOutcome(rows: readonly GateRow[]): GateOutcome {
  if (rows.some((r) => r.status === 'bad-input')) return 'usage';
  if (rows.length === 0 || rows.some((r) => r.status === 'unjudged')) return 'unjudged';
  if (rows.some((r) => REGRESSIONS.includes(r.status))) return 'regression';
  return 'pass';
}
