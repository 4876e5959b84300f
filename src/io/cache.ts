/**
 * The cache folder: managed Python environments, built modules, temporary
 * build folders. Defaults to the XDG cache (env-paths), overridable with
 * --cache-dir or PYTHRAN_LEAKCHECK_CACHE. Writers publish with an atomic
 * rename; creators of shared entries hold a lock (proper-lockfile), so two runs
 * at once never see half an entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import lockfile from 'proper-lockfile';
import { CacheError } from '../errors.js';
import { makeFolders } from './fs.js';

export interface CacheLayout {
  root: string;
  envs: string;
  builds: string;
  tmp: string;
}

export function cacheRoot(explicit?: string): string {
  if (explicit !== undefined && explicit !== '') return path.resolve(explicit);
  const fromEnv = process.env.PYTHRAN_LEAKCHECK_CACHE;
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return envPaths('pythran-leakcheck', { suffix: '' }).cache;
}

export async function openCache(explicit?: string): Promise<CacheLayout> {
  const root = cacheRoot(explicit);
  const layout = { root, envs: path.join(root, 'envs'), builds: path.join(root, 'builds'), tmp: path.join(root, 'tmp') };
  try {
    for (const dir of [layout.envs, layout.builds, layout.tmp]) await makeFolders(dir);
    await access(root, constants.W_OK);
  } catch (error) {
    throw new CacheError(`cannot use the cache folder ${root}: ${(error as Error).message}`, {
      hint: 'point --cache-dir (or PYTHRAN_LEAKCHECK_CACHE) at a writable folder',
      cause: error,
    });
  }
  return layout;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A fresh private folder under the cache's tmp/, for work that is published by rename. */
export async function makeTempDir(layout: CacheLayout, prefix: string): Promise<string> {
  const dir = path.join(layout.tmp, `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new CacheError(`cannot create a temporary folder in ${layout.tmp}: ${(error as Error).message}`, { cause: error });
  }
  return dir;
}

/** Write a file so that readers see either the old content or the new, never half. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * Hold an exclusive lock on `target` (a path that need not exist) while `fn` runs.
 * Stale locks left by a killed process are broken after `staleMs`.
 */
export async function withLock<T>(target: string, fn: () => Promise<T>, opts: { staleMs?: number; waitMs?: number } = {}): Promise<T> {
  await mkdir(path.dirname(target), { recursive: true });
  const staleMs = opts.staleMs ?? 30_000;
  const waitMs = opts.waitMs ?? 15 * 60_000;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      realpath: false,
      stale: staleMs,
      update: Math.floor(staleMs / 3),
      retries: { retries: Math.ceil(waitMs / 500), minTimeout: 200, maxTimeout: 500, factor: 1.2 },
    });
  } catch (error) {
    throw new CacheError(`could not lock ${target}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

export async function removeQuietly(target: string): Promise<void> {
  await rm(target, { recursive: true, force: true }).catch(() => undefined);
}
