/**
 * Managed environments that switch fast between Pythran versions.
 *
 * Pythran is pure Python plus headers, so one virtual environment per
 * dependency set (Python, numpy, gast, beniget, ply; from the table in
 * core/compat.ts) serves every release and commit that needs that set, with
 * Pythran itself put on PYTHONPATH as a tree:
 *
 *   <cache>/envs/deps-cpXY-<hash>/      a venv with the dependency set, no Pythran
 *   <cache>/pythran/release-VERSION/    an unpacked release wheel
 *   <cache>/pythran/commit-<sha>/       `git archive` of a commit's pythran/ and omp/,
 *                                       its vendored headers linked from objects/
 *   <cache>/pythran/objects/<tree-id>/  vendored boost/xsimd, shared by every commit that has them
 *
 * uv makes the environments when it is on PATH; plain venv and pip otherwise.
 * Every entry is made in a private folder and published by rename under a lock.
 *
 * One module per thing managed, under io/managed/: environments.ts (the
 * dependency-set venvs, and an environment with a tree on its path),
 * release-trees.ts, commit-trees.ts, cache-entries.ts (list, prune) and
 * shared.ts. This module re-exports their public names.
 */
export { basePython, findUv, probeBase, readTree, type DepsEnv, type EnvContext } from './managed/shared.js';
export { ensureCommitEnv, ensureDepsEnv, ensureReleaseEnv } from './managed/environments.js';
export { ensureReleaseTree, pypiReleases } from './managed/release-trees.js';
export { ensureCommitTree } from './managed/commit-trees.js';
export { listCache, pruneCache, type CacheEntry, type PruneOptions } from './managed/cache-entries.js';
