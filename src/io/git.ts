/**
 * Read-only work on a Pythran checkout: resolve revisions, list the
 * first-parent commits of a range, describe a commit's Pythran sources, and
 * export them with `git archive`. Never changes the checkout.
 */
import path from 'node:path';
import { InputError, PythonEnvError } from '../errors.js';
import { sha256 } from './cache.js';
import { run } from './exec.js';

const GIT_TIMEOUT_MS = 120_000;

export interface CommitInfo {
  commit: string;
  subject: string;
}

/** The parts of a commit that make up an installed Pythran (pythran/ without its tests, omp/, vendored headers). */
export interface SourceLayout {
  commit: string;
  /** Hash of the git object ids of everything that goes into the tree: equal ids, equal Pythran. */
  contentId: string;
  /**
   * Hash of what turns Pythran's generated C++ into a module, besides the pythonic headers
   * it includes: the vendored boost and xsimd, and the files that set the compiler and its
   * flags. Equal ids, equal C++ and equal included headers give the same module.
   */
  compileId: string;
  /** Git tree id of pythran/pythonic (for C++ whose includes cannot be followed). */
  pythonicId: string | null;
  /** Entries of pythran/ other than tests, boost and xsimd, and omp/ when present. */
  paths: string[];
  /** Git tree ids of the vendored headers, and where they come from. */
  boost: { tree: string; from: string } | null;
  xsimd: { tree: string; from: string } | null;
}

async function git(repo: string, args: string[], signal: AbortSignal, timeoutMs = GIT_TIMEOUT_MS) {
  const res = await run('git', ['-C', repo, ...args], { timeoutMs, signal, env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
  if (res.failedToStart) throw new PythonEnvError('git is not installed, and bisecting commits needs it.', { hint: "install git (Debian: 'apt-get install git')" });
  return res;
}

/** The top folder of the checkout at `repo`, or an InputError that says why it is not one. */
export async function openRepo(repo: string, signal: AbortSignal): Promise<string> {
  const res = await git(repo, ['rev-parse', '--show-toplevel'], signal);
  if (res.exitCode !== 0) {
    const why = /cannot change to|No such file/i.test(res.stderr) ? 'no such folder' : 'not a git repository';
    throw new InputError(`--repo ${repo}: ${why}.`, { hint: 'give the folder of a Pythran checkout (git clone https://github.com/serge-sans-paille/pythran)' });
  }
  return res.stdout.trim();
}

/** A revision (tag, branch, hash) to its full commit hash. */
export async function resolveCommit(repo: string, rev: string, option: string, signal: AbortSignal): Promise<string> {
  if (rev.startsWith('-') || rev.trim() === '') throw new InputError(`${option} '${rev}' is not a revision.`);
  const res = await git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], signal);
  if (res.exitCode !== 0) throw new InputError(`${option} '${rev}' names no commit in ${repo}.`, { hint: "check it with 'git log --oneline'" });
  return res.stdout.trim();
}

export async function commitInfo(repo: string, commit: string, signal: AbortSignal): Promise<CommitInfo> {
  const res = await git(repo, ['log', '-1', '--format=%H%x09%s', commit], signal);
  const [hash, ...subject] = res.stdout.trim().split('\t');
  return { commit: hash ?? commit, subject: subject.join('\t') };
}

/**
 * The commits from `from` to `to` along the first-parent line of `to`, oldest
 * first, both ends included. `from` must be on that line.
 */
export async function firstParentRange(repo: string, from: string, to: string, signal: AbortSignal): Promise<CommitInfo[]> {
  if (from === to) throw new InputError('--from and --to name the same commit: there is nothing to bisect.');
  const anc = await git(repo, ['merge-base', '--is-ancestor', from, to], signal);
  if (anc.exitCode !== 0) {
    const back = await git(repo, ['merge-base', '--is-ancestor', to, from], signal);
    if (back.exitCode === 0) throw new InputError(`--from ${from.slice(0, 12)} comes after --to ${to.slice(0, 12)}: swap them.`);
    throw new InputError(`--from ${from.slice(0, 12)} is not an ancestor of --to ${to.slice(0, 12)}.`);
  }
  const res = await git(repo, ['log', '--first-parent', '--reverse', '--format=%H%x09%P%x09%s', `${from}..${to}`], signal);
  if (res.exitCode !== 0) throw new PythonEnvError(`git log failed in ${repo}: ${res.stderr.trim()}`);
  const lines = res.stdout.split('\n').filter((l) => l.trim() !== '');
  const commits: CommitInfo[] = [];
  for (const line of lines) {
    const [hash = '', parents = '', ...subject] = line.split('\t');
    if (commits.length === 0 && parents.split(' ')[0] !== from) {
      throw new InputError(`--from ${from.slice(0, 12)} is not on the first-parent line of --to ${to.slice(0, 12)} (it was merged in from a side branch).`, {
        hint: "pick a --from on the main line: 'git log --first-parent --oneline' lists them",
      });
    }
    commits.push({ commit: hash, subject: subject.join('\t') });
  }
  return [await commitInfo(repo, from, signal), ...commits];
}

