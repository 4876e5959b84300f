/**
 * Probes remembered in the cache: describing an interpreter costs a Python
 * start (and through pyenv's shims a dozen shell processes), and `<cxx>
 * --version` another process, on every run. A probe is kept under a key of
 * everything that can change its answer without touching the files it names
 * (the interpreter found on PATH, pyenv's version selectors, the compiler and
 * build variables, .pythranrc), and is used again only while the files it
 * depends on (the interpreter, its site-packages, the folders on its
 * PYTHONPATH, the compiler) have the same modification times.
 *
 * Written by hand: a disk cache keyed on file stamps is a few lines here, and
 * no library knows what makes an interpreter's description stale.
 */
import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { sha256, writeFileAtomic, type CacheLayout } from './cache.js';

/** Environment variables that change what an interpreter or Pythran's compiler set-up says. */
const KEY_VARIABLES = [
  'PATH',
  'PYENV_VERSION',
  'PYENV_ROOT',
  'PYTHONPATH',
  'PYTHONHOME',
  'PYTHONNOUSERSITE',
  'VIRTUAL_ENV',
  'CXX',
  'CC',
  'CXXFLAGS',
  'CFLAGS',
  'LDFLAGS',
  'CPPFLAGS',
  'PYTHRANRC',
  'XDG_CONFIG_HOME',
  'HOME',
] as const;

const Entry = z.object({ stamps: z.record(z.string(), z.number().nullable()), value: z.unknown() });

/** Where a command name resolves on PATH, as the shell would find it; the path itself when it has a slash. */
export async function which(command: string, env: Record<string, string | undefined> = process.env): Promise<string | null> {
  if (command.includes('/')) return path.resolve(command);
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    const s = await stat(candidate).catch(() => null);
    if (s?.isFile() === true && (s.mode & 0o111) !== 0) return candidate;
  }
  return null;
}

async function textOf(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch(() => null);
}

/** pyenv's version selectors: $PYENV_VERSION, `.python-version` from the working folder up, the global version file. */
async function pyenvSelectors(cwd: string): Promise<Array<string | null>> {
  const found: Array<string | null> = [];
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    found.push(await textOf(path.join(dir, '.python-version')));
    if (path.dirname(dir) === dir) break;
  }
  const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  found.push(await textOf(path.join(root, 'version')));
  return found;
}

/** The .pythranrc Pythran reads (as python/probe.py finds it). */
function pythranrcPath(): string {
  const explicit = process.env.PYTHRANRC;
  if (explicit !== undefined) return explicit.replace(/^~(?=$|\/)/, os.homedir());
  const folder = process.env.XDG_CONFIG_HOME ?? process.env.HOME ?? os.homedir();
  return path.join(folder, '.pythranrc');
}

async function mtimeOf(file: string): Promise<number | null> {
  return (await stat(file).catch(() => null))?.mtimeMs ?? null;
}

async function stampsOf(files: readonly string[]): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = {};
  for (const f of files) out[f] = await mtimeOf(f);
  return out;
}

/** The key of what `command` (with `extraEnv`) answers: its resolution, the variables, the selectors, .pythranrc. */
async function keyOf(kind: string, command: string, extraEnv: Record<string, string>): Promise<{ key: string; resolved: string | null }> {
  const resolved = await which(command);
  const real = resolved === null ? null : await realpath(resolved).catch(() => resolved);
  // A pyenv shim is a script that picks an interpreter on every call: its selectors are part of the key.
  const shim = resolved !== null && resolved.includes(`${path.sep}shims${path.sep}`) ? await pyenvSelectors(process.cwd()) : null;
  const key = sha256(
    JSON.stringify({
      kind,
      command,
      real,
      variables: KEY_VARIABLES.map((v) => process.env[v] ?? null),
      extraEnv,
      shim,
      pythranrc: await textOf(pythranrcPath()),
    }),
  );
  return { key, resolved: real };
}

/**
 * `compute()`'s answer for `command`, from the cache when the same key was
 * stored and the files named by `dependsOn(answer)` are unchanged since.
 */
export async function remembered<T>(
  cache: CacheLayout | undefined,
  kind: string,
  command: string,
  extraEnv: Record<string, string>,
  schema: z.ZodType<T>,
  dependsOn: (value: T, resolved: string | null) => string[],
  compute: () => Promise<T>,
): Promise<T> {
  if (cache === undefined || process.env.PYTHRAN_LEAKCHECK_NO_PROBE_CACHE !== undefined) return compute();
  const { key, resolved } = await keyOf(kind, command, extraEnv);
  const file = path.join(cache.root, 'probes', `${kind}-${key.slice(0, 24)}.json`);
  const entry = Entry.safeParse(JSON.parse((await textOf(file)) ?? 'null'));
  if (entry.success) {
    const value = schema.safeParse(entry.data.value);
    if (value.success) {
      const now = await stampsOf(Object.keys(entry.data.stamps));
      if (Object.entries(entry.data.stamps).every(([f, t]) => now[f] === t && t !== null)) return value.data;
    }
  }
  const value = await compute();
  const files = dependsOn(value, resolved);
  // Nothing to check it against (a compiler not found): asked again next time.
  if (files.length === 0) return value;
  const stamps = await stampsOf(files);
  await mkdir(path.dirname(file), { recursive: true })
    .then(() => writeFileAtomic(file, JSON.stringify({ stamps, value })))
    .catch(() => undefined);
  return value;
}
