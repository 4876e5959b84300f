/**
 * Command-line targets to repro files: a file, a folder of repros, or
 * `file.py::function`. Reads files; never writes.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseExports, SpecSyntaxError } from '../core/signature.js';
import { InputError, UsageError } from '../errors.js';

export interface Repro {
  /** Path as the user should see it (relative to the working folder when inside it). */
  display: string;
  absolute: string;
  source: string;
  /** Only these functions, when the target named some (`file.py::f`). */
  only: string[] | null;
}

export interface TargetProblem {
  target: string;
  message: string;
}

const MARKER = /^\s*#\s*pythran\s+export\b/m;

export function displayPath(absolute: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, absolute);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : absolute;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === '__pycache__') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && e.name.endsWith('.py')) out.push(p);
  }
  return out;
}

export async function resolveTargets(targets: readonly string[], cwd = process.cwd()): Promise<{ repros: Repro[]; problems: TargetProblem[] }> {
  const byFile = new Map<string, Repro>();
  const problems: TargetProblem[] = [];
  for (const target of targets) {
    // `file.py::f`, `file.py::f#2` or `file.py::f(float64[::], int)`: split after the file,
    // since a signature may hold `::` itself.
    const afterPy = target.indexOf('.py::');
    const sep = afterPy >= 0 ? afterPy + 3 : target.lastIndexOf('::');
    const fileArg = sep >= 0 ? target.slice(0, sep) : target;
    const fn = sep >= 0 ? target.slice(sep + 2) : null;
    const absolute = path.resolve(cwd, fileArg);
    const st = await stat(absolute).catch(() => null);
    if (st === null) {
      problems.push({ target, message: `no such file or folder: ${fileArg}` });
      continue;
    }
    let files: string[];
    if (st.isDirectory()) {
      if (fn !== null) {
        problems.push({ target, message: `'::${fn}' needs a file, and ${fileArg} is a folder` });
        continue;
      }
      const all = await walk(absolute);
      files = [];
      for (const f of all) if (MARKER.test(await readFile(f, 'utf8').catch(() => ''))) files.push(f);
      if (files.length === 0) {
        problems.push({ target, message: `no repros in ${fileArg}: no .py file there has a '# pythran export' line` });
        continue;
      }
    } else {
      files = [absolute];
    }
    for (const file of files) {
      const source = await readFile(file, 'utf8').catch((error: unknown) => {
        problems.push({ target, message: `cannot read ${fileArg}: ${(error as Error).message}` });
        return null;
      });
      if (source === null) continue;
      const prev = byFile.get(file);
      if (prev === undefined) {
        byFile.set(file, { display: displayPath(file, cwd), absolute: file, source, only: fn === null ? null : [fn] });
      } else if (fn === null) {
        prev.only = null;
      } else if (prev.only !== null && !prev.only.includes(fn)) {
        prev.only.push(fn);
      }
    }
  }
  return { repros: [...byFile.values()], problems };
}

/** The repro and the one function a `bisect` or `reduce` is about, checked before anything is installed. */
export async function resolveFunctionTarget(target: string, cwd: string, command: string): Promise<{ repro: Repro; fn: string }> {
  const sep = target.lastIndexOf('::');
  if (sep < 0 || sep === target.length - 2) throw new UsageError(`${command} needs one function: file.py::function, got '${target}'.`);
  const fn = target.slice(sep + 2);
  const { repros, problems } = await resolveTargets([target], cwd);
  if (problems.length > 0) throw new InputError(problems[0]?.message ?? `cannot use ${target}`);
  const repro = repros[0];
  if (repro === undefined) throw new InputError(`no repro in ${target}`);
  let names: string[];
  try {
    names = [...new Set(parseExports(repro.source).filter((e) => e.params !== null && e.flavour === 'function').map((e) => e.name))];
  } catch (error) {
    if (error instanceof SpecSyntaxError) throw new InputError(`${repro.display}:${error.line}:${error.column}: bad '# pythran export' line: ${error.message}`);
    throw error;
  }
  if (!names.includes(fn)) {
    throw new InputError(
      names.length === 0
        ? `${repro.display} exports no function: add a '# pythran export name(types)' line.`
        : `${repro.display} does not export '${fn}' (it exports ${names.join(', ')}).`,
    );
  }
  return { repro, fn };
}
