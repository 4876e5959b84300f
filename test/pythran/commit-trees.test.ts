/**
 * Commit trees made from a neighbour (hard links, then the files git diff
 * names): the same files as a full export of the commit, and the neighbour
 * left as it was. A small git repository laid out as Pythran's.
 */
import { execa } from 'execa';
import { mkdtemp, mkdir, readFile, readdir, writeFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCache } from '../../src/io/cache.js';
import { commitInfo } from '../../src/io/git.js';
import { ensureCommitTree } from '../../src/io/managed/commit-trees.js';
import { silentProgress } from '../../src/progress.js';

const signal = new AbortController().signal;

async function put(root: string, files: Record<string, string | null>): Promise<void> {
  for (const [f, text] of Object.entries(files)) {
    const p = path.join(root, f);
    if (text === null) await rm(p, { force: true });
    else {
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, text);
    }
  }
}

/** Every file under `dir` (not following links) with its content, less the tool's own files. */
async function contents(dir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.name.startsWith('leakcheck-') || e.isSymbolicLink()) continue;
    if (e.isDirectory()) Object.assign(out, await contents(dir, r));
    else out[r] = await readFile(path.join(dir, r), 'utf8');
  }
  return out;
}

describe('commit trees', () => {
  it('made from a neighbour hold exactly the commit, and leave the neighbour as it was', async () => {
    const repo = await mkdtemp(path.join(os.tmpdir(), 'trees-repo-'));
    const g = (...args: string[]) => execa('git', ['-C', repo, ...args], { env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    await g('init', '-q');
    await put(repo, {
      'pythran/__init__.py': '',
      'pythran/version.py': "__version__ = '0.15.0'\n",
      'pythran/pythonic/a.hpp': 'a1\n',
      'pythran/pythonic/gone.hpp': 'gone\n',
      'pythran/old_module.py': 'old\n',
      'pythran/boost/b.hpp': 'boost\n',
      'pythran/xsimd/x.hpp': 'xsimd\n',
      'pythran/tests/t.py': 'test\n',
    });
    await g('add', '-A');
    await g('commit', '-qm', 'first');
    const first = (await g('rev-parse', 'HEAD')).stdout.trim();
    await put(repo, { 'pythran/pythonic/a.hpp': 'a2\n', 'pythran/pythonic/gone.hpp': null, 'pythran/old_module.py': null, 'pythran/pythonic/new.hpp': 'new\n', 'pythran/boost/b.hpp': 'boost2\n' });
    await g('add', '-A');
    await g('commit', '-qm', 'second');
    const second = (await g('rev-parse', 'HEAD')).stdout.trim();

    const cache = await openCache(await mkdtemp(path.join(os.tmpdir(), 'trees-cache-')));
    const ctx = { cache, signal, progress: silentProgress };
    const t1 = await ensureCommitTree(repo, await commitInfo(repo, first, signal), ctx);
    const before = await contents(t1.dir);
    const t2 = await ensureCommitTree(repo, await commitInfo(repo, second, signal), ctx);

    expect(await contents(t2.dir)).toEqual({ 'pythran/__init__.py': '', 'pythran/version.py': "__version__ = '0.15.0'\n", 'pythran/pythonic/a.hpp': 'a2\n', 'pythran/pythonic/new.hpp': 'new\n' });
    expect(await contents(t1.dir)).toEqual(before);
    expect(before['pythran/pythonic/a.hpp']).toBe('a1\n');
    // Unchanged files are shared (hard links), changed ones are not.
    const ino = async (d: string, f: string) => (await stat(path.join(d, f))).ino;
    expect(await ino(t2.dir, 'pythran/version.py')).toBe(await ino(t1.dir, 'pythran/version.py'));
    expect(await ino(t2.dir, 'pythran/pythonic/a.hpp')).not.toBe(await ino(t1.dir, 'pythran/pythonic/a.hpp'));
    // Each commit's vendored headers, through its own link.
    expect(await readFile(path.join(t1.dir, 'pythran/boost/b.hpp'), 'utf8')).toBe('boost\n');
    expect(await readFile(path.join(t2.dir, 'pythran/boost/b.hpp'), 'utf8')).toBe('boost2\n');
  });
});
