/**
 * Python environments: the user's interpreter (--python), or a managed
 * environment with one Pythran release from PyPI, made on first use in the
 * cache and reused afterwards.
 */
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError, PythonEnvError } from '../errors.js';
import { checkPythonSupported, requirementsFor, isValidVersion } from '../core/compat.js';
import type { Progress } from '../progress.js';
import { run } from './exec.js';
import { removeQuietly, withLock, writeFileAtomic, type CacheLayout } from './cache.js';

export const PYTHON_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'python');

const ProbeOutput = z.object({
  executable: z.string(),
  prefix: z.string(),
  python: z.string(),
  implementation: z.string(),
  extSuffix: z.string(),
  soabi: z.string().nullable(),
  pythran: z.string().nullable(),
  pythranCommit: z.string().nullable(),
  pythranLocation: z.string().nullable(),
  numpy: z.string().nullable(),
  psutil: z.string().nullable(),
  gast: z.string().nullable(),
  beniget: z.string().nullable(),
  cxx: z.string(),
  pythranrc: z.string().nullable(),
  buildEnv: z.record(z.string(), z.string()),
});
export type ProbeOutput = z.infer<typeof ProbeOutput>;

export interface PythonEnv {
  /** The interpreter to run builds and the harness with. */
  python: string;
  probe: ProbeOutput;
  pythran: { version: string; commit: string | null };
  /** First line of `<cxx> --version`, or a note that the compiler is missing. */
  compiler: string;
  compilerFound: boolean;
  /** Extra environment for every subprocess (PYTHONPATH for a Pythran tree on the path). */
  env: Record<string, string>;
  managed: boolean;
}

export interface EnvContext {
  cache: CacheLayout;
  signal: AbortSignal;
  progress: Progress;
}

export interface EnvRequest {
  python?: string;
  pythran?: string;
}

export async function probePython(python: string, ctx: { signal: AbortSignal }, env: Record<string, string> = {}): Promise<ProbeOutput> {
  const res = await run(python, [path.join(PYTHON_DIR, 'probe.py')], { timeoutMs: 60_000, signal: ctx.signal, env });
  if (res.failedToStart) {
    throw new PythonEnvError(`cannot run the Python interpreter '${python}'.`, {
      hint: 'check the path given to --python, or install Python 3',
    });
  }
  if (res.exitCode !== 0) {
    throw new PythonEnvError(`'${python}' could not describe itself (exit ${res.exitCode ?? res.signal}): ${lastLines(res.stderr, 3)}`);
  }
  const parsed = ProbeOutput.safeParse(safeJson(res.stdout));
  if (!parsed.success) throw new PythonEnvError(`'${python}' gave an unexpected description of itself: ${res.stdout.slice(0, 200)}`);
  return parsed.data;
}

async function compilerIdentity(cxx: string, signal: AbortSignal): Promise<{ id: string; found: boolean }> {
  const res = await run(cxx, ['--version'], { timeoutMs: 30_000, signal });
  if (res.failedToStart || res.exitCode !== 0) return { id: `${cxx} (not found)`, found: false };
  return { id: res.stdout.split('\n')[0]?.trim() ?? cxx, found: true };
}

