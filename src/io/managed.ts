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
 */
import { lstat, mkdir, readdir, readFile, readlink, rename, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { checkPythonSupported, compareVersions, dependencySet, isValidVersion } from '../core/compat.js';
import { CancelledError, InputError, PythonEnvError } from '../errors.js';
import type { Progress } from '../progress.js';
import { makeTempDir, removeQuietly, sha256, withLock, writeFileAtomic, type CacheLayout } from './cache.js';
import { run } from './exec.js';
import { exportPaths, sourceLayout, type CommitInfo } from './git.js';
import { describe, lastLines, probePython, safeJson, type ProbeOutput, type PythonEnv, type PythranTree } from './probe.js';

export interface EnvContext {
  cache: CacheLayout;
  signal: AbortSignal;
  progress: Progress;
}

/** Base interpreter that managed environments are made from. */
export function basePython(): string {
  return process.env.PYTHRAN_LEAKCHECK_BASE_PYTHON ?? 'python3';
}

function treesDir(cache: CacheLayout): string {
  return path.join(cache.root, 'pythran');
}

const ENV_MARKER = 'leakcheck-env.json';
const TREE_MARKER = 'leakcheck-tree.json';
const LAST_USED = 'leakcheck-last-used';

const DepsMarker = z.object({
  kind: z.literal('deps'),
  python: z.string(),
  requirements: z.array(z.string()),
  installer: z.enum(['uv', 'pip']),
  installed: z.record(z.string(), z.string()).default({}),
  created: z.string(),
});

const TreeMarker = z.object({
  kind: z.enum(['release', 'commit']),
  version: z.string(),
  commit: z.string().nullable(),
  subject: z.string().nullable(),
  contentId: z.string().nullable(),
  compileId: z.string().nullable().default(null),
  pythonicId: z.string().nullable().default(null),
  repo: z.string().nullable(),
  created: z.string(),
});

// ---------------------------------------------------------------- base and installer

let baseProbe: Promise<ProbeOutput> | null = null;

export function probeBase(ctx: { signal: AbortSignal }): Promise<ProbeOutput> {
  baseProbe ??= probePython(basePython(), ctx).catch((error: unknown) => {
    baseProbe = null;
    if (error instanceof CancelledError) throw error;
    throw new PythonEnvError(`managed environments are made with '${basePython()}', which could not be run.`, {
      hint: 'install Python 3 with venv (or set PYTHRAN_LEAKCHECK_BASE_PYTHON), or use --python PATH with an interpreter that has Pythran',
      cause: error,
    });
  });
  return baseProbe;
}

function pythonTag(version: string): string {
  return `cp${version.split('.').slice(0, 2).join('')}`;
}

let uvFound: Promise<string | null> | null = null;

/** uv when it can be used ($PYTHRAN_LEAKCHECK_UV, else `uv` on PATH), unless PYTHRAN_LEAKCHECK_NO_UV is set. */
export function findUv(signal: AbortSignal): Promise<string | null> {
  if (process.env.PYTHRAN_LEAKCHECK_NO_UV !== undefined && process.env.PYTHRAN_LEAKCHECK_NO_UV !== '') return Promise.resolve(null);
  uvFound ??= (async () => {
    const uv = process.env.PYTHRAN_LEAKCHECK_UV ?? 'uv';
    const res = await run(uv, ['--version'], { timeoutMs: 30_000, signal });
    return res.exitCode === 0 ? uv : null;
  })();
  return uvFound;
}

async function touch(dir: string): Promise<void> {
  await writeFile(path.join(dir, LAST_USED), new Date().toISOString()).catch(() => undefined);
}

async function readMarker<T>(file: string, schema: z.ZodType<T>): Promise<T | null> {
  const parsed = schema.safeParse(safeJson(await readFile(file, 'utf8').catch(() => '')));
  return parsed.success ? parsed.data : null;
}

function notOnPypi(version: string, output: string): InputError | null {
  if (!/No matching distribution found for pythran|no version of pythran==|Because pythran==\S+ was not found/i.test(output)) return null;
  const available = /from versions: ([^)]*)\)/.exec(output)?.[1];
  const newest = available?.split(',').map((v) => v.trim()).filter(Boolean).pop();
  return new InputError(`Pythran ${version} is not a release on PyPI${newest !== undefined ? ` (the newest is ${newest})` : ''}.`, {
    hint: 'pick a release from https://pypi.org/project/pythran/#history',
  });
}

// ---------------------------------------------------------------- dependency-set environments

