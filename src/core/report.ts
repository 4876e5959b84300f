/**
 * The report of a run: the JSON document `--json` prints (schemaVersion 1),
 * validated with zod before it leaves the tool, and the outcome that decides
 * the exit code. Pure.
 */
import { z } from 'zod';
import { ERROR_TYPES, categoryOfErrorType } from '../errors.js';

export const SCHEMA_VERSION = 1;

const num = z.number().refine(Number.isFinite, 'must be finite');

export const EnvironmentSchema = z.object({
  python: z.string().describe('interpreter path and version, e.g. "/root/.cache/.../bin/python (3.11.7)"'),
  pythonVersion: z.string(),
  pythran: z.object({ version: z.string(), commit: z.string().nullable() }),
  numpy: z.string(),
  compiler: z.string(),
  managed: z.boolean().describe('true when this tool made the environment'),
  blas: z
    .string()
    .optional()
    .describe("the BLAS Pythran links and who chose it: 'pythran-openblas 0.3.6 (managed)', 'openblas (.pythranrc)', \"blas (Pythran's default)\""),
});
export type EnvironmentReport = z.infer<typeof EnvironmentSchema>;

/** `skipped`: a file with nothing to measure (only capsules or ufuncs): said, never held against the run. */
export const VERDICTS = ['leak', 'ok', 'inconclusive', 'error', 'crash', 'timeout', 'skipped'] as const;
export const KINDS = ['python-objects', 'native-heap', 'argument-refcount'] as const;

export const SignalSchema = z.object({
  unit: z.enum(['bytes', 'blocks', 'refs']),
  perCall: num.nullable(),
  low: num.nullable(),
  high: num.nullable(),
  threshold: num,
  state: z.enum(['leak', 'flat', 'undecided']),
  decisive: z.boolean(),
  batches: z.number().int(),
});

export const ResultSchema = z.object({
  file: z.string(),
  function: z.string().nullable().describe("null when the whole file failed (missing, not built)"),
  overload: z
    .string()
    .nullable()
    .describe('for a function exported with several signatures: the one this result measured, as `f(float64[:, :], int)`; null otherwise'),
  verdict: z.enum(VERDICTS),
  kind: z.enum(KINDS).nullable(),
  bytesPerCall: z.object({ rss: num.nullable(), native: num.nullable(), python: num.nullable() }),
  blocksPerCall: num.nullable(),
  refsPerCall: z.array(num.nullable()).describe('references gained per call on each argument; null where not tracked'),
  calls: z.number().int().nonnegative(),
  seconds: num.nonnegative(),
  message: z.string().nullable(),
  errorType: z.enum([...ERROR_TYPES, 'FunctionRaised']).nullable(),
  rulesOutAbove: num.nullable().describe('for ok: the smallest leak, in bytes per call, that the run rules out'),
  call: z.object({ origin: z.string(), args: z.array(z.string()) }).nullable(),
  signals: z.record(z.string(), SignalSchema),
  build: z.object({ cached: z.boolean(), seconds: num }).nullable(),
  timings: z
    .object({
      measure: num.describe('the first measurement (warm-up, plain and traced phases)'),
      domain: num.nullable().describe('the uncompiled call that checks generated arguments, run beside the first measurement'),
      replicate: num.nullable().describe('the confirmation of a leak in a fresh process'),
      control: num.nullable().describe('the same function uncompiled (a leak only)'),
      scaled: num.nullable().describe('the run at twice the input size (a native leak only)'),
      total: num.describe('the whole investigation; replicate, control and scaled run side by side'),
    })
    .nullable()
    .describe('wall seconds, where the time went (the build is in `build.seconds`); null when nothing was measured'),
  diagnosis: z
    .object({
      types: z.array(z.object({ type: z.string(), perCall: num })),
      sites: z.array(z.object({ where: z.string(), bytesPerCall: num, blocksPerCall: num })),
      sizes: z.array(z.object({ size: num, perCall: num })),
      buffer: z.string().nullable(),
      scaling: z.object({ bytesPerCall: num, ratio: num, reading: z.enum(['proportional', 'fixed', 'unclear']) }).nullable(),
      interpreted: z.object({ verdict: z.string(), kind: z.string().nullable(), message: z.string() }).nullable(),
      replicate: z.object({ verdict: z.string(), message: z.string() }).nullable(),
      confirmation: z
        .object({
          calls: z.number().int(),
          seconds: num,
          traced: z.boolean(),
          firstBatchCalls: z.number().int().describe('the largest batch of the first process: the batch-size check compares it with one batch of `calls`'),
          capped: z.boolean().describe('true when the time allowed kept the run shorter than 20 times the noise asks for'),
          verdict: z.enum(['leak', 'ok', 'inconclusive']),
          kind: z.enum(KINDS).nullable(),
          signals: z.array(
            z.object({
              name: z.string(),
              unit: z.enum(['bytes', 'blocks', 'refs']),
              threshold: num,
              noise: num.describe('reading noise measured in the first process (at least one granule)'),
              firstPerCall: num.describe('growth per call in the first process, in its batches'),
              growth: num.nullable(),
              perCall: num.nullable().describe('growth per call over the long run'),
              margin: num,
              state: z.enum(['leak', 'flat', 'undecided']),
              ratio: num.nullable().describe('perCall over firstPerCall: near 1 for a leak, near 0 for growth that comes with batches'),
            }),
          ),
        })
        .nullable()
        .describe('the confirmation of a leak: one long run of calls in a fresh process, with no reading in between'),
    })
    .nullable()
    .describe('what leaks and where: object types, tracemalloc sites and block sizes, the likely buffer, scaling, the uncompiled control, the replicate'),
  owner: z
    .enum(['pythran', 'code'])
    .nullable()
    .describe("for a leak: 'pythran' when the uncompiled control is ok, 'code' when the same function leaks in plain Python too (the code's own leak, not Pythran's); null when unknown"),
  series: z
    .object({
      plain: z.object({ calls: z.array(z.number()), rss: z.array(z.number().nullable()), native: z.array(z.number().nullable()), blocks: z.array(z.number()) }),
      traced: z.object({ calls: z.array(z.number()), python: z.array(z.number()) }),
    })
    .nullable()
    .describe('the raw cumulative readings after each batch, for charts; null when nothing was measured'),
});
export type Result = z.infer<typeof ResultSchema>;

