/**
 * `reduce`, the pure part: the search driver's messages (python/reduce_driver.py),
 * the interestingness decision, which candidate is smaller, the report of a
 * reduction (its JSON document) and the upstream-ready ISSUE.md. No I/O.
 */
import { z } from 'zod';
import { BisectReportSchema, type BisectReport } from './bisect-report.js';
import { compareVersions } from './compat.js';
import type { Measurement } from './measure.js';
import { EnvironmentSchema, KINDS, ResultSchema, type Result } from './report.js';
import type { LeakKind } from './verdict.js';

// ---------------------------------------------------------------- the driver's messages

export const DriverMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('candidate'),
    id: z.string().regex(/^[\w-]+$/),
    path: z.string().min(1),
    bodyLines: z.number().int().nonnegative(),
    lines: z.number().int().nonnegative(),
    /** A speculative candidate: asked on the assumption that this earlier one is not interesting. */
    assume: z.string().nullable(),
  }),
  z.object({ type: z.literal('done'), source: z.string() }),
  z.object({ type: z.literal('error'), kind: z.enum(['not-reproducible', 'driver']), message: z.string() }),
]);
export type DriverMessage = z.infer<typeof DriverMessageSchema>;
export type CandidateMessage = Extract<DriverMessage, { type: 'candidate' }>;

/** One line of the driver's stdout, checked; null for a line that is not one of its messages. */
export function parseDriverLine(line: string): DriverMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = DriverMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

// ---------------------------------------------------------------- interestingness

/**
 * What judging one candidate gave: it did not build, has no call, its arguments
 * make it fail uncompiled (outside its domain), or it was measured briefly.
 */
export type CandidateOutcome =
  | { state: 'not-built' | 'no-call' | 'outside-domain'; reason: string }
  | { state: 'measured'; measurement: Measurement };

/**
 * A candidate is interesting when it builds, its export line gives a call, and
 * plain Python accepts its arguments, and a short measurement finds a leak of
 * the same kind as the original's. (The
 * full verdict and the uncompiled control are for the end result only.)
 */
export function isInteresting(kind: LeakKind, outcome: CandidateOutcome): boolean {
  if (outcome.state !== 'measured') return false;
  const m = outcome.measurement;
  return m.status === 'judged' && m.judgement.verdict === 'leak' && m.judgement.kind === kind;
}

export interface Size {
  bodyLines: number;
  lines: number;
}

/** Fewer lines of function body first, then fewer lines in the whole file. */
export function smaller(a: Size, b: Size): boolean {
  return a.bodyLines !== b.bodyLines ? a.bodyLines < b.bodyLines : a.lines < b.lines;
}

/** `--releases 0.14.0..0.16.1`: the range of a release bisection; null when malformed. */
export function parseReleaseRange(text: string): { from: string; to: string } | null {
  const m = /^\s*([^.\s][^\s]*?)\.\.([^\s]+)\s*$/.exec(text);
  return m === null ? null : { from: m[1] as string, to: m[2] as string };
}

// ---------------------------------------------------------------- the report

export const REDUCE_SCHEMA_VERSION = 1;
const num = z.number().refine(Number.isFinite, 'must be finite');
const SizeSchema = z.object({ bodyLines: z.number().int(), lines: z.number().int() });

export const ReduceReportSchema = z.object({
  schemaVersion: z.literal(REDUCE_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('pythran-leakcheck'), version: z.string() }),
  command: z.literal('reduce'),
  target: z.string(),
  function: z.string(),
  environment: EnvironmentSchema,
  kind: z.enum(KINDS).describe('the kind of leak kept through the reduction'),
  outcome: z.enum(['reduced', 'unconfirmed']).describe("'reduced': the full verdict confirms the reduced repro leaks the same way and is ok uncompiled"),
  stopped: z.enum(['fixpoint', 'budget', 'interrupted']),
  fixpoint: z.boolean().describe('true when the search ended by itself: no smaller candidate of its kind is interesting'),
  seconds: num,
  budgetSeconds: num,
  candidates: z.object({ tried: z.number().int(), interesting: z.number().int(), notBuilt: z.number().int() }),
  original: SizeSchema.extend({ file: z.string(), result: ResultSchema }),
  reduced: SizeSchema.extend({ file: z.string(), source: z.string(), result: ResultSchema.nullable().describe('the full verdict of the reduced repro; null when interrupted before it') }),
  releases: BisectReportSchema.nullable(),
  reproduce: z.string().describe('the command that reproduces the leak of the reduced repro'),
  files: z.object({ repro: z.string(), report: z.string(), issue: z.string().nullable().describe('null when interrupted: ISSUE.md needs the full verdict') }),
});
export type ReduceReport = z.infer<typeof ReduceReportSchema>;

/** Whether the end result leaks as the original did, and only when compiled. */
export function confirmed(kind: LeakKind, result: Result): boolean {
  return result.verdict === 'leak' && result.kind === kind && result.diagnosis?.interpreted?.verdict === 'ok';
}

// ---------------------------------------------------------------- ISSUE.md

const KIND_WORDS: Record<LeakKind, string> = {
  'python-objects': 'Python objects',
  'native-heap': 'native heap memory',
  'argument-refcount': 'references to an argument',
};

function figure(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined) return '-';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  const shown = Number(x.toFixed(digits)) + 0; // + 0: no '-0'
  return Number.isInteger(shown) ? String(shown) : shown.toFixed(digits);
}