export interface DepsEnv {
  dir: string;
  python: string;
  requirements: string[];
}

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
  const uv = await findUv(ctx.signal);
  ctx.progress.note(`Making a Python ${base.python} environment with ${requirements.join(' ')} in ${dir} (first use; ${uv !== null ? 'uv' : 'pip'})...`);
  await removeQuietly(dir);
  const python = path.join(dir, 'bin', 'python');
  const venv = uv !== null
    ? await run(uv, ['venv', '--quiet', '--python', base.executable, dir], { timeoutMs: 300_000, signal: ctx.signal })
    : await run(base.executable, ['-m', 'venv', dir], { timeoutMs: 300_000, signal: ctx.signal });
  if (venv.exitCode !== 0) {
    await removeQuietly(dir);
    throw new PythonEnvError(`could not create a virtual environment: ${lastLines(venv.stderr || venv.stdout, 3)}`, {
      hint: "install the venv module (Debian: 'apt-get install python3-venv')",
    });
  }
  const install = uv !== null
    ? await run(uv, ['pip', 'install', '--quiet', '--python', python, ...requirements], { timeoutMs: 20 * 60_000, signal: ctx.signal })
    : await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--prefer-binary', ...requirements], {
        timeoutMs: 20 * 60_000,
        signal: ctx.signal,
      });
  if (install.exitCode !== 0) {
    await removeQuietly(dir);
    throw new PythonEnvError(`could not install ${requirements.join(', ')} on Python ${base.python}: ${lastLines(`${install.stdout}\n${install.stderr}`, 4)}`, {
      hint: 'check network access to PyPI',
    });
  }
  const probe = await probePython(python, ctx).catch(() => null);
  const installed: Record<string, string> = {};
  if (probe !== null) for (const k of ['numpy', 'gast', 'beniget', 'psutil'] as const) if (probe[k] !== null) installed[k] = probe[k] as string;
  await writeFileAtomic(
    path.join(dir, ENV_MARKER),
    JSON.stringify({ kind: 'deps', python: base.python, requirements, installer: uv !== null ? 'uv' : 'pip', installed, created: new Date().toISOString() }, null, 2),
  );
}

// ---------------------------------------------------------------- Pythran trees

/** Refuse a tree without Pythran's own boost and xsimd: the system's would be used silently. */
async function checkVendored(dir: string, what: string): Promise<void> {
  for (const sub of ['pythonic', 'boost', 'xsimd']) {
    const st = await stat(path.join(dir, 'pythran', sub)).catch(() => null);
    if (st === null || !st.isDirectory()) {
      throw new PythonEnvError(`${what} has no pythran/${sub}/: refusing to build with it rather than use the system's headers.`, {
        hint: sub === 'pythonic' ? 'is this a Pythran checkout?' : 'releases up to 0.14.0 keep them in third_party/; later ones in pythran/',
      });
    }
  }
}

export async function readTree(dir: string): Promise<PythranTree | null> {
  const m = await readMarker(path.join(dir, TREE_MARKER), TreeMarker);
  if (m === null) return null;
  return { kind: m.kind, dir, version: m.version, commit: m.commit, subject: m.subject, contentId: m.contentId, compileId: m.compileId, pythonicId: m.pythonicId };
}

