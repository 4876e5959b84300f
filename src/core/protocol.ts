/**
 * The harness protocol: messages python/harness.py writes on fd 3, one JSON
 * document per line, and the configuration the tool hands it. Every line is
 * validated here before anything else reads it.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 2;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const count = z.number().int().nonnegative();

export const HelloMessage = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  pid: count,
  python: z.string(),
  numpy: z.string(),
  rssSource: z.enum(['psutil', 'statm']).nullable(),
  nativeSource: z.enum(['mallinfo2']).nullable(),
});

export const ReadyMessage = z.object({
  type: z.literal('ready'),
  args: z.array(z.string()),
  /** Data bytes of each array argument (null for other values). */
  argBytes: z.array(count.nullable()),
  /** The first call's return value, described, and its data bytes if it is an array. */
  result: z.string(),
  resultBytes: count.nullable(),
  refcountTracked: z.array(z.boolean()),
  warmupCalls: count,
  callSeconds: finite.nonnegative(),
  batchCalls: count.min(1),
});

export const PhaseName = z.enum(['plain', 'traced']);
export type PhaseName = z.infer<typeof PhaseName>;

export const PhaseMessage = z.object({
  type: z.literal('phase'),
  phase: PhaseName,
  batchCalls: count.min(1),
});

const SampleBase = {
  type: z.literal('sample'),
  calls: count,
  seconds: finite.nonnegative(),
  sampleSeconds: finite.nonnegative(),
};

export const PlainSample = z.object({
  ...SampleBase,
  phase: z.literal('plain'),
  rss: count.nullable(),
  native: count.nullable(),
  blocks: count,
  refcounts: z.array(count.nullable()),
  /** Objects of each type among this batch's survivors (the most common types only). */
  types: z.record(z.string(), count).nullable(),
});
export type PlainSample = z.infer<typeof PlainSample>;

export const TracedSample = z.object({
  ...SampleBase,
  phase: z.literal('traced'),
  traced: count,
});
export type TracedSample = z.infer<typeof TracedSample>;

export const ErrorMessage = z.object({
  type: z.literal('error'),
  /** `protocol`: the harness refused a command or its configuration (a bug of the tool, not of the user's code). */
  stage: z.enum(['config', 'protocol', 'import', 'arguments', 'call']),
  exception: z.string(),
  message: z.string(),
  traceback: z.string(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** Where traced memory grew during the traced phase, and in blocks of which sizes. */
export const SitesMessage = z.object({
  type: z.literal('sites'),
  calls: count,
  sites: z.array(z.object({ where: z.string(), bytes: z.number().int(), blocks: z.number().int() })),
  sizes: z.array(z.object({ size: count, blocks: count })),
});
export type SitesMessage = z.infer<typeof SitesMessage>;

/** One reading of the confirmation run: the plain signals, or tracemalloc's traced size alone. */
const BulkReading = z.object({
  blocks: count.optional(),
  native: count.nullable().optional(),
  rss: count.nullable().optional(),
  refcounts: z.array(count.nullable()).optional(),
  traced: count.optional(),
  types: z.null().optional(),
});

/** The confirmation: a reading, `calls` calls with no message and no reading, a reading. */
export const BulkMessage = z.object({
  type: z.literal('bulk'),
  calls: count.min(1),
  seconds: finite.nonnegative(),
  traced: z.boolean(),
  before: BulkReading,
  after: BulkReading,
});
export type BulkMessage = z.infer<typeof BulkMessage>;

export const DoneMessage = z.object({ type: z.literal('done') });

export const HarnessMessage = z.union([
  HelloMessage,
  ReadyMessage,
  PhaseMessage,
  PlainSample,
  TracedSample,
  ErrorMessage,
  SitesMessage,
  BulkMessage,
  DoneMessage,
]);
export type HarnessMessage = z.infer<typeof HarnessMessage>;

/** Commands the tool writes to the harness's command pipe: end the phase, end the run, set the smallest batch. */
export type HarnessCommand = 'next' | 'stop' | `batch ${number}`;

/** One argument value the harness builds (see build_value in python/harness.py). */
export type ArgPlan =
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'complex'; re: number; im: number }
  | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string }
  | { t: 'none' }
  | { t: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { t: 'npscalar'; dtype: string; v: number }
  | { t: 'array'; dtype: string; shape: number[]; strided: boolean[]; order: 'C' | 'F'; seed: number }
  | { t: 'list'; items: ArgPlan[] }
  | { t: 'set'; items: ArgPlan[] }
  | { t: 'tuple'; items: ArgPlan[] }
  | { t: 'dict'; entries: Array<[ArgPlan, ArgPlan]> };

/**
 * How to call the function: values to build (an argument may be one of the module's own
 * capsules, passed as `getattr(module, name)`), or a Python argument list written by the
 * user or taken from a `#runas` line, evaluated once after its `setup` statements.
 */
export type CallPlan = { args: Array<ArgPlan | { t: 'capsule'; name: string }> } | { expr: string; setup?: string };

export interface HarnessConfig {
  protocol: typeof PROTOCOL_VERSION;
  modulePath: string;
  moduleName: string;
  function: string;
  call: CallPlan;
  warmupSeconds: number;
  warmupMinCalls: number;
  batchSeconds: number;
  maxBatchCalls: number;
  /** Batch phases in order, or `bulk` alone for the confirmation run. */
  phases: Array<PhaseName | 'bulk'>;
  /** Multiply the arguments' size (arrays along axis 0, positive ints) by this factor. */
  scale: number;
  /** Count object types among each batch's survivors (plain phase). */
  census: boolean;
  /** Calls of the confirmation run (`bulk` phase; 0 otherwise). */
  bulkCalls: number;
  /** The confirmation reads tracemalloc rather than the plain signals. */
  bulkTraced: boolean;
}

export type ParsedLine = { ok: true; message: HarnessMessage } | { ok: false; reason: string };

/** Parse and validate one line from the harness. Never throws. */
export function parseHarnessLine(line: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, reason: `not JSON: ${truncate(line)}` };
  }
  const parsed = HarnessMessage.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `unexpected message ${truncate(line)}: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  }
  return { ok: true, message: parsed.data };
}

function truncate(text: string, max = 120): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
