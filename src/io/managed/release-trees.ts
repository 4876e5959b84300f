/**
 * Release trees: a Pythran release from PyPI, unpacked from its wheel into
 * <cache>/pythran/release-VERSION/, and the list of releases on PyPI.
 */
import path from 'node:path';
import { z } from 'zod';
import { compareVersions, isValidVersion } from '../../core/compat.js';
import { InputError, PythonEnvError } from '../../errors.js';
import { makeTempDir, removeQuietly, withLock, writeFileAtomic } from '../cache.js';
import { run } from '../exec.js';
import { lastLines, type PythranTree } from '../probe.js';
import { basePython, checkVendored, findUv, publishTree, readMarker, readTree, touch, treesDir, type DepsEnv, type EnvContext } from './shared.js';

function notOnPypi(version: string, output: string): InputError | null {
  if (!/No matching distribution found for pythran|no version of pythran==|Because pythran==\S+ was not found/i.test(output)) return null;
  const available = /from versions: ([^)]*)\)/.exec(output)?.[1];
  const newest = available?.split(',').map((v) => v.trim()).filter(Boolean).pop();
  return new InputError(`Pythran ${version} is not a release on PyPI${newest !== undefined ? ` (the newest is ${newest})` : ''}.`, {
    hint: 'pick a release from https://pypi.org/project/pythran/#history',
  });
}

/** An unpacked release wheel from PyPI. */
export async function ensureReleaseTree(version: string, deps: DepsEnv, ctx: EnvContext): Promise<PythranTree> {
  const dir = path.join(treesDir(ctx.cache), `release-${version}`);
  let tree = await readTree(dir);
  if (tree === null) {
    await withLock(`${dir}.lock-target`, async () => {
      if ((await readTree(dir)) !== null) return;
      ctx.progress.step(`Fetching Pythran ${version} from PyPI...`);
      const work = await makeTempDir(ctx.cache, `release-${version}`);
      try {
        const uv = await findUv(ctx.signal);
        // The wheel where PyPI has one; a few releases (0.16.1) have only an sdist, built into a wheel here.
        // (uv takes a release's wheel when there is one, without being asked.)
        const args = ['install', '--no-deps', '--target', work, `pythran==${version}`];
        const res = uv !== null
          ? await run(uv, ['pip', ...args, '--python', deps.python, '--quiet'], { timeoutMs: 10 * 60_000, signal: ctx.signal })
          : await run(deps.python, ['-m', 'pip', ...args, '--prefer-binary', '--disable-pip-version-check', '--no-input'], {
              timeoutMs: 10 * 60_000,
              signal: ctx.signal,
            });
        if (res.exitCode !== 0) {
          const text = `${res.stdout}\n${res.stderr}`;
          throw notOnPypi(version, text) ?? new PythonEnvError(`could not fetch Pythran ${version} from PyPI: ${lastLines(text, 4)}`, { hint: 'check network access to PyPI' });
        }
        await checkVendored(work, `the Pythran ${version} wheel`);
        await publishTree(work, dir, { kind: 'release', version, commit: null, subject: null, contentId: null, repo: null });
      } finally {
        await removeQuietly(work);
      }
    });
    tree = await readTree(dir);
    if (tree === null) throw new PythonEnvError(`the Pythran ${version} tree at ${dir} is broken.`, { hint: `remove it (rm -rf '${dir}') and run again` });
  }
  await touch(dir);
  return tree;
}

// ---------------------------------------------------------------- releases on PyPI

const ReleasesCache = z.object({ versions: z.array(z.string()), checked: z.number() });
const RELEASES_TTL_MS = 3600 * 1000;

/** Every Pythran release on PyPI, oldest first (pre-releases left out); remembered for an hour. */
export async function pypiReleases(ctx: EnvContext): Promise<string[]> {
  const file = path.join(ctx.cache.root, 'pythran-releases.json');
  const cached = await readMarker(file, ReleasesCache);
  if (cached !== null && Date.now() - cached.checked < RELEASES_TTL_MS) return cached.versions;
  ctx.progress.step('Asking PyPI for the Pythran releases...');
  const res = await run(basePython(), ['-m', 'pip', 'index', 'versions', 'pythran', '--disable-pip-version-check'], { timeoutMs: 120_000, signal: ctx.signal });
  const listed = /Available versions:\s*(.*)$/m.exec(res.stdout)?.[1];
  if (res.exitCode !== 0 || listed === undefined) {
    if (cached !== null) return cached.versions;
    throw new PythonEnvError(`could not ask PyPI for the Pythran releases: ${lastLines(res.stderr || res.stdout, 2)}`, { hint: 'check network access to PyPI' });
  }
  const versions = listed
    .split(',')
    .map((v) => v.trim())
    .filter((v) => isValidVersion(v) && !/(a|b|rc)\d+/.test(v))
    .sort(compareVersions);
  await writeFileAtomic(file, JSON.stringify({ versions, checked: Date.now() })).catch(() => undefined);
  return versions;
}

