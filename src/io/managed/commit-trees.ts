/**
 * Commit trees: `git archive` of one commit's pythran/ and omp/ into
 * <cache>/pythran/commit-<sha>/, its vendored boost and xsimd linked from
 * <cache>/pythran/objects/<tree-id>/, shared by every commit that has the same.
 */
import { mkdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PythonEnvError } from '../../errors.js';
import { makeTempDir, removeQuietly, withLock } from '../cache.js';
import { exportPaths, sourceLayout, type CommitInfo } from '../git.js';
import type { PythranTree } from '../probe.js';
import { checkVendored, publishTree, readTree, touch, treesDir, type EnvContext } from './shared.js';

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
        await exportPaths(repo, info.commit, layout.paths, out, work, ctx.signal);
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

