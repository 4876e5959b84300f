/**
 * `pythran-leakcheck run <target>...`: build each repro, measure each
 * exported function in its own process, judge, report. The work is the
 * pipeline's (src/pipeline/); this command gives it the real ports.
 */
import type { Report } from '../core/report.js';
import { withRealPorts } from '../io/ports.js';
import type { RunOptions } from '../options.js';
import type { CommandContext } from '../pipeline/ports.js';
import { runTargets } from '../pipeline/run.js';

export { RunOptionsSchema, type RunOptions } from '../options.js';
export type { CommandContext } from '../pipeline/ports.js';

export async function runCommand(targets: readonly string[], opts: RunOptions, ctx: CommandContext): Promise<Report> {
  return withRealPorts(opts.startMethod, ctx.signal, (ports) => runTargets(targets, opts, { ...ctx, ports }));
}
