/**
 * The resolved options of a run, as the pipeline reads them (defined once, in src/options.ts).
 */
import { DEFAULT_THRESHOLDS, type Thresholds } from '../core/verdict.js';
import type { RunOptions } from '../options.js';

export { RunOptionsSchema, type RunOptions } from '../options.js';

export function thresholdsFrom(opts: Pick<RunOptions, 'threshold'>): Thresholds {
  return { ...DEFAULT_THRESHOLDS, bytes: opts.threshold };
}