/** How reports name a result's function: its signature when the function has several, else its name. */
export function functionLabel(r: Pick<Result, 'function' | 'overload'>): string | null {
  return r.overload ?? r.function;
}

export const ReportSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('pythran-leakcheck'), version: z.string() }),
  environment: EnvironmentSchema.nullable(),
  thresholds: z.object({ bytes: num, blocks: num, refs: num, rssBytes: num }),
  results: z.array(ResultSchema),
  timings: z
    .object({
      environment: num.describe('finding (or making) the Python environment, its probe included'),
      build: num.describe('the builds, summed over files'),
      measure: num.describe('the investigations, summed over functions (several run at once with --jobs)'),
      total: num.describe('the whole run'),
    })
    .nullable()
    .optional()
    .describe('wall seconds of the run; absent from merged reports'),
});
export type Report = z.infer<typeof ReportSchema>;

/** What a set of results means for the exit code; cli.ts maps these to numbers. */
export type Outcome = 'clean' | 'leak' | 'usage' | 'unjudged';

export function outcomeOf(results: readonly Result[]): Outcome {
  if (results.some((r) => r.verdict === 'error' && r.errorType !== null && r.errorType !== 'FunctionRaised' && categoryOfErrorType(r.errorType) === 'usage')) {
    return 'usage';
  }
  const judged = results.filter((r) => r.verdict !== 'skipped');
  if (judged.length === 0 || judged.some((r) => r.verdict !== 'leak' && r.verdict !== 'ok')) return 'unjudged';
  if (judged.some((r) => r.verdict === 'leak')) return 'leak';
  return 'clean';
}

/** `--shard i/n`: which of n shards this run is (1-based). */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard | null {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (m === null) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index >= 1 && count >= 1 && index <= count ? { index, count } : null;
}

/**
 * The functions one shard measures: every function, in a stable order
 * (file, then name), dealt round-robin to the shards. The shards of a CI
 * matrix together cover every function exactly once.
 */
export function shardKeys(keys: readonly string[], shard: Shard): Set<string> {
  const sorted = [...new Set(keys)].sort();
  return new Set(sorted.filter((_, i) => i % shard.count === shard.index - 1));
}

export type MergeProblem = { kind: 'environment'; message: string } | { kind: 'duplicate'; message: string };

/**
 * One report from the JSON reports of several shards. The shards must have
 * run on the same environment; results are concatenated in a stable order,
 * and file-level errors every shard reported (a missing file) appear once.
 */
export function mergeReports(reports: readonly Report[]): { report: Report; problems: MergeProblem[] } {
  const problems: MergeProblem[] = [];
  const envKey = (r: Report) => (r.environment === null ? null : JSON.stringify({ ...r.environment, python: undefined }));
  const withEnv = reports.filter((r) => r.environment !== null);
  const first = withEnv[0] ?? reports[0];
  if (first === undefined) throw new Error('mergeReports needs at least one report');
  for (const r of withEnv) {
    if (envKey(r) !== envKey(withEnv[0] as Report)) {
      problems.push({
        kind: 'environment',
        message: `shards ran on different environments: Pythran ${withEnv[0]?.environment?.pythran.version} / numpy ${withEnv[0]?.environment?.numpy} and Pythran ${r.environment?.pythran.version} / numpy ${r.environment?.numpy}`,
      });
      break;
    }
  }
  const seen = new Map<string, Result>();
  const results: Result[] = [];
  for (const r of reports) {
    for (const res of r.results) {
      const key = `${res.file}::${functionLabel(res) ?? ''}`;
      const prev = seen.get(key);
      if (prev !== undefined) {
        if (res.function !== null) problems.push({ kind: 'duplicate', message: `${key} was measured by more than one shard` });
        continue;
      }
      seen.set(key, res);
      results.push(res);
    }
  }
  results.sort((a, b) => (a.file === b.file ? (functionLabel(a) ?? '').localeCompare(functionLabel(b) ?? '') : a.file.localeCompare(b.file)));
  return { report: { ...first, environment: withEnv[0]?.environment ?? null, results }, problems };
}
