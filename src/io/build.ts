/**
 * Pythran builds, cached by everything that changes the binary.
 *
 * The repro is copied into a private folder under the cache and compiled
 * there, so nothing is ever written next to the user's file. A finished
 * build is published by renaming its folder into place; a second run with
 * the same key loads it without compiling.
 */
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { missingPiece } from '../core/blas.js';
import { compilerDiagnostics, pythonStatementFor } from '../core/compiler-output.js';
import { BuildError, CacheError, InputError } from '../errors.js';
import { makeTempDir, removeQuietly, sha256, withLock, type CacheLayout } from './cache.js';
import { toolchainKey, type PythonEnv } from './probe.js';
import { annotatedCpp, compileWithPythran } from './tree-compile.js';

/** Bump when the layout of a build folder or the way we call Pythran changes. */
const BUILD_FORMAT = 2;

export interface BuiltModule {
  modulePath: string;
  moduleName: string;
  /** The repro's source as built (a copy in the cache), for running it uncompiled. */
  sourcePath: string;
  key: string;
  cached: boolean;
  seconds: number;
}

export interface BuildContext {
  cache: CacheLayout;
  signal: AbortSignal;
  timeoutMs: number;
  /** How messages name the repro (the path as the user gave it); the absolute path by default. */
  display?: string;
  /** Show Pythran's and the compiler's whole output in a build error (--debug); defaults to --debug on the command line. */
  debug?: boolean;
}

/** Where the whole output of a failed build is kept: in the cache, never beside the user's file. */
export function buildLogPath(cache: CacheLayout, moduleName: string, key: string): string {
  return path.join(cache.root, 'logs', `build-${moduleName}-${key.slice(0, 16)}.log`);
}

const BuildRecord = z.object({
  format: z.literal(BUILD_FORMAT),
  moduleFile: z.string(),
  /** sha256 of the built module: an entry whose module no longer matches is corrupt and rebuilt. */
  moduleSha256: z.string(),
  source: z.string(),
  seconds: z.number(),
});

/** A module name Pythran accepts, from the repro's file name. */
export function moduleNameFor(file: string): string {
  const stem = path.basename(file).replace(/\.py$/, '');
  let name = stem.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name)) name = `m_${name}`;
  return name;
}

/** Everything that changes the binary, in one stable document. */
export function buildKeyMaterial(source: Buffer, env: PythonEnv): string {
  return JSON.stringify({
    format: BUILD_FORMAT,
    source: sha256(source),
    pythran: env.pythran,
    pythranLocation: env.probe.pythranLocation,
    ...toolchainKey(env),
  });
}

