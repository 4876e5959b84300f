/**
 * The HTML report's input: a run's report, a gate comparison or a bisect
 * log, each with its zod schema (the page validates its input first).
 */
import { z } from 'zod';
import { EnvironmentSchema, ReportSchema, ResultSchema, VERDICTS, type Report } from '../../core/report.js';


export const GATE_STATUSES = ['regression', 'fixed', 'same', 'known', 'unjudged'] as const;
export type GateStatus = (typeof GATE_STATUSES)[number];

/** One side of a gate comparison: a label to show ("Pythran 0.15.0", "main@1a2b3c") and the environment it ran in. */
export const GateSideSchema = z.object({
  label: z.string(),
  environment: EnvironmentSchema.nullable(),
});
export type GateSide = z.infer<typeof GateSideSchema>;

/**
 * One function in a gate comparison. `baseline`/`candidate` are that side's
 * result, or null when the function was not run there (absent on that side).
 */
export const GateRowSchema = z.object({
  file: z.string(),
  function: z.string().nullable(),
  baseline: ResultSchema.nullable(),
  candidate: ResultSchema.nullable(),
  status: z.enum(GATE_STATUSES),
  /** Why, when there is more to say (for `known`: the expectation or issue that covers it). */
  note: z.string().nullable().optional(),
});
export type GateRow = z.infer<typeof GateRowSchema>;

export const GateComparisonSchema = z.object({
  baseline: GateSideSchema,
  candidate: GateSideSchema,
  rows: z.array(GateRowSchema),
});
export type GateComparison = z.infer<typeof GateComparisonSchema>;

export const BISECT_STEP_VERDICTS = VERDICTS;

/** One point a bisection tried, in the order tried. */
export const BisectStepSchema = z.object({
  /** The point's label: a release ("0.16.0") or a commit ("1a2b3c4"). */
  point: z.string(),
  /** The target's verdict there; `skipped` when the point could not be tested (it did not build, say). */
  verdict: z.enum(BISECT_STEP_VERDICTS),
  /** The growth per call that decided it (the leaking signal's bytes per call), when measured. */
  bytesPerCall: z.number().refine(Number.isFinite, 'must be finite').nullable(),
  note: z.string().nullable().optional(),
});
export type BisectStep = z.infer<typeof BisectStepSchema>;

export const BisectLogSchema = z.object({
  /** What was bisected: "repros/seed/view_leak.py::simpler_leak". */
  target: z.string(),
  /** `introduced`: looking for the first point that leaks; `fixed`: the first point that no longer leaks. */
  direction: z.enum(['introduced', 'fixed']),
  /** The first point with the new behaviour, or null when the bisection did not find one. */
  first: z.string().nullable(),
  steps: z.array(BisectStepSchema),
  /** Every candidate point, oldest first, when known: drawn as a timeline with the tried points coloured. */
  points: z.array(z.string()).nullable().optional(),
  environment: EnvironmentSchema.nullable().optional(),
});
export type BisectLog = z.infer<typeof BisectLogSchema>;

export const HtmlDocumentSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), report: ReportSchema, title: z.string().optional() }),
  z.object({ kind: z.literal('gate'), gate: GateComparisonSchema, title: z.string().optional() }),
  z.object({ kind: z.literal('bisect'), bisect: BisectLogSchema, title: z.string().optional() }),
]);
export type HtmlDocument =
  | { kind: 'run'; report: Report; title?: string }
  | { kind: 'gate'; gate: GateComparison; title?: string }
  | { kind: 'bisect'; bisect: BisectLog; title?: string };

