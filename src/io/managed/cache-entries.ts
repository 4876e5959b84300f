/** Listing and pruning the managed entries of the cache (`env list`, `env prune`). */
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { removeQuietly, withLock, type CacheLayout } from '../cache.js';
import { run } from '../exec.js';
import { DepsMarker, ENV_MARKER, LAST_USED, readMarker, readTree, treesDir } from './shared.js';

export interface CacheEntry {
  kind: 'deps' | 'release' | 'commit' | 'objects' | 'legacy' | 'builds';
  name: string;
  path: string;
  detail: string;
  lastUsed: string | null;
  bytes: number | null;
}

async function lastUsedOf(dir: string): Promise<string | null> {
  const text = await readFile(path.join(dir, LAST_USED), 'utf8').catch(() => null);
  if (text !== null) return text.trim();
  const st = await stat(dir).catch(() => null);
  return st === null ? null : st.mtime.toISOString();
}

async function sizeOf(target: string, signal: AbortSignal): Promise<number | null> {
  const res = await run('du', ['-sk', target], { timeoutMs: 120_000, signal });
  const kb = Number(res.stdout.split(/\s/)[0]);
  return res.exitCode === 0 && Number.isFinite(kb) ? kb * 1024 : null;
}

async function dirs(parent: string): Promise<string[]> {
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

export async function listCache(cache: CacheLayout, signal: AbortSignal, withSizes: boolean): Promise<CacheEntry[]> {
  const out: CacheEntry[] = [];
  const size = (p: string) => (withSizes ? sizeOf(p, signal) : Promise.resolve(null));
  for (const name of await dirs(cache.envs)) {
    const dir = path.join(cache.envs, name);
    if (name.startsWith('deps-')) {
      const m = await readMarker(path.join(dir, ENV_MARKER), DepsMarker);
      const installed = m === null ? '' : Object.entries(m.installed).map(([k, v]) => `${k} ${v}`).join(', ');
      out.push({
        kind: 'deps',
        name,
        path: dir,
        detail: m === null ? 'incomplete' : `Python ${m.python}; ${installed || m.requirements.join(' ')} (${m.installer})`,
        lastUsed: await lastUsedOf(dir),
        bytes: await size(dir),
      });
    } else if (/^pythran-.*-cp\d+$/.test(name)) {
      out.push({ kind: 'legacy', name, path: dir, detail: 'one environment per release (older layout; prune removes it)', lastUsed: await lastUsedOf(dir), bytes: await size(dir) });
    }
  }
  const trees = treesDir(cache);
  for (const name of await dirs(trees)) {
    const dir = path.join(trees, name);
    if (name === 'objects') {
      const n = (await dirs(dir)).length;
      out.push({ kind: 'objects', name, path: dir, detail: `${n} vendored header folder(s) shared by commit trees`, lastUsed: null, bytes: await size(dir) });
      continue;
    }
    const t = await readTree(dir);
    if (t === null) continue;
    const detail = t.kind === 'release' ? `Pythran ${t.version} from PyPI` : `Pythran ${t.version} at ${t.commit?.slice(0, 12) ?? '?'} ${t.subject ?? ''}`.trim();
    out.push({ kind: t.kind, name, path: dir, detail, lastUsed: await lastUsedOf(dir), bytes: await size(dir) });
  }
  const shards = (await dirs(cache.builds)).filter((d) => d !== 'from-cpp');
  const buildCount = (await Promise.all(shards.map(async (d) => (await dirs(path.join(cache.builds, d))).length))).reduce((a, b) => a + b, 0);
  out.push({ kind: 'builds', name: 'builds', path: cache.builds, detail: `${buildCount} built module(s)`, lastUsed: null, bytes: await size(cache.builds) });
  return out;
}

export interface PruneOptions {
  /** Remove everything, in use recently or not. */
  all: boolean;
  /** Remove what has not been used for this many days. */
  olderThanDays: number;
  dryRun: boolean;
}

/** Remove unused environments, trees and builds; returns what was (or would be) removed. */
export async function pruneCache(cache: CacheLayout, opts: PruneOptions, signal: AbortSignal): Promise<CacheEntry[]> {
  const cutoff = Date.now() - opts.olderThanDays * 24 * 3600 * 1000;
  const stale = (used: string | null) => opts.all || used === null || Date.parse(used) < cutoff;
  const entries = await listCache(cache, signal, true);
  const removed: CacheEntry[] = [];
  const remove = async (e: CacheEntry) => {
    removed.push(e);
    if (!opts.dryRun) await withLock(`${e.path}.lock-target`, () => removeQuietly(e.path), { waitMs: 10_000 });
  };
  for (const e of entries) {
    if (e.kind === 'legacy' || ((e.kind === 'deps' || e.kind === 'release' || e.kind === 'commit') && stale(e.lastUsed))) await remove(e);
  }
  // Shared header folders that no remaining commit tree links to.
  const objects = path.join(treesDir(cache), 'objects');
  const kept = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'commit' || removed.includes(e)) continue;
    for (const sub of ['boost', 'xsimd']) {
      const link = path.join(e.path, 'pythran', sub);
      const st = await lstat(link).catch(() => null);
      if (st?.isSymbolicLink() === true) kept.add(path.basename(await readlink(link)));
    }
  }
  for (const name of await dirs(objects)) {
    if (!kept.has(name)) await remove({ kind: 'objects', name, path: path.join(objects, name), detail: 'vendored headers no tree uses', lastUsed: null, bytes: null });
  }
  // Builds: by the age of their record.
  for (const shard of await dirs(cache.builds)) {
    if (shard === 'from-cpp') {
      // Modules compiled from a commit's C++ (io/tree-compile.ts), by age.
      for (const sub of await dirs(path.join(cache.builds, shard))) {
        for (const f of await readdir(path.join(cache.builds, shard, sub)).catch(() => [])) {
          const file = path.join(cache.builds, shard, sub, f);
          const st = await stat(file).catch(() => null);
          if (opts.all || st === null || st.mtimeMs < cutoff) await remove({ kind: 'builds', name: f, path: file, detail: 'module compiled from C++', lastUsed: null, bytes: st?.size ?? null });
        }
      }
      continue;
    }
    for (const name of await dirs(path.join(cache.builds, shard))) {
      const dir = path.join(cache.builds, shard, name);
      const st = await stat(path.join(dir, 'build.json')).catch(() => null);
      if (opts.all || st === null || st.mtimeMs < cutoff) {
        await remove({ kind: 'builds', name, path: dir, detail: 'built module', lastUsed: st?.mtime.toISOString() ?? null, bytes: null });
      }
    }
  }
  return removed;
}