export async function buildModule(file: string, env: PythonEnv, ctx: BuildContext): Promise<BuiltModule> {
  const source = await readFile(file).catch((error: unknown) => {
    throw new InputError(`cannot read ${file}: ${(error as Error).message}`);
  });
  const moduleName = moduleNameFor(file);
  const key = sha256(`${buildKeyMaterial(source, env)}\n${moduleName}`);
  const finalDir = path.join(ctx.cache.builds, key.slice(0, 2), key);
  const hit = await readRecord(finalDir);
  const sourcePath = path.join(finalDir, `${moduleName}.py`);
  if (hit !== null) return { modulePath: path.join(finalDir, hit.moduleFile), moduleName, sourcePath, key, cached: true, seconds: 0 };

  return withLock(`${finalDir}.lock-target`, async () => {
    const again = await readRecord(finalDir);
    if (again !== null) return { modulePath: path.join(finalDir, again.moduleFile), moduleName, sourcePath, key, cached: true, seconds: 0 };
    await removeQuietly(finalDir); // a corrupt or half-written entry
    const work = await makeTempDir(ctx.cache, 'build');
    try {
      const copy = path.join(work, `${moduleName}.py`);
      await copyFile(file, copy);
      const moduleFile = `${moduleName}${env.probe.extSuffix}`;
      const started = performance.now();
      // Pythran's console entry point, called through the interpreter so it works for any
      // environment layout (a venv, a user interpreter, a source tree on PYTHONPATH).
      // (For a commit tree, in two steps that reuse a module compiled from identical C++: tree-compile.ts.)
      const res = await compileWithPythran(copy, path.join(work, moduleFile), work, env, ctx);
      const seconds = (performance.now() - started) / 1000;
      if (res.timedOut) throw new BuildError(`building ${ctx.display ?? file} took longer than ${Math.round(ctx.timeoutMs / 1000)} s and was stopped.`, { hint: 'raise --build-timeout' });
      if (res.exitCode !== 0 || !(await exists(path.join(work, moduleFile)))) {
        const output = `${res.stderr}\n${res.stdout}`;
        const logPath = buildLogPath(ctx.cache, moduleName, key);
        const logged = await mkdir(path.dirname(logPath), { recursive: true })
          .then(() => writeFile(logPath, `# pythran-leakcheck: build of ${file} with Pythran ${env.pythran.version} (${env.python}), exit ${res.exitCode ?? res.signal}\n${output}`))
          .then(
            () => logPath,
            () => undefined,
          );
        // Which Python statement the compiler choked on: from Pythran's annotated C++ (one more front-end run).
        let statement: { line: number | null; text: string } | null = null;
        const generated = /Cover me Jack/.test(output) ? compilerDiagnostics(output).generatedCode : null;
        if (generated !== null) {
          const annotated = await annotatedCpp(copy, work, env, ctx).catch(() => null);
          if (annotated !== null) statement = pythonStatementFor(annotated, generated, source.toString('utf8'));
        }
        throw classifyBuildFailure(output, ctx.display ?? file, copy, work, env, { logPath: logged, debug: ctx.debug ?? process.argv.includes('--debug'), statement });
      }
      const moduleSha256 = sha256(await readFile(path.join(work, moduleFile)));
      const record = { format: BUILD_FORMAT, moduleFile, moduleSha256, source: file, seconds };
      await writeFile(path.join(work, 'build.json'), JSON.stringify(record, null, 2));
      await rename(work, finalDir).catch(async (error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw new CacheError(`cannot store the build in ${finalDir}: ${(error as Error).message}`);
        // Published meanwhile by another run (lock broken as stale): theirs is as good as ours.
        await removeQuietly(work);
      });
      return { modulePath: path.join(finalDir, moduleFile), moduleName, sourcePath, key, cached: false, seconds };
    } finally {
      await removeQuietly(work);
    }
  });
}

