/**
 * Writing report files (`--report FILE.html`). The path is checked before a
 * run starts, so a typo does not cost a whole run, and the file is written
 * through a temporary file and a rename, so a reader never sees half a page.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, rename, rm, stat, writeFile } from 'node:fs/promises';
import { makeFolders } from './fs.js';
import path from 'node:path';
import { OutputError } from '../errors.js';

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
    default:
      return e.message ?? String(error);
  }
}

/**
 * Throws OutputError unless `file` can be written: it is not a folder, and
 * its nearest existing ancestor folder is writable (missing folders are made
 * when the report is written). Makes nothing.
 */
export async function checkReportPath(file: string): Promise<void> {
  const target = path.resolve(file);
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory() === true) throw new OutputError(`cannot write the report to ${file}: it is a folder`);
  let dir = path.dirname(target);
  for (;;) {
    const s = await stat(dir).catch(() => null);
    if (s !== null) {
      if (!s.isDirectory()) throw new OutputError(`cannot write the report to ${file}: ${dir} is a file, not a folder`);
      try {
        await access(dir, constants.W_OK);
        if (existing !== null) await access(target, constants.W_OK);
      } catch (error) {
        throw new OutputError(`cannot write the report to ${file}: ${reason(error)}`, { cause: error });
      }
      return;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** Writes `content` to `file` (making missing folders), atomically. Throws OutputError. */
export async function writeReportFile(file: string, content: string): Promise<void> {
  const target = path.resolve(file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await makeFolders(path.dirname(target));
    await writeFile(tmp, content, 'utf8');
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new OutputError(`cannot write the report to ${file}: ${reason(error)}`, {
      hint: 'give --report a path in a writable folder',
      cause: error,
    });
  }
}
