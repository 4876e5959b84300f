/**
 * What every kind of managed entry shares: the context, the base interpreter
 * and installer, the marker files, and how a Pythran tree is read, checked
 * and published. See io/managed.ts for the layout of the cache.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CancelledError, PythonEnvError } from '../../errors.js';
import type { Progress } from '../../progress.js';
import { removeQuietly, type CacheLayout } from '../cache.js';
import { run } from '../exec.js';
import { lastLines, probePython, safeJson, type ProbeOutput, type PythranTree } from '../probe.js';

export interface EnvContext {
  cache: CacheLayout;
  signal: AbortSignal;
  progress: Progress;
}

/** Base interpreter that managed environments are made from. */
export function basePython(): string {
  return process.env.PYTHRAN_LEAKCHECK_BASE_PYTHON ?? 'python3';
}

export function treesDir(cache: CacheLayout): string {
  return path.join(cache.root, 'pythran');
}

export const ENV_MARKER = 'leakcheck-env.json';
const TREE_MARKER = 'leakcheck-tree.json';
export const LAST_USED = 'leakcheck-last-used';

export const DepsMarker = z.object({
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

export function probeBase(ctx: { signal: AbortSignal; cache?: CacheLayout }): Promise<ProbeOutput> {
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

export function pythonTag(version: string): string {
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

export async function touch(dir: string): Promise<void> {
  await writeFile(path.join(dir, LAST_USED), new Date().toISOString()).catch(() => undefined);
}

export async function readMarker<T>(file: string, schema: z.ZodType<T>): Promise<T | null> {
  const parsed = schema.safeParse(safeJson(await readFile(file, 'utf8').catch(() => '')));
  return parsed.success ? parsed.data : null;
}

/** A dependency-set environment: a venv with no Pythran (see environments.ts). */
export interface DepsEnv {
  dir: string;
  python: string;
  requirements: string[];
}

// ---------------------------------------------------------------- Pythran trees

/** Refuse a tree without Pythran's own boost and xsimd: the system's would be used silently. */
export async function checkVendored(dir: string, what: string): Promise<void> {
  for (const sub of ['pythonic', 'boost', 'xsimd']) {
    const st = await stat(path.join(dir, 'pythran', sub)).catch(() => null);
    if (st === null || !st.isDirectory()) {
      throw new PythonEnvError(`${what} has no pythran/${sub}/: refusing to build with it rather than use the system's headers.`, {
        hint: sub === 'pythonic' ? 'is this a Pythran checkout?' : 'releases up to 0.14.0 keep them in third_party/; later ones in pythran/',
      });
    }
  }
}

/** The finished commit trees made from the checkout `repo`, newest first (to start a new one from). */
export async function commitTreesOf(repo: string, cache: CacheLayout): Promise<Array<{ dir: string; commit: string }>> {
  const root = treesDir(cache);
  const found: Array<{ dir: string; commit: string; created: string }> = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith('commit-')) continue;
    const m = await readMarker(path.join(root, name, TREE_MARKER), TreeMarker);
    if (m !== null && m.kind === 'commit' && m.repo === repo && m.commit !== null) found.push({ dir: path.join(root, name), commit: m.commit, created: m.created });
  }
  return found.sort((a, b) => b.created.localeCompare(a.created));
}

/** Files this tool adds to a tree (its marker, its last use), not part of the sources. */
export const TREE_FILES = [TREE_MARKER, LAST_USED];

export async function readTree(dir: string): Promise<PythranTree | null> {
  const m = await readMarker(path.join(dir, TREE_MARKER), TreeMarker);
  if (m === null) return null;
  return { kind: m.kind, dir, version: m.version, commit: m.commit, subject: m.subject, contentId: m.contentId, compileId: m.compileId, pythonicId: m.pythonicId };
}

/** Write a finished tree's marker and move it into place (replacing a broken one): readers see all of it or none. */
export async function publishTree(from: string, dir: string, marker: Record<string, unknown>): Promise<void> {
  await writeFile(path.join(from, TREE_MARKER), JSON.stringify({ ...marker, created: new Date().toISOString() }, null, 2));
  await mkdir(path.dirname(dir), { recursive: true });
  await removeQuietly(dir);
  await rename(from, dir);
}


// ---------------------------------------------------------------- virtual environments

/**
 * Make a venv at `dir` from the base interpreter and install `requirements`
 * from PyPI into it (uv when it can be used, else venv plus pip). A failure
 * removes the half-made folder. Returns the installer used.
 */
export async function createVenv(dir: string, base: ProbeOutput, requirements: string[], what: string, ctx: EnvContext): Promise<'uv' | 'pip'> {
  const uv = await findUv(ctx.signal);
  ctx.progress.note(`Making ${what} in ${dir} (first use; ${uv !== null ? 'uv' : 'pip'})...`);
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
  return uv !== null ? 'uv' : 'pip';
}