async function describe(python: string, managed: boolean, ctx: { signal: AbortSignal }, env: Record<string, string> = {}): Promise<PythonEnv> {
  const probe = await probePython(python, ctx, env);
  if (probe.pythran === null) {
    throw new PythonEnvError(`the Python at ${probe.executable} has no Pythran.`, {
      hint: `install it there ('${python} -m pip install pythran'), or let this tool make an environment with --pythran VERSION`,
    });
  }
  if (probe.numpy === null) {
    throw new PythonEnvError(`the Python at ${probe.executable} has Pythran but no numpy.`, { hint: `'${python} -m pip install numpy'` });
  }
  const compiler = await compilerIdentity(probe.cxx, ctx.signal);
  return {
    python,
    probe,
    pythran: { version: probe.pythran, commit: probe.pythranCommit },
    compiler: compiler.id,
    compilerFound: compiler.found,
    env,
    managed,
  };
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

/** Base interpreter that managed environments are made from. */
function basePython(): string {
  return process.env.PYTHRAN_LEAKCHECK_BASE_PYTHON ?? 'python3';
}

const EnvMarker = z.object({ pythran: z.string(), requirements: z.array(z.string()), created: z.string() });

export async function ensureManagedEnv(version: string, ctx: EnvContext): Promise<PythonEnv> {
  if (!isValidVersion(version)) {
    throw new InputError(`'${version}' is not a Pythran version number.`, { hint: 'give a release such as 0.15.0 or 0.16.1' });
  }
  const base = await probePython(basePython(), ctx).catch((error: unknown) => {
    throw new PythonEnvError(`managed environments are made with '${basePython()}', which could not be run.`, {
      hint: 'install Python 3 with venv, or use --python PATH with an interpreter that has Pythran',
      cause: error,
    });
  });
  const unsupported = checkPythonSupported(version, base.python);
  if (unsupported !== null) {
    throw new InputError(unsupported, { hint: 'pick another release with --pythran, or use --python with an older interpreter' });
  }
  const tag = `cp${base.python.split('.').slice(0, 2).join('')}`;
  const dir = path.join(ctx.cache.envs, `pythran-${version}-${tag}`);
  const python = path.join(dir, 'bin', 'python');
  const marker = path.join(dir, 'leakcheck-env.json');
  const ready = async () => EnvMarker.safeParse(safeJson(await readFile(marker, 'utf8').catch(() => ''))).success;

  if (!(await ready())) {
    await withLock(`${dir}.lock-target`, async () => {
      if (await ready()) return;
      await createEnv(version, base.executable, dir, ctx);
    });
  }
  try {
    return await describe(python, true, ctx);
  } catch (error) {
    throw new PythonEnvError(`the managed environment for Pythran ${version} at ${dir} is broken.`, {
      hint: `remove it (rm -rf '${dir}') and run again`,
      cause: error,
    });
  }
}

async function createEnv(version: string, baseExecutable: string, dir: string, ctx: EnvContext): Promise<void> {
  const reqs = requirementsFor(version);
  ctx.progress.note(`Setting up Pythran ${version} in ${dir} (first use; this takes a minute)...`);
  await removeQuietly(dir);
  ctx.progress.step(`  creating a virtual environment with ${baseExecutable}`);
  const venv = await run(baseExecutable, ['-m', 'venv', dir], { timeoutMs: 300_000, signal: ctx.signal });
  if (venv.exitCode !== 0) {
    await removeQuietly(dir);
    throw new PythonEnvError(`could not create a virtual environment: ${lastLines(venv.stderr || venv.stdout, 3)}`, {
      hint: "install the venv module (Debian: 'apt-get install python3-venv')",
    });
  }
  ctx.progress.step(`  installing ${reqs.join(' ')}`);
  const pip = await run(
    path.join(dir, 'bin', 'python'),
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--prefer-binary', ...reqs],
    { timeoutMs: 20 * 60_000, signal: ctx.signal },
  );
  if (pip.exitCode !== 0) {
    await removeQuietly(dir);
    const text = `${pip.stdout}\n${pip.stderr}`;
    if (/No matching distribution found for pythran/i.test(text)) {
      const available = /from versions: ([^)]*)\)/.exec(text)?.[1];
      const newest = available?.split(',').map((v) => v.trim()).filter(Boolean).pop();
      throw new InputError(
        `Pythran ${version} is not a release on PyPI${newest !== undefined ? ` (the newest is ${newest})` : ''}.`,
        { hint: 'pick a release from https://pypi.org/project/pythran/#history with --pythran' },
      );
    }
    throw new PythonEnvError(
      `could not install Pythran ${version} and its dependencies (${reqs.join(', ')}) on Python ${baseExecutable}: ${lastLines(text, 4)}`,
      { hint: 'check network access to PyPI; a release this old may not support this Python' },
    );
  }
  await writeFileAtomic(
    path.join(dir, 'leakcheck-env.json'),
    JSON.stringify({ pythran: version, requirements: reqs, created: new Date().toISOString() }, null, 2),
  );
  ctx.progress.note(`Pythran ${version} is ready.`);
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

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function lastLines(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .join(' / ');
}
