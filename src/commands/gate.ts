/**
 * `pythran-leakcheck gate <target>... --baseline A --candidate B`: run every
 * repro on both Pythran versions and fail when the candidate regresses. The
 * work is the pipeline's (src/pipeline/gate.ts); this command gives it the
 * real ports.
 */
import { withRealPorts } from '../io/ports.js';
import type { GateOptions } from '../options.js';
import { gateTargets, type GateRun } from '../pipeline/gate.js';
import type { CommandContext } from '../pipeline/ports.js';

export { GateOptionsSchema, type GateOptions } from '../options.js';
export type { GateRun } from '../pipeline/gate.js';

export async function gateCommand(targets: readonly string[], opts: GateOptions, ctx: CommandContext): Promise<GateRun> {
  return withRealPorts(opts.startMethod, ctx.signal, (ports) => gateTargets(targets, opts, { ...ctx, ports }));
}
