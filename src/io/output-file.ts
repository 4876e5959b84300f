/**
 * The one writer of output files: `--report FILE.html`, `--junit FILE` and
 * `--markdown FILE`, whichever command asked for them. Every path is checked
 * before anything is measured, so a typo does not cost a whole run, and every
 * file is written through a temporary file and a rename, so a reader never
 * sees half a page. A path that cannot be written is an OutputError,
 * whichever flag named it.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OutputError } from '../errors.js';
import { makeFolders } from './fs.js';

/** The options that write a file, and what each writes. */
export const OUTPUT_FLAGS = {
  '--report': 'the HTML report',
  '--junit': 'the JUnit report',
  '--markdown': 'the Markdown summary',
} as const;
export type OutputFlag = keyof typeof OUTPUT_FLAGS;

/** One file to write: the flag that asked for it, its path, and its text (made only once the command is done). */
export interface OutputRequest {
  flag: OutputFlag;
  file: string;
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return e.message ?? String(error);
  }
}

function failure(req: OutputRequest, why: string, cause?: unknown): OutputError {
  return new OutputError(`cannot write ${OUTPUT_FLAGS[req.flag]} to ${req.file}: ${why}`, {
    hint: `give ${req.flag} a path in a writable folder`,
    cause,
  });
}

/**
 * Throws OutputError unless `req.file` can be written: it is not a folder,
 * and its nearest existing ancestor folder is writable (missing folders are
 * made when the file is written). Makes nothing. (That `--report` names an
 * `.html` file is the option table's rule, checked before.)
 */
export async function checkOutputPath(req: OutputRequest): Promise<void> {
  const target = path.resolve(req.file);
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory() === true) throw failure(req, 'it is a folder');
  let dir = path.dirname(target);
  for (;;) {
    const s = await stat(dir).catch(() => null);
    if (s !== null) {
      if (!s.isDirectory()) throw failure(req, `${dir} is a file, not a folder`);
      try {
        await access(dir, constants.W_OK);
        if (existing !== null) await access(target, constants.W_OK);
      } catch (error) {
        throw failure(req, reason(error), error);
      }
      return;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** Checks every requested file, in order; the first that cannot be written throws. */
export async function checkOutputPaths(requests: readonly OutputRequest[]): Promise<void> {
  for (const req of requests) await checkOutputPath(req);
}

/** Writes `content` to `req.file` (making missing folders), atomically. Throws OutputError. */
export async function writeOutputFile(req: OutputRequest, content: string): Promise<void> {
  const target = path.resolve(req.file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await makeFolders(path.dirname(target));
    await writeFile(tmp, content, 'utf8');
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw failure(req, reason(error), error);
  }
}

/**
 * Writes every file, each rendered only now; a file that fails does not stop
 * the others. Returns the errors (OutputError, or whatever rendering threw).
 */
export async function writeOutputFiles(files: ReadonlyArray<OutputRequest & { render: () => string }>): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const f of files) {
    try {
      await writeOutputFile(f, f.render());
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}