function signalLine(r: Result, name: string, label: string, unit: string): string | null {
  const s = r.signals[name];
  if (s?.perCall === null || s?.perCall === undefined) return null;
  return `| ${label} | ${figure(s.perCall)} ${unit} | [${figure(s.low)}, ${figure(s.high)}] | ${s.state} |`;
}

/** The release bisection in two lines: the first release that leaks and the last that does not. */
export function releaseLines(b: BisectReport): string[] {
  const label = (p: BisectReport['first']) => (p !== null && 'version' in p ? p.version : '?');
  if (b.outcome === 'ends-agree') {
    return [`Both ends of ${label(b.from)}..${label(b.to)} ${b.endsVerdict === 'leak' ? 'leak' : 'are ok'}: no release in the range changes it.`];
  }
  if (b.outcome !== 'found' || b.first === null) return [`The release bisection could not decide: ${b.message.split('\n')[0] ?? ''}`];
  const first = label(b.first);
  const before = b.steps
    .filter((s) => 'version' in s && compareVersions(s.version, first) < 0)
    .map((s) => ('version' in s ? s.version : ''))
    .sort(compareVersions)
    .at(-1);
  return b.direction === 'fixed'
    ? [`- last release that leaks: **${before ?? '?'}**`, `- first release without the leak: **${first}**`]
    : [`- first release that leaks: **${first}**`, `- last release without the leak: **${before ?? '?'}**`];
}

/** An upstream-ready report of the reduced repro. */
export function issueMarkdown(report: ReduceReport & { reduced: { result: Result } }): string {
  const r = report.reduced.result;
  const env = report.environment;
  const kind = report.kind;
  const bytes = kind === 'native-heap' ? r.bytesPerCall.native : (r.bytesPerCall.python ?? r.bytesPerCall.native);
  const objects = r.blocksPerCall;
  const perCall = [bytes !== null ? `${figure(bytes)} bytes` : null, kind === 'python-objects' && objects !== null ? `${figure(objects)} ${figure(objects) === '1' ? 'object' : 'objects'}` : null]
    .filter((x) => x !== null)
    .join(', ');
  const out: string[] = [];
  out.push(`# Pythran ${env.pythran.version} leaks ${KIND_WORDS[kind]} in \`${report.function}\` (${perCall} per call)`, '');
  out.push(
    `Every call of the function below, compiled with Pythran ${env.pythran.version}, leaves ${perCall} behind. The same function run as plain Python with NumPy does ${
      r.diagnosis?.interpreted?.verdict === 'ok' ? 'not leak' : `not give a clean result (${r.diagnosis?.interpreted?.verdict ?? 'not measured'})`
    }.`,
    '',
  );
  out.push('## Minimal repro', '', '```python', report.reduced.source.trimEnd(), '```', '');
  out.push(
    `Reduced automatically from ${report.original.bodyLines} to ${report.reduced.bodyLines} lines of function body (${report.original.file}; ${report.candidates.tried} candidates tried, ${
      report.fixpoint ? 'no smaller candidate leaks the same way' : `stopped by the ${report.stopped === 'budget' ? 'time budget' : 'user'} before a fixpoint`
    }).`,
    '',
  );
  out.push('## Versions', '', `- Pythran ${env.pythran.version}${env.pythran.commit !== null ? ` (${env.pythran.commit})` : ''}`, `- Python ${env.pythonVersion}`, `- numpy ${env.numpy}`, `- compiler: ${env.compiler}`);
  if (env.blas !== undefined) out.push(`- BLAS: ${env.blas}`);
  out.push('', '## Leak per call', '', `Verdict: ${r.verdict}${r.kind !== null ? ` (${r.kind})` : ''} — ${r.message ?? ''}`, '');
  const rows = [
    signalLine(r, 'python', 'Python heap (tracemalloc)', 'B'),
    signalLine(r, 'blocks', 'allocator blocks (objects)', 'blocks'),
    signalLine(r, 'native', 'native heap (malloc)', 'B'),
  ].filter((x): x is string => x !== null);
  if (rows.length > 0) out.push('| signal | per call | 95% interval | state |', '|---|---|---|---|', ...rows, '');
  const d = r.diagnosis;
  if (d !== null) {
    out.push('What is left alive per call:', '');
    if (d.types.length > 0) out.push(`- objects: ${d.types.map((t) => `${figure(t.perCall)} ${t.type}`).join(', ')}`);
    if (d.sizes.length > 0) out.push(`- blocks: ${d.sizes.map((s) => `${figure(s.perCall)} x ${s.size} B`).join(', ')}`);
    if (d.sites.length > 0) out.push(`- allocated at: ${d.sites.map((s) => `${s.where} (${figure(s.bytesPerCall)} B/call)`).join('; ')}`);
    if (d.buffer !== null) out.push(`- buffer: ${d.buffer}`);
    if (d.replicate !== null) out.push(`- confirmed in a fresh process: ${d.replicate.message}`);
    out.push('');
  }
  out.push('## Uncompiled control', '');
  out.push(
    d?.interpreted !== null && d?.interpreted !== undefined
      ? `The same function run uncompiled (plain Python + NumPy): **${d.interpreted.verdict}** — ${d.interpreted.message}.`
      : 'The uncompiled control was not run.',
    '',
  );
  if (report.releases !== null) {
    out.push('## Releases', '', ...releaseLines(report.releases), '', `(release bisection over ${report.releases.points} releases, ${report.releases.rounds} rounds)`, '');
  }
  out.push('## Reproduce', '', '```sh', report.reproduce, '```', '');
  out.push(`Measured with pythran-leakcheck ${report.tool.version}.`, '');
  return out.join('\n');
}
