/**
 * Environments: one venv per dependency set (<cache>/envs/deps-cpXY-<hash>/),
 * and a release's or a commit's tree put on its PYTHONPATH.
 */
import path from 'node:path';
import { checkPythonSupported, dependencySet, isValidVersion } from '../../core/compat.js';
import { CancelledError, InputError, PythonEnvError } from '../../errors.js';
import { sha256, withLock, writeFileAtomic } from '../cache.js';
import type { CommitInfo } from '../git.js';
import { describe, probePython, type ProbeOutput, type PythonEnv, type PythranTree } from '../probe.js';
import { ensureCommitTree } from './commit-trees.js';
import { ensureReleaseTree } from './release-trees.js';
import { createVenv, DepsMarker, ENV_MARKER, probeBase, pythonTag, readMarker, touch, type DepsEnv, type EnvContext } from './shared.js';

/** The environment with the dependency set of Pythran `version` (which may be a commit's version.py). */
export async function ensureDepsEnv(version: string, ctx: EnvContext): Promise<DepsEnv> {
  const base = await probeBase(ctx);
  const requirements = dependencySet(version);
  const id = sha256(JSON.stringify({ python: base.python, implementation: base.implementation, requirements })).slice(0, 12);
  const dir = path.join(ctx.cache.envs, `deps-${pythonTag(base.python)}-${id}`);
  const python = path.join(dir, 'bin', 'python');
  const ready = async () => (await readMarker(path.join(dir, ENV_MARKER), DepsMarker)) !== null;
  if (!(await ready())) {
    await withLock(`${dir}.lock-target`, async () => {
      if (await ready()) return;
      await createDepsEnv(dir, base, requirements, ctx);
    });
  }
  await touch(dir);
  return { dir, python, requirements };
}

async function createDepsEnv(dir: string, base: ProbeOutput, requirements: string[], ctx: EnvContext): Promise<void> {
  const installer = await createVenv(dir, base, requirements, `a Python ${base.python} environment with ${requirements.join(' ')}`, ctx);
  const probe = await probePython(path.join(dir, 'bin', 'python'), ctx).catch(() => null);
  const installed: Record<string, string> = {};
  if (probe !== null) for (const k of ['numpy', 'gast', 'beniget', 'psutil'] as const) if (probe[k] !== null) installed[k] = probe[k];
  await writeFileAtomic(
    path.join(dir, ENV_MARKER),
    JSON.stringify({ kind: 'deps', python: base.python, requirements, installer, installed, created: new Date().toISOString() }, null, 2),
  );
}

// ---------------------------------------------------------------- environments with a tree

async function envWithTree(deps: DepsEnv, tree: PythranTree, ctx: EnvContext): Promise<PythonEnv> {
  try {
    return await describe(deps.python, true, ctx, { PYTHONPATH: tree.dir }, tree);
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    throw new PythonEnvError(`the managed environment ${deps.dir} with Pythran from ${tree.dir} is broken: ${(error as Error).message}`, {
      hint: `remove both (rm -rf '${deps.dir}' '${tree.dir}') and run again`,
      cause: error,
    });
  }
}

/** A managed environment with Pythran release `version`: its dependency set, and its wheel on the path. */
export async function ensureReleaseEnv(version: string, ctx: EnvContext): Promise<PythonEnv> {
  if (!isValidVersion(version)) {
    throw new InputError(`'${version}' is not a Pythran version number.`, { hint: 'give a release such as 0.15.0 or 0.16.1' });
  }
  const base = await probeBase(ctx);
  const unsupported = checkPythonSupported(version, base.python);
  if (unsupported !== null) {
    throw new InputError(unsupported, { hint: 'pick another release, or use --python with an older interpreter' });
  }
  const deps = await ensureDepsEnv(version, ctx);
  const tree = await ensureReleaseTree(version, deps, ctx);
  return envWithTree(deps, tree, ctx);
}

/** A managed environment with the sources of one commit of a checkout. */
export async function ensureCommitEnv(repo: string, info: CommitInfo, ctx: EnvContext): Promise<PythonEnv> {
  const tree = await ensureCommitTree(repo, info, ctx);
  const base = await probeBase(ctx);
  const unsupported = isValidVersion(tree.version) ? checkPythonSupported(tree.version, base.python) : null;
  if (unsupported !== null) throw new PythonEnvError(`commit ${info.commit.slice(0, 12)}: ${unsupported}`);
  const deps = await ensureDepsEnv(isValidVersion(tree.version) ? tree.version : '0', ctx);
  return envWithTree(deps, tree, ctx);
}

