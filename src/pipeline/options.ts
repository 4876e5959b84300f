/**
 * The resolved options of a run, as the pipeline reads them.
 */
import os from 'node:os';
import { z } from 'zod';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../core/verdict.js';

export const RunOptionsSchema = z.object({
  python: z.string().min(1).optional(),
  pythran: z.string().min(1).optional(),
  budget: z.number().positive().max(3600).default(10),
  warmup: z.number().nonnegative().max(3600).default(0.05),
  timeout: z.number().positive().max(24 * 3600).default(120),
  threshold: z.number().positive().default(DEFAULT_THRESHOLDS.bytes),
  jobs: z.number().int().positive().max(64).default(Math.max(1, Math.min(2, os.availableParallelism()))),
  call: z.array(z.string()).default([]),
  buildTimeout: z.number().positive().default(900),
  cacheDir: z.string().optional(),
  /** `i/n`: measure only this shard's share of the functions (see `merge`). */
  shard: z.string().optional(),
  /** Name a leak (uncompiled control, run at twice the size); gate and bisect need only the verdict. */
  diagnose: z.boolean().default(true),
});
export type RunOptions = z.infer<typeof RunOptionsSchema>;

export function thresholdsFrom(opts: Pick<RunOptions, 'threshold'>): Thresholds {
  return { ...DEFAULT_THRESHOLDS, bytes: opts.threshold };
}
