/**
 * `pythran-leakcheck bisect file.py::function --from A --to B [--repo PATH]`:
 * find the first Pythran release (from PyPI) or first-parent commit (of a
 * checkout) that introduced or fixed a leak. The work is the pipeline's
 * (src/pipeline/bisect.ts); this command gives it the real ports.
 */
import type { BisectReport } from '../core/bisect-report.js';
import { withRealPorts } from '../io/ports.js';
import type { BisectOptions } from '../options.js';
import { bisectTarget } from '../pipeline/bisect.js';
import type { CommandContext } from '../pipeline/ports.js';

export { BisectOptionsSchema, type BisectOptions } from '../options.js';

export async function bisectCommand(target: string, opts: BisectOptions, ctx: CommandContext): Promise<BisectReport> {
  return withRealPorts(opts.startMethod, ctx.signal, (ports) => bisectTarget(target, opts, { ...ctx, ports }));
}
