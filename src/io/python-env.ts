/**
 * Python environments: the user's interpreter (--python), or a managed
 * environment with one Pythran release from PyPI (see managed.ts: one
 * environment per dependency set, the release's wheel on the path), made on
 * first use in the cache and reused afterwards.
 */
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PythonEnvError } from '../errors.js';
import { run } from './exec.js';
import { writeFileAtomic } from './cache.js';
import { ensureReleaseEnv } from './managed/environments.js';
import { basePython, type EnvContext } from './managed/shared.js';
import { describe, lastLines, probePython, safeJson, type PythonEnv } from './probe.js';

export { PYTHON_DIR, describe, lastLines, probePython, type ProbeOutput, type PythonEnv, type PythranTree } from './probe.js';
export type { EnvContext } from './managed/shared.js';

export interface EnvRequest {
  python?: string;
  pythran?: string;
}

/** The environment a run uses: --python, else --pythran, else python3 with Pythran, else the newest release. */
export async function resolveEnvironment(req: EnvRequest, ctx: EnvContext): Promise<PythonEnv> {
  if (req.python !== undefined) return describe(req.python, false, ctx);
  if (req.pythran !== undefined) return ensureManagedEnv(req.pythran, ctx);
  const system = await probePython('python3', ctx).catch(() => null);
  if (system !== null && system.pythran !== null && system.numpy !== null) return describe('python3', false, ctx);
  const newest = await newestRelease(ctx);
  ctx.progress.note(`No Pythran in python3 on PATH; using a managed environment with the newest release, ${newest}.`);
  return ensureManagedEnv(newest, ctx);
}

/** A managed environment with Pythran release `version` (its dependency set, its wheel on the path). */
export async function ensureManagedEnv(version: string, ctx: EnvContext): Promise<PythonEnv> {
  return ensureReleaseEnv(version, ctx);
}

const LatestCache = z.object({ version: z.string(), checked: z.number() });
const LATEST_TTL_MS = 24 * 3600 * 1000;

/** The newest Pythran release on PyPI, remembered for a day. */
export async function newestRelease(ctx: EnvContext): Promise<string> {
  const file = path.join(ctx.cache.root, 'newest-pythran.json');
  const cached = LatestCache.safeParse(safeJson(await readFile(file, 'utf8').catch(() => '')));
  if (cached.success && Date.now() - cached.data.checked < LATEST_TTL_MS) return cached.data.version;
  ctx.progress.step('Asking PyPI for the newest Pythran release...');
  const res = await run(basePython(), ['-m', 'pip', 'index', 'versions', 'pythran', '--disable-pip-version-check'], {
    timeoutMs: 120_000,
    signal: ctx.signal,
  });
  const version = /^pythran \(([^)]+)\)/m.exec(res.stdout)?.[1];
  if (res.exitCode !== 0 || version === undefined) {
    if (cached.success) return cached.data.version;
    throw new PythonEnvError(`could not ask PyPI for the newest Pythran release: ${lastLines(res.stderr, 2)}`, {
      hint: 'name a release with --pythran VERSION, or an interpreter with --python PATH',
    });
  }
  await writeFileAtomic(file, JSON.stringify({ version, checked: Date.now() })).catch(() => undefined);
  return version;
}

export async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}
