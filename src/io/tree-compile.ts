/**
 * The Pythran call of a build. For a commit tree it runs in two steps:
 * Pythran's front end writes the C++ (`pythran -E`, under a second), then the
 * C++ is compiled, unless a module was already compiled from the same C++
 * with the same included pythonic headers (followed through their #include
 * lines) and the same boost, xsimd and compiler configuration (the tree's
 * compileId), in which case that module is copied. Commits that change only Pythran's Python
 * side, or nothing this repro uses, then cost the front end and not the C++
 * compiler: most of a bisection's points.
 */
import { chmod, copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256, withLock, type CacheLayout } from './cache.js';
import { run, type ExecResult } from './exec.js';
import { toolchainKey, type PythonEnv } from './probe.js';
import { PYTHON_DIR } from './probe.js';

const PYTHRAN = 'import sys; from pythran.run import run; sys.argv[0] = "pythran"; sys.exit(run())';

export interface CompileContext {
  cache: CacheLayout;
  signal: AbortSignal;
  timeoutMs: number;
}

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*(?:<([^>\n]+)>|"([^"\n]+)"|([A-Za-z_]))/gm;

/**
 * The pythonic headers that the generated C++ includes, followed through
 * every #include line (whatever #if surrounds it: a superset is safe), with a
 * hash of each one's content. null when an #include names a macro, which
 * cannot be followed: then the whole pythonic folder counts.
 */
