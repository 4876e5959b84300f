/**
 * The output folder of `reduce`: `--out DIR`, or a new folder in the working
 * directory named after the function. Files are created, never written over:
 * a name that exists already is an OutputError before anything is measured,
 * and a file that appeared since is one when it is written.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OutputError } from '../errors.js';
import { makeFolders } from './fs.js';

/** The files a reduction of `fn` writes, by role. */
export function reduceFileNames(fn: string): { repro: string; report: string; issue: string } {
  return { repro: `${fn}.py`, report: `${fn}.reduce.json`, issue: 'ISSUE.md' };
}

const exists = async (p: string) => (await stat(p).catch(() => null)) !== null;

/** The folder to write into, checked: `--out` (made if missing, never over a file in it), else `<cwd>/<fn>-reduced[-N]`. */
export async function chooseOutputFolder(out: string | undefined, fn: string, cwd: string): Promise<string> {
  const names = Object.values(reduceFileNames(fn));
  if (out !== undefined) {
    const dir = path.resolve(cwd, out);
    const st = await stat(dir).catch(() => null);
    if (st !== null && !st.isDirectory()) throw new OutputError(`--out ${out} is a file, not a folder`);
    for (const name of names) {
      if (await exists(path.join(dir, name))) {
        throw new OutputError(`--out ${out} already has ${name}: reduce never writes over a file`, { hint: 'name another folder with --out, or move the file away' });
      }
    }
    return dir;
  }
  for (let i = 1; ; i += 1) {
    const dir = path.join(cwd, i === 1 ? `${fn}-reduced` : `${fn}-reduced-${i}`);
    if (!(await exists(dir))) return dir;
  }
}

/** Create `name` in `folder` (and the folder); never over an existing file. Returns its path. */
export async function writeNewFile(folder: string, name: string, text: string): Promise<string> {
  const file = path.join(folder, name);
  try {
    await makeFolders(folder);
    await writeFile(file, text, { flag: 'wx' });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new OutputError(e.code === 'EEXIST' ? `${file} exists already: reduce never writes over a file` : `cannot write ${file}: ${e.message}`, { cause: error });
  }
  return file;
}

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8');
}
