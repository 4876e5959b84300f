/**
 * What `bisect --json` prints, validated before it is printed, and how one
 * run result becomes the judgement of a point. Pure.
 */
import { z } from 'zod';
import type { Judgement, JudgeLevel } from './bisect.js';
import type { Result } from './report.js';

const num = z.number().refine(Number.isFinite, 'must be finite');

export const ReleasePointSchema = z.object({ version: z.string() });
export const CommitPointSchema = z.object({ commit: z.string().regex(/^[0-9a-f]{40}$/), subject: z.string() });
export const PointSchema = z.union([ReleasePointSchema, CommitPointSchema]);
export type Point = z.infer<typeof PointSchema>;

export const BisectStepSchema = z.intersection(
  PointSchema,
  z.object({
    round: z.number().int().positive(),
    verdict: z.enum(['leak', 'ok', 'skip', 'unjudged']),
    kind: z.string().nullable(),
    bytesPerCall: num.nullable(),
    pythran: z.string().nullable().describe('Pythran version (and commit) as the environment reported it'),
    numpy: z.string().nullable(),
    cachedBuild: z.boolean().nullable(),
    sameBinaryAs: z.string().nullable().describe('a point judged before whose built module is byte for byte this one: its verdict was reused'),
    level: z
      .enum(['end', 'probe', 'boundary'])
      .default('end')
      .describe("end: --from or --to, full verdict; probe: the cheapest measurement that tells leak from ok; boundary: a point next to the answer judged again, full verdict and diagnosis"),
    seconds: num.describe('wall time of this point: environment, build and measurement'),
    reason: z.string().nullable(),
  }),
);
export type BisectStepReport = z.infer<typeof BisectStepSchema>;

export const BISECT_SCHEMA_VERSION = 1;

export const BisectReportSchema = z.object({
  schemaVersion: z.literal(BISECT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('pythran-leakcheck'), version: z.string() }),
  command: z.literal('bisect'),
  target: z.string(),
  mode: z.enum(['releases', 'commits']),
  from: PointSchema,
  to: PointSchema,
  outcome: z.enum(['found', 'ends-agree', 'unjudged']),
  direction: z.enum(['introduced', 'fixed']).nullable(),
  first: PointSchema.nullable(),
  /** When skipped points leave the answer open: every point that may be the first. */
  candidates: z.array(PointSchema),
  /** Both ends' verdict when they agree. */
  endsVerdict: z.enum(['leak', 'ok']).nullable(),
  points: z.number().int().describe('points in the range, ends included'),
  distinct: z.number().int().describe('points left after merging neighbours whose Pythran sources are identical'),
  rounds: z.number().int(),
  seconds: num,
  message: z.string(),
  steps: z.array(BisectStepSchema),
});
export type BisectReport = z.infer<typeof BisectReportSchema>;

export interface PointJudgement extends Judgement {
  result: Result | null;
  seconds: number;
  pythran: string | null;
  numpy: string | null;
  /** The point whose identical module was measured instead of this one. */
  sameBinaryAs: string | null;
  /** How much this judgement had to tell (the ends and boundary points: a full verdict). */
  level?: JudgeLevel;
}

/**
 * One function's result at one point. A point where Pythran or the C++
 * compiler fails, or whose Pythran tree cannot be used, is skipped (like
 * `git bisect run`'s exit 125); one that built but gave no leak/ok verdict is
 * unjudged, which the search skips too but reports apart.
 */
export function judgementOf(result: Result): Pick<Judgement, 'state' | 'reason'> {
  if (result.verdict === 'leak') return { state: 'leak', reason: result.message };
  if (result.verdict === 'ok') return { state: 'ok', reason: result.message };
  const first = (result.message ?? result.verdict).split('\n')[0] ?? result.verdict;
  if (result.verdict === 'error' && (result.errorType === 'BuildError' || result.errorType === 'InputError' || result.errorType === 'PythonEnvError')) {
    return { state: 'skip', reason: `does not build: ${first}` };
  }
  return { state: 'unjudged', reason: `${result.verdict}: ${first}` };
}
