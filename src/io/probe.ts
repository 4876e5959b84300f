/**
 * Describe a Python environment: run python/probe.py in it (without importing
 * Pythran) and identify the C++ compiler Pythran will use.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PythonEnvError } from '../errors.js';
import { run } from './exec.js';
import { sha256, type CacheLayout } from './cache.js';
import { remembered } from './probe-cache.js';
import { chooseBlas, type BlasChoice } from '../core/blas.js';

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
  pythranrcPath: z.string().nullable().default(null),
  /** Version of the pythran-openblas package installed there (core/blas.ts), null when none. */
  blasPackage: z.string().nullable().default(null),
  buildEnv: z.record(z.string(), z.string()),
  /** Folders whose change makes the description stale: site-packages, PYTHONPATH (io/probe-cache.ts). */
  stamps: z.array(z.string()).default([]),
});
export type ProbeOutput = z.infer<typeof ProbeOutput>;

/** A Pythran put on the path of a dependency-set environment: a release wheel or a commit's sources. */
export interface PythranTree {
  kind: 'release' | 'commit';
  /** The folder put on PYTHONPATH (holds pythran/). */
  dir: string;
  /** pythran/version.py or the wheel's metadata (not bumped between releases: see commit). */
  version: string;
  /** For a commit tree: the commit it was exported from (recorded by this tool). */
  commit: string | null;
  subject: string | null;
  /** For a commit tree: the hash of the git objects it was made from. */
  contentId: string | null;
  /** For a commit tree: the hash of its headers and compiler configuration (see io/git.ts). */
  compileId?: string | null;
  /** For a commit tree: the git tree id of pythran/pythonic. */
  pythonicId?: string | null;
}

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
  /** The Pythran tree on the path, for a managed environment. */
  tree?: PythranTree;
  /** The BLAS Pythran links (core/blas.ts): the managed one, or the user's configuration. */
  blas: BlasChoice;
}

/** Run python/probe.py with `python`; with a cache, only when what it said last time may have changed. */
export function probePython(python: string, ctx: { signal: AbortSignal; cache?: CacheLayout }, env: Record<string, string> = {}): Promise<ProbeOutput> {
  return remembered(ctx.cache, 'probe', python, env, ProbeOutput, (p, resolved) => [...(resolved === null ? [] : [resolved]), p.executable, ...p.stamps], () =>
    runProbe(python, ctx, env),
  );
}

async function runProbe(python: string, ctx: { signal: AbortSignal }, env: Record<string, string>): Promise<ProbeOutput> {
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

const compilers = new Map<string, Promise<{ id: string; found: boolean }>>();

const CompilerId = z.object({ id: z.string(), found: z.boolean() });

/** `<cxx> --version`, asked once per compiler per process, and with a cache only when the compiler changed. */
export function compilerIdentity(cxx: string, signal: AbortSignal, cache?: CacheLayout): Promise<{ id: string; found: boolean }> {
  let known = compilers.get(cxx);
  if (known === undefined) {
    const ask = () =>
      run(cxx, ['--version'], { timeoutMs: 30_000, signal }).then((res) =>
        res.failedToStart || res.exitCode !== 0 ? { id: `${cxx} (not found)`, found: false } : { id: res.stdout.split('\n')[0]?.trim() ?? cxx, found: true },
      );
    // A compiler not found is asked again next time: it may have been installed since.
    known = remembered(cache, 'cxx', cxx, {}, CompilerId, (_id, resolved) => (resolved === null ? [] : [resolved]), ask);
    known.catch(() => compilers.delete(cxx));
    compilers.set(cxx, known);
  }
  return known;
}

export async function describe(
  python: string,
  managed: boolean,
  ctx: { signal: AbortSignal; cache?: CacheLayout },
  env: Record<string, string> = {},
  tree?: PythranTree,
): Promise<PythonEnv> {
  const probe = await probePython(python, ctx, env);
  if (probe.pythran === null) {
    throw new PythonEnvError(`the Python at ${probe.executable} has no Pythran.`, {
      hint: `install it there ('${python} -m pip install pythran'), or let this tool make an environment with --pythran VERSION`,
    });
  }
  if (probe.numpy === null) {
    throw new PythonEnvError(`the Python at ${probe.executable} has Pythran but no numpy.`, { hint: `'${python} -m pip install numpy'` });
  }
  if (tree !== undefined && probe.pythranLocation !== null && path.resolve(probe.pythranLocation) !== path.join(tree.dir, 'pythran')) {
    throw new PythonEnvError(`the environment at ${probe.prefix} imports Pythran from ${probe.pythranLocation}, not from ${tree.dir}.`, {
      hint: 'remove Pythran from that environment, or remove the environment and let this tool make it again',
    });
  }
  const compiler = await compilerIdentity(probe.cxx, ctx.signal, ctx.cache);
  return {
    python,
    probe,
    // version.py is not bumped between releases: a commit tree's commit is recorded by this tool.
    pythran: { version: probe.pythran, commit: tree?.commit ?? probe.pythranCommit },
    compiler: compiler.id,
    compilerFound: compiler.found,
    env,
    managed,
    blas: chooseBlas({ managed, rcText: probe.pythranrc, blasPackageVersion: probe.blasPackage }),
    ...(tree !== undefined ? { tree } : {}),
  };
}

export function safeJson(text: string): unknown {
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

/** What the C++ toolchain contributes to a binary: interpreter ABI, numpy, compiler, flags, .pythranrc. */
export function toolchainKey(env: PythonEnv) {
  return {
    python: env.probe.python,
    abi: env.probe.extSuffix,
    numpy: env.probe.numpy,
    compiler: env.compiler,
    cxx: env.probe.cxx,
    buildEnv: env.probe.buildEnv,
    pythranrc: env.probe.pythranrc === null ? null : sha256(env.probe.pythranrc),
    // Every --config Pythran gets: the managed BLAS and any --pythran-config setting.
    blas: { setting: env.blas.setting, source: env.blas.source, version: env.blas.packageVersion, args: env.blas.configArgs },
  };
}
