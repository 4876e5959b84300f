/**
 * `pythran-leakcheck run <target>...`: build each repro, measure each
 * exported function in its own process, judge, report. The work is the
 * pipeline's (src/pipeline/); this command gives it the real ports.
 */
import type { Report } from '../core/report.js';
import { realPorts } from '../io/ports.js';
import { RunOptionsSchema, type RunOptions } from '../pipeline/options.js';
import { runTargets } from '../pipeline/run.js';
import type { Progress } from '../progress.js';

export { RunOptionsSchema, type RunOptions };

export interface CommandContext {
  signal: AbortSignal;
  progress: Progress;
  cwd: string;
}

export async function runCommand(targets: readonly string[], opts: RunOptions, ctx: CommandContext): Promise<Report> {
  return runTargets(targets, opts, { ...ctx, ports: realPorts });
}
