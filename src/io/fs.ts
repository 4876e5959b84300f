/** File-system helpers shared by the cache and the report writer. */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes `dir` and its missing parents one level at a time (Node's recursive
 * mkdir can loop forever on some paths, such as ones under /proc).
 */
export async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  let d = dir;
  while ((await stat(d).catch(() => null)) === null) {
    missing.push(d);
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) {
    await mkdir(m).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
