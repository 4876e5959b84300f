/**
 * Commit trees: one commit's pythran/ and omp/ in <cache>/pythran/commit-<sha>/,
 * its vendored boost and xsimd linked from <cache>/pythran/objects/<tree-id>/,
 * shared by every commit that has the same. The first tree of a checkout is a
 * `git archive` of the commit; the next ones start from a tree already made
 * (hard links, as `git checkout` keeps the files it does not change) and
 * replace only the files `git diff` names.
 */
import { mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PythonEnvError } from '../../errors.js';
import { makeTempDir, removeQuietly, withLock } from '../cache.js';
import { changedPaths, exportPaths, sourceLayout, type CommitInfo } from '../git.js';
import { run } from '../exec.js';
import type { PythranTree } from '../probe.js';
import { checkVendored, commitTreesOf, publishTree, readTree, touch, TREE_FILES, treesDir, type EnvContext } from './shared.js';

/** Vendored headers of a commit (a git tree), exported once and shared by every commit that has the same. */
async function ensureObject(repo: string, tree: string, ctx: EnvContext): Promise<string> {
  const dir = path.join(treesDir(ctx.cache), 'objects', tree);
  const done = path.join(dir, '.complete');
  if ((await stat(done).catch(() => null)) !== null) return dir;
  await withLock(`${dir}.lock-target`, async () => {
    if ((await stat(done).catch(() => null)) !== null) return;
    const work = await makeTempDir(ctx.cache, 'object');
    try {
      const out = path.join(work, 'out');
      await mkdir(out);
      await exportPaths(repo, tree, [], out, work, ctx.signal);
      await writeFile(path.join(out, '.complete'), tree);
      await removeQuietly(dir);
      await rename(out, dir);
    } finally {
      await removeQuietly(work);
    }
  });
  return dir;
}

/**
 * Make `out` the sources of `commit` from the newest tree of the same checkout:
 * hard links to its files, then the files that differ removed and written anew
 * (never written through a link: the other tree keeps its own). False when
 * there is no such tree or it cannot be linked; the caller then exports the
 * whole commit.
 */
async function fromNeighbour(repo: string, commit: string, paths: readonly string[], out: string, work: string, ctx: EnvContext): Promise<boolean> {
  const neighbour = (await commitTreesOf(repo, ctx.cache)).find((t) => t.commit !== commit);
  if (neighbour === undefined) return false;
  // All of pythran/ and omp/: a file the neighbour has and this commit has not is removed even
  // when its whole top-level entry is gone.
  const { removed, written } = await changedPaths(repo, neighbour.commit, commit, ['pythran', 'omp'], ctx.signal);
  const linked = await run('cp', ['-al', `${neighbour.dir}/.`, out], { timeoutMs: 300_000, signal: ctx.signal });
  if (linked.exitCode !== 0) {
    await rm(out, { recursive: true, force: true });
    await mkdir(out);
    return false;
  }
  const under = (p: string, prefixes: readonly string[]) => prefixes.some((q) => p === q || p.startsWith(`${q}/`));
  // Never through the links to the shared vendored headers, and nothing of what is not exported.
  const own = (p: string) => !under(p, ['pythran/boost', 'pythran/xsimd', 'pythran/tests']);
  for (const f of [...TREE_FILES, ...removed.filter(own), ...written.filter(own)]) await rm(path.join(out, f), { force: true });
  const fresh = written.filter((f) => own(f) && under(f, paths));
  if (fresh.length > 0) await exportPaths(repo, commit, fresh, out, work, ctx.signal);
  return true;
}

/** The sources of one commit of a checkout, as a tree to put on the path. */
export async function ensureCommitTree(repo: string, info: CommitInfo, ctx: EnvContext): Promise<PythranTree> {
  const dir = path.join(treesDir(ctx.cache), `commit-${info.commit}`);
  let tree = await readTree(dir);
  if (tree === null) {
    await withLock(`${dir}.lock-target`, async () => {
      if ((await readTree(dir)) !== null) return;
      const short = info.commit.slice(0, 12);
      const layout = await sourceLayout(repo, info.commit, ctx.signal);
      if (!layout.paths.some((p) => p.startsWith('pythran/'))) {
        throw new PythonEnvError(`commit ${short} has no pythran/ folder: this is not a Pythran checkout.`);
      }
      if (layout.boost === null || layout.xsimd === null) {
        const missing = [layout.boost === null ? 'boost' : null, layout.xsimd === null ? 'xsimd' : null].filter(Boolean).join(' and ');
        throw new PythonEnvError(`commit ${short} has no vendored ${missing} (neither pythran/ nor third_party/): refusing to build with the system's headers.`);
      }
      const work = await makeTempDir(ctx.cache, `commit-${short}`);
      try {
        const out = path.join(work, 'tree');
        await mkdir(out);
        if (!(await fromNeighbour(repo, info.commit, layout.paths, out, work, ctx))) await exportPaths(repo, info.commit, layout.paths, out, work, ctx.signal);
        for (const v of [layout.boost, layout.xsimd]) {
          const object = await ensureObject(repo, v.tree, ctx);
          const link = path.join(out, 'pythran', path.basename(v.from));
          await removeQuietly(link);
          await symlink(object, link, 'dir');
        }
        await checkVendored(out, `commit ${short}`);
        const versionText = await readFile(path.join(out, 'pythran', 'version.py'), 'utf8').catch(() => '');
        const version = /__version__\s*=\s*['"]([^'"]+)/.exec(versionText)?.[1] ?? '0';
        await publishTree(out, dir, {
          kind: 'commit',
          version,
          commit: info.commit,
          subject: info.subject,
          contentId: layout.contentId,
          compileId: layout.compileId,
          pythonicId: layout.pythonicId,
          repo,
        });
      } finally {
        await removeQuietly(work);
      }
    });
    tree = await readTree(dir);
    if (tree === null) throw new PythonEnvError(`the tree of commit ${info.commit.slice(0, 12)} at ${dir} is broken.`, { hint: `remove it (rm -rf '${dir}')` });
  }
  await touch(dir);
  return tree;
}

