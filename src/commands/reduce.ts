/**
 * `pythran-leakcheck reduce file.py::function`: shrink a leaking function to
 * a smaller repro that leaks the same way. The work is the pipeline's
 * (src/pipeline/reduce.ts); this command gives it the real ports: the build,
 * harness and environment ports of `run`, the reducer (pysource-minimize),
 * the output folder, and `bisect` for `--releases`.
 */
import type { ReduceReport } from '../core/reduce.js';
import { withRealPorts } from '../io/ports.js';
import { chooseOutputFolder, readText, reduceFileNames, writeNewFile } from '../io/reduce-files.js';
import { ensureReducer, startDriver } from '../io/reducer.js';
import { silentProgress } from '../progress.js';
import type { ReduceOptions } from '../options.js';
import type { CommandContext } from '../pipeline/ports.js';
import { reduceTarget, type ReducePorts } from '../pipeline/reduce.js';
import { bisectCommand } from './bisect.js';

export { ReduceOptionsSchema, type ReduceOptions } from '../options.js';

export async function reduceCommand(target: string, opts: ReduceOptions, ctx: CommandContext): Promise<ReduceReport> {
  return withRealPorts(opts.startMethod, ctx.signal, (real) => {
    const ports: ReducePorts = {
      ...real,
      reducer: { prepare: ensureReducer, start: startDriver },
      files: { chooseFolder: chooseOutputFolder, names: reduceFileNames, write: writeNewFile, read: readText },
      bisect: (fnTarget, range, { cacheDir }) =>
        bisectCommand(
          fnTarget,
          { ...opts, ...range, cacheDir, repo: undefined, jobs: 2, diagnose: false },
          { ...ctx, progress: silentProgress },
        ),
    };
    return reduceTarget(target, opts, { ...ctx, ports });
  });
}