export async function includedHeaders(cppText: string, cppPath: string, pythranDir: string): Promise<Array<[string, string]> | null> {
  const pythonic = path.join(pythranDir, 'pythonic') + path.sep;
  const seen = new Map<string, string>();
  const todo: Array<{ file: string; text: string }> = [{ file: cppPath, text: cppText }];
  while (todo.length > 0) {
    const { file, text } = todo.pop() as { file: string; text: string };
    for (const m of text.matchAll(INCLUDE)) {
      if (m[3] !== undefined) return null;
      const name = m[1] ?? m[2] ?? '';
      for (const base of m[2] !== undefined ? [path.dirname(file), pythranDir] : [pythranDir, path.dirname(file)]) {
        const candidate = path.normalize(path.join(base, name));
        if (!candidate.startsWith(pythonic)) continue;
        if (seen.has(candidate)) break;
        const body = await readFile(candidate, 'utf8').catch(() => null);
        if (body === null) continue;
        seen.set(candidate, sha256(body));
        todo.push({ file: candidate, text: body });
        break;
      }
    }
  }
  return [...seen.entries()].map(([f, h]): [string, string] => [path.relative(pythranDir, f), h]).sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * The compiler cache of commit-tree builds (python/cxx_cache.py), as the executable Pythran
 * is given for CXX: objects keyed by the preprocessed C++, so commits whose headers changed
 * in ways this repro's C++ does not see (or only in lines the preprocessor drops) compile
 * nothing. Only for g++ (the compiler identity decides flags in Pythran's toolchain).
 * null when the compiler is another one.
 */
async function cxxCache(env: PythonEnv, cache: CacheLayout): Promise<{ config: string[]; env: Record<string, string> } | null> {
  if (!env.compilerFound || !/\bgcc\b|g\+\+/.test(env.compiler)) return null;
  const dir = path.join(cache.root, 'cxx');
  const script = `#!/bin/sh\nexec '${env.python.replaceAll("'", "'\\''")}' -S -E '${path.join(PYTHON_DIR, 'cxx_cache.py').replaceAll("'", "'\\''")}' "$@"\n`;
  const wrapper = path.join(dir, `cxx-${sha256(script).slice(0, 12)}.sh`);
  if ((await stat(wrapper).catch(() => null)) === null) {
    await mkdir(dir, { recursive: true });
    const tmp = `${wrapper}.${process.pid}.tmp`;
    await writeFile(tmp, script);
    await chmod(tmp, 0o755);
    await rename(tmp, wrapper);
  }
  return {
    config: ['--config', `compiler.CXX=${wrapper}`],
    env: { PYTHRAN_LEAKCHECK_REAL_CXX: env.probe.cxx, PYTHRAN_LEAKCHECK_CXX_CACHE: path.join(dir, 'objects') },
  };
}

/** Run Pythran on `copy` (in `work`) to produce `out`; the result reads like one Pythran call. */
export async function compileWithPythran(copy: string, out: string, work: string, env: PythonEnv, ctx: CompileContext): Promise<ExecResult> {
  const opts = { timeoutMs: ctx.timeoutMs, signal: ctx.signal, cwd: work, env: { ...env.env, TMPDIR: work } };
  const compileId = env.tree?.compileId ?? null;
  // The BLAS configuration (core/blas.ts): `--config compiler.blas=...` for a managed environment, nothing otherwise.
  // -v: Pythran then passes the compiler's own messages on (quiet, it keeps only the failed command).
  const config = ['-v', ...env.blas.configArgs];
  if (compileId === null) return run(env.python, ['-c', PYTHRAN, ...config, copy, '-o', out], opts);

  const cpp = path.join(work, `${path.basename(copy, '.py')}.cpp`);
  // Pythran emits its #include lines in set order, which string hashing randomises per
  // process: a fixed seed makes the same sources give the same C++, so the key can match.
  const front = await run(env.python, ['-c', PYTHRAN, ...config, '-E', copy, '-o', cpp], { ...opts, env: { ...opts.env, PYTHONHASHSEED: '0' } });
  if (front.exitCode !== 0 || front.timedOut) return front;
  const cppText = await readFile(cpp, 'utf8');
  const headers = await includedHeaders(cppText, cpp, path.join(env.tree?.dir ?? '', 'pythran'));
  const key = sha256(
    JSON.stringify({
      cpp: sha256(cppText),
      compileId,
      headers: headers ?? { pythonic: env.tree?.pythonicId ?? null, tree: env.tree?.dir ?? null },
      out: path.basename(out),
      ...toolchainKey(env),
    }),
  );
  const stored = path.join(ctx.cache.builds, 'from-cpp', key.slice(0, 2), `${key}${env.probe.extSuffix}`);
  const reuse = async (): Promise<ExecResult | null> => {
    if (((await stat(stored).catch(() => null))?.size ?? 0) === 0) return null;
    await copyFile(stored, out);
    return { ...front, stdout: `${front.stdout}\nreused the module compiled from identical C++ (${key.slice(0, 12)})` };
  };
  const early = await reuse();
  if (early !== null) return early;
  // One compile per key at a time: a second point with the same C++ waits for the first.
  await mkdir(path.dirname(stored), { recursive: true });
  return withLock(`${stored}.lock-target`, async () => {
    const late = await reuse();
    if (late !== null) return late;
    const cxx = await cxxCache(env, ctx.cache);
    const back = await run(env.python, ['-c', PYTHRAN, ...config, ...(cxx?.config ?? []), cpp, '-o', out], { ...opts, env: { ...opts.env, ...(cxx?.env ?? {}) } });
    if (back.exitCode === 0 && !back.timedOut) {
      const tmp = `${stored}.${process.pid}.tmp`;
      await copyFile(out, tmp);
      await rename(tmp, stored);
    }
    return { ...back, stdout: `${front.stdout}\n${back.stdout}`, stderr: `${front.stderr}\n${back.stderr}` };
  });
}

/**
 * Pythran's C++ for `copy`, annotated with each statement's Python line as a comment
 * (`--config backend.annotate=1`), for telling which statement a compiler error is in.
 * Run only after a failed build: the annotations are never compiled (a Python line
 * ending in a backslash would continue the comment in C++). null when it cannot be had.
 */
export async function annotatedCpp(copy: string, work: string, env: PythonEnv, ctx: Pick<CompileContext, 'signal'>): Promise<string | null> {
  const out = path.join(work, `${path.basename(copy, '.py')}.annotated.cpp`);
  const res = await run(env.python, ['-c', PYTHRAN, ...env.blas.configArgs, '-E', '--config', 'backend.annotate=1', copy, '-o', out], {
    timeoutMs: 120_000,
    signal: ctx.signal,
    cwd: work,
    env: { ...env.env, TMPDIR: work },
  });
  if (res.exitCode !== 0 || res.timedOut) return null;
  return readFile(out, 'utf8').catch(() => null);
}