/** The files of pythran/ besides the headers and *.cfg that decide how C++ is compiled. */
const COMPILE_INPUTS = new Set(['pythran/config.py', 'pythran/toolchain.py', 'pythran/dist.py', 'pythran/run.py', 'pythran/__init__.py']);

function parseLsTree(text: string): Array<{ type: string; object: string; path: string }> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const tab = line.indexOf('\t');
      const [, type = '', object = ''] = line.slice(0, tab).split(' ');
      return { type, object, path: line.slice(tab + 1) };
    });
}

/** What `commit` holds of Pythran, from one `git ls-tree`. */
export async function sourceLayout(repo: string, commit: string, signal: AbortSignal): Promise<SourceLayout> {
  const res = await git(repo, ['ls-tree', commit, '--', 'pythran/', 'omp', 'third_party/'], signal);
  if (res.exitCode !== 0) throw new PythonEnvError(`git ls-tree failed on ${commit.slice(0, 12)}: ${res.stderr.trim()}`);
  const entries = parseLsTree(res.stdout);
  const paths: string[] = [];
  let boost: SourceLayout['boost'] = null;
  let xsimd: SourceLayout['xsimd'] = null;
  const relevant: string[] = [];
  for (const e of entries) {
    if (e.path === 'pythran/tests') continue;
    if (e.path === 'pythran/boost' || e.path === 'pythran/xsimd') {
      const v = { tree: e.object, from: e.path };
      if (e.path.endsWith('boost')) boost = v;
      else xsimd = v;
    } else if (e.path === 'third_party/boost' || e.path === 'third_party/xsimd') {
      // Releases up to 0.14.0 keep them here; setup.py copies them into pythran/.
      const v = { tree: e.object, from: e.path };
      if (e.path.endsWith('boost')) boost ??= v;
      else xsimd ??= v;
    } else if (e.path.startsWith('third_party/')) {
      continue;
    } else {
      paths.push(e.path);
    }
    relevant.push(`${e.object} ${e.path}`);
  }
  const compile = relevant.filter((line) => {
    const p = line.slice(line.indexOf(' ') + 1);
    return COMPILE_INPUTS.has(p) || p.endsWith('.cfg') || p.endsWith('/boost') || p.endsWith('/xsimd');
  });
  const pythonic = entries.find((e) => e.path === 'pythran/pythonic')?.object ?? null;
  return {
    commit,
    contentId: sha256(relevant.sort().join('\n')).slice(0, 24),
    compileId: sha256(compile.sort().join('\n')).slice(0, 24),
    pythonicId: pythonic,
    paths,
    boost,
    xsimd,
  };
}

/** Files under `paths` that differ from `from` to `to`: the ones `to` no longer has, and the ones it has anew or changed. */
export async function changedPaths(repo: string, from: string, to: string, paths: readonly string[], signal: AbortSignal): Promise<{ removed: string[]; written: string[] }> {
  const res = await git(repo, ['diff', '--name-status', '--no-renames', '-z', from, to, '--', ...paths], signal);
  if (res.exitCode !== 0) throw new PythonEnvError(`git diff failed between ${from.slice(0, 12)} and ${to.slice(0, 12)}: ${res.stderr.trim()}`);
  const fields = res.stdout.split('\0').filter((f) => f !== '');
  const removed: string[] = [];
  const written: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [status, file] = [fields[i] ?? '', fields[i + 1] ?? ''];
    (status.startsWith('D') ? removed : written).push(file);
  }
  return { removed, written };
}

/** Write the given paths of `treeish` into `dest` (which must exist), through a tar file in `work`. */
export async function exportPaths(repo: string, treeish: string, paths: readonly string[], dest: string, work: string, signal: AbortSignal): Promise<void> {
  const tar = path.join(work, `${sha256(`${treeish}${paths.join()}`).slice(0, 12)}.tar`);
  const archived = await git(repo, ['archive', '--format=tar', '-o', tar, treeish, ...(paths.length > 0 ? ['--', ...paths] : [])], signal, 600_000);
  if (archived.exitCode !== 0) throw new PythonEnvError(`git archive failed on ${treeish.slice(0, 12)}: ${archived.stderr.trim()}`);
  const untar = await run('tar', ['-xf', tar, '-C', dest], { timeoutMs: 600_000, signal });
  if (untar.exitCode !== 0) throw new PythonEnvError(`could not unpack the sources of ${treeish.slice(0, 12)}: ${untar.stderr.trim()}`);
}