async function readRecord(dir: string): Promise<z.infer<typeof BuildRecord> | null> {
  const text = await readFile(path.join(dir, 'build.json'), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const rec = BuildRecord.parse(JSON.parse(text));
    const bytes = await readFile(path.join(dir, rec.moduleFile));
    return sha256(bytes) === rec.moduleSha256 ? rec : null;
  } catch {
    return null;
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Turn Pythran's output into one message about the user's file.
 * Pythran reports rejections after a "CRITICAL: I am in trouble" line, a
 * missing export after "Chair to keyboard", C++ failures after "Cover me
 * Jack", and some rejections (syntax errors, constructs it cannot analyse) as a
 * bare Python traceback.
 */
export function classifyBuildFailure(
  output: string,
  file: string,
  copy: string,
  work: string,
  env: Pick<PythonEnv, 'compiler' | 'compilerFound' | 'probe'> & Partial<Pick<PythonEnv, 'blas'>>,
  extra: { logPath?: string; debug?: boolean; statement?: { line: number | null; text: string } | null } = {},
): Error {
  // Pythran names the copy in the build folder, by full path or by base name: name the user's file instead.
  const copyName = new RegExp(`(?:${escapeRegExp(path.dirname(copy))}/)?${escapeRegExp(path.basename(copy))}(?=:|\\b)`, 'g');
  // Pythran's own headers by their short name (pythonic/numpy/dot.hpp), wherever the tree is.
  const display = (text: string) => text.replace(copyName, file).split(work).join('<build>').replace(/(?:\/[^\s:'"]+)?\/pythran\/pythonic\//g, 'pythonic/');
  const lines = output.split('\n').map((l) => l.trimEnd());

  const logLine = extra.logPath !== undefined ? `\nwhole output: ${extra.logPath}` : '';
  if (/Cover me Jack/.test(output) || /command .* failed/i.test(output)) {
    if (!env.compilerFound) {
      return new BuildError(`no C++ compiler: Pythran needs '${env.probe.cxx}', which is not installed.`, {
        hint: "install one (Debian: 'apt-get install g++'), or set CXX to a compiler",
      });
    }
    // A missing header or library (cblas.h above all): two lines, what and how to fix it.
    const missing = missingPiece(output, env.blas === undefined ? undefined : { ...env.blas, rcPath: env.probe.pythranrcPath });
    // The compiler's own first diagnostics (Pythran runs with -v, so they are in the output).
    const diag = compilerDiagnostics(output);
    if (missing !== null && extra.debug !== true) {
      const said = diag.errors.find((e) => e.includes(missing.what.replace(/^-l/, ''))) ?? diag.errors[0];
      const first = said !== undefined ? display(said.split('\n')[0] ?? '') : missing.message;
      return new BuildError(`the C++ compiler failed on ${file}: ${first}\nfix: ${missing.hint}${logLine}`, { hint: missing.hint });
    }
    const shown = diag.errors.map(display);
    if (diag.count > diag.errors.length) shown.push(`(${diag.count - diag.errors.length} more error line(s))`);
    if (shown.length === 0) {
      // No diagnostics passed on: the failed command (with the flags at its end, where CXXFLAGS go) is what there is.
      const command = lines.map((l) => /^E: error: Command "(.*)" failed with exit status (\d+)/.exec(l)).find((m) => m !== null);
      if (command !== undefined && command !== null) {
        const cmd = command[1] ?? '';
        const short = cmd.length > 240 ? `${cmd.slice(0, 60)} ... ${cmd.slice(-170)}` : cmd;
        shown.push(`the compiler exited with status ${command[2]}: ${short}`);
      } else {
        const chatter = /trying hard to find its origin|flood you with C\+\+ errors|Cover me Jack|^(INFO|DEBUG|WARNING):/;
        shown.push(display(lastNonEmpty(lines.filter((l) => !chatter.test(l)), 5)));
      }
    }
    const where = [diag.function !== null ? `in ${diag.function}()` : null, diag.construct !== null ? `at ${diag.construct}` : null].filter(Boolean).join(' ');
    if (extra.statement != null) shown.unshift(`at ${file}${extra.statement.line !== null ? `:${extra.statement.line}` : ''}: ${extra.statement.text}`);
    const body = extra.debug === true ? display(output.trim()) : shown.join('\n');
    return new BuildError(`the C++ compiler failed on ${file}${where !== '' ? ` ${where}` : ''} (${env.compiler}):\n${body}${logLine}`, {
      hint: 'this is a Pythran or compiler problem rather than your code; try another Pythran release, or report it to Pythran with this file and the log',
    });
  }
  if (/Chair to keyboard|No pythran specification/.test(output)) {
    return new InputError(`${file} exports nothing: add a '# pythran export name(types)' line.`);
  }
  const trouble = lines.findIndex((l) => /I am in trouble/.test(l));
  if (trouble >= 0) {
    const body = lines.slice(trouble + 1).filter((l) => l.trim() !== '' && !/^-+$/.test(l.trim()));
    return new InputError(`Pythran rejected ${file}:\n${display(body.join('\n'))}`);
  }
  const tb = parseTraceback(lines);
  if (tb !== null) {
    const where = tb.line !== null ? `${file}:${tb.line}` : file;
    const detail = tb.message !== '' ? `${tb.exception}: ${tb.message}` : `${tb.exception} (Pythran could not analyse the code)`;
    return new InputError(`Pythran rejected ${where}: ${display(detail)}${tb.code !== null ? `\n    ${tb.code.trim()}` : ''}`);
  }
  const tail = extra.debug === true ? output.trim() : lastNonEmpty(lines.filter((l) => !/^(INFO|DEBUG):/.test(l)), 8);
  return new BuildError(`Pythran failed on ${file}:\n${display(tail)}${logLine}`);
}

interface TracebackSummary {
  exception: string;
  message: string;
  line: number | null;
  code: string | null;
}

function parseTraceback(lines: string[]): TracebackSummary | null {
  const start = lines.findIndex((l) => l.startsWith('Traceback (most recent call last)'));
  if (start < 0) return null;
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  const last = nonEmpty[nonEmpty.length - 1] ?? '';
  const m = /^([\w.]+)(?::\s?(.*))?$/.exec(last);
  if (m === null) return null;
  const exception = (m[1] ?? '').split('.').pop() ?? '';
  let line: number | null = null;
  let code: string | null = null;
  for (let i = lines.length - 1; i > start; i -= 1) {
    const f = /File "(<unknown>|[^"]*\.py)", line (\d+)/.exec(lines[i] ?? '');
    if (f !== null && (f[1] === '<unknown>' || !/site-packages|lib\/python/.test(f[1] ?? ''))) {
      line = Number(f[2]);
      code = lines[i + 1] ?? null;
      break;
    }
  }
  return { exception, message: m[2] ?? '', line, code };
}

function lastNonEmpty(lines: string[], n: number): string {
  return lines.filter((l) => l.trim() !== '').slice(-n).join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