/** Write a finished tree's marker and move it into place (replacing a broken one): readers see all of it or none. */
async function publishTree(from: string, dir: string, marker: Record<string, unknown>): Promise<void> {
  await writeFile(path.join(from, TREE_MARKER), JSON.stringify({ ...marker, created: new Date().toISOString() }, null, 2));
  await mkdir(path.dirname(dir), { recursive: true });
  await removeQuietly(dir);
  await rename(from, dir);
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

// ---------------------------------------------------------------- environments

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

// ---------------------------------------------------------------- listing and pruning

export interface CacheEntry {
  kind: 'deps' | 'release' | 'commit' | 'objects' | 'legacy' | 'builds';
  name: string;
  path: string;
  detail: string;
  lastUsed: string | null;
  bytes: number | null;
}

async function lastUsedOf(dir: string): Promise<string | null> {
  const text = await readFile(path.join(dir, LAST_USED), 'utf8').catch(() => null);
  if (text !== null) return text.trim();
  const st = await stat(dir).catch(() => null);
  return st === null ? null : st.mtime.toISOString();
}

async function sizeOf(target: string, signal: AbortSignal): Promise<number | null> {
  const res = await run('du', ['-sk', target], { timeoutMs: 120_000, signal });
  const kb = Number(res.stdout.split(/\s/)[0]);
  return res.exitCode === 0 && Number.isFinite(kb) ? kb * 1024 : null;
}

async function dirs(parent: string): Promise<string[]> {
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

export async function listCache(cache: CacheLayout, signal: AbortSignal, withSizes: boolean): Promise<CacheEntry[]> {
  const out: CacheEntry[] = [];
  const size = (p: string) => (withSizes ? sizeOf(p, signal) : Promise.resolve(null));
  for (const name of await dirs(cache.envs)) {
    const dir = path.join(cache.envs, name);
    if (name.startsWith('deps-')) {
      const m = await readMarker(path.join(dir, ENV_MARKER), DepsMarker);
      const installed = m === null ? '' : Object.entries(m.installed).map(([k, v]) => `${k} ${v}`).join(', ');
      out.push({
        kind: 'deps',
        name,
        path: dir,
        detail: m === null ? 'incomplete' : `Python ${m.python}; ${installed || m.requirements.join(' ')} (${m.installer})`,
        lastUsed: await lastUsedOf(dir),
        bytes: await size(dir),
      });
    } else if (/^pythran-.*-cp\d+$/.test(name)) {
      out.push({ kind: 'legacy', name, path: dir, detail: 'one environment per release (older layout; prune removes it)', lastUsed: await lastUsedOf(dir), bytes: await size(dir) });
    }
  }
  const trees = treesDir(cache);
  for (const name of await dirs(trees)) {
    const dir = path.join(trees, name);
    if (name === 'objects') {
      const n = (await dirs(dir)).length;
      out.push({ kind: 'objects', name, path: dir, detail: `${n} vendored header folder(s) shared by commit trees`, lastUsed: null, bytes: await size(dir) });
      continue;
    }
    const t = await readTree(dir);
    if (t === null) continue;
    const detail = t.kind === 'release' ? `Pythran ${t.version} from PyPI` : `Pythran ${t.version} at ${t.commit?.slice(0, 12) ?? '?'} ${t.subject ?? ''}`.trim();
    out.push({ kind: t.kind, name, path: dir, detail, lastUsed: await lastUsedOf(dir), bytes: await size(dir) });
  }
  const shards = (await dirs(cache.builds)).filter((d) => d !== 'from-cpp');
  const buildCount = (await Promise.all(shards.map(async (d) => (await dirs(path.join(cache.builds, d))).length))).reduce((a, b) => a + b, 0);
  out.push({ kind: 'builds', name: 'builds', path: cache.builds, detail: `${buildCount} built module(s)`, lastUsed: null, bytes: await size(cache.builds) });
  return out;
}

export interface PruneOptions {
  /** Remove everything, in use recently or not. */
  all: boolean;
  /** Remove what has not been used for this many days. */
  olderThanDays: number;
  dryRun: boolean;
}

/** Remove unused environments, trees and builds; returns what was (or would be) removed. */
export async function pruneCache(cache: CacheLayout, opts: PruneOptions, signal: AbortSignal): Promise<CacheEntry[]> {
  const cutoff = Date.now() - opts.olderThanDays * 24 * 3600 * 1000;
  const stale = (used: string | null) => opts.all || used === null || Date.parse(used) < cutoff;
  const entries = await listCache(cache, signal, true);
  const removed: CacheEntry[] = [];
  const remove = async (e: CacheEntry) => {
    removed.push(e);
    if (!opts.dryRun) await withLock(`${e.path}.lock-target`, () => removeQuietly(e.path), { waitMs: 10_000 });
  };
  for (const e of entries) {
    if (e.kind === 'legacy' || ((e.kind === 'deps' || e.kind === 'release' || e.kind === 'commit') && stale(e.lastUsed))) await remove(e);
  }
  // Shared header folders that no remaining commit tree links to.
  const objects = path.join(treesDir(cache), 'objects');
  const kept = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'commit' || removed.includes(e)) continue;
    for (const sub of ['boost', 'xsimd']) {
      const link = path.join(e.path, 'pythran', sub);
      const st = await lstat(link).catch(() => null);
      if (st?.isSymbolicLink() === true) kept.add(path.basename(await readlink(link)));
    }
  }
  for (const name of await dirs(objects)) {
    if (!kept.has(name)) await remove({ kind: 'objects', name, path: path.join(objects, name), detail: 'vendored headers no tree uses', lastUsed: null, bytes: null });
  }
  // Builds: by the age of their record.
  for (const shard of await dirs(cache.builds)) {
    if (shard === 'from-cpp') {
      // Modules compiled from a commit's C++ (io/tree-compile.ts), by age.
      for (const sub of await dirs(path.join(cache.builds, shard))) {
        for (const f of await readdir(path.join(cache.builds, shard, sub)).catch(() => [])) {
          const file = path.join(cache.builds, shard, sub, f);
          const st = await stat(file).catch(() => null);
          if (opts.all || st === null || st.mtimeMs < cutoff) await remove({ kind: 'builds', name: f, path: file, detail: 'module compiled from C++', lastUsed: null, bytes: st?.size ?? null });
        }
      }
      continue;
    }
    for (const name of await dirs(path.join(cache.builds, shard))) {
      const dir = path.join(cache.builds, shard, name);
      const st = await stat(path.join(dir, 'build.json')).catch(() => null);
      if (opts.all || st === null || st.mtimeMs < cutoff) {
        await remove({ kind: 'builds', name, path: dir, detail: 'built module', lastUsed: st?.mtime.toISOString() ?? null, bytes: null });
      }
    }
  }
  return removed;
}
