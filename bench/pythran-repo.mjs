// A small Pythran git repository made from a release's sources, for the
// commit-bisection test and bench/bisect-vs-git.mjs: the release as the first
// commit, then unrelated commits of several kinds, and among them the public
// one-line fix of the view leak (Pythran issue #2200, PR #2201): in
// pythran/pythonic/types/ndarray.hpp, to_python<numpy_gexpr<...>>::convert
// never released the `slices` object it passes to PyObject_GetItem.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const FIX_SUBJECT = 'Fix leak on slices when converting a gexpr back to python';

/** pip download of a release's sdist (PyPI, through pip's cache); returns the .tar.gz path. */
export function fetchSdist(version, dir, python = process.env.PYTHRAN_LEAKCHECK_BASE_PYTHON ?? 'python3') {
  mkdirSync(dir, { recursive: true });
  execFileSync(python, ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '--no-binary', ':all:', `pythran==${version}`, '-d', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 600_000,
  });
  const file = readdirSync(dir).find((f) => f.startsWith(`pythran-${version}`) && f.endsWith('.tar.gz'));
  if (file === undefined) throw new Error(`no sdist of pythran ${version} in ${dir}`);
  return path.join(dir, file);
}

/** The n-th unrelated change of a kind: docs and tests leave the installed Pythran as it was, frontend and header do not. */
function unrelatedChange(repo, kind, n) {
  switch (kind) {
    case 'docs': {
      const f = ['README.rst', 'Changelog', 'AUTHORS'][n % 3];
      appendFileSync(path.join(repo, f), `\n.. note ${n}: documentation touch-up\n`);
      return `docs: touch up ${f} (${n})`;
    }
    case 'tests': {
      mkdirSync(path.join(repo, 'pythran', 'tests'), { recursive: true });
      writeFileSync(path.join(repo, 'pythran', 'tests', `test_extra_${n}.py`), `def test_extra_${n}():\n    assert ${n} == ${n}\n`);
      return `tests: add test_extra_${n}`;
    }
    case 'frontend': {
      const f = ['tables.py', 'spec.py', 'syntax.py', 'log.py', 'intrinsic.py', 'cxxtypes.py'][n % 6];
      appendFileSync(path.join(repo, 'pythran', f), `\n# maintenance note ${n}\n`);
      return `frontend: tidy pythran/${f} (${n})`;
    }
    case 'header': {
      // Some of these are included by the view-leak repro (types/tuple.hpp, builtins/bool_.hpp), some not.
      const f = ['builtins/abs.hpp', 'types/tuple.hpp', 'builtins/any.hpp', 'builtins/bool_.hpp', 'builtins/chr.hpp'][Math.floor(n / 5) % 5];
      appendFileSync(path.join(repo, 'pythran', 'pythonic', 'include', f), `\n// maintenance note ${n}\n`);
      return `pythonic: tidy ${f} (${n})`;
    }
    default:
      throw new Error(`unknown change kind ${kind}`);
  }
}

function applyFix(repo) {
  const file = path.join(repo, 'pythran', 'pythonic', 'types', 'ndarray.hpp');
  const text = readFileSync(file, 'utf8');
  const line = '  PyObject *res = PyObject_GetItem(base, slices);\n';
  const at = text.indexOf(line);
  if (at < 0 || text.indexOf(line, at + 1) >= 0) throw new Error('the gexpr conversion is not where 0.15.0 has it');
  writeFileSync(file, `${text.slice(0, at + line.length)}  Py_DECREF(slices);\n${text.slice(at + line.length)}`);
  return FIX_SUBJECT;
}

/**
 * Make the repository in `dest` from `sdist`: the release, then one commit per
 * entry of `plan` ('docs' | 'tests' | 'frontend' | 'header' | 'fix').
 * Returns { repo, base, fix, head, commits: [{ commit, subject, kind }] }.
 */
export function makePythranRepo({ dest, sdist, plan }) {
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', sdist, '-C', dest, '--strip-components=1']);
  let when = Date.UTC(2024, 0, 1) / 1000;
  const git = (...args) =>
    execFileSync('git', ['-C', dest, ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Pythran Dev',
        GIT_AUTHOR_EMAIL: 'dev@example.invalid',
        GIT_COMMITTER_NAME: 'Pythran Dev',
        GIT_COMMITTER_EMAIL: 'dev@example.invalid',
        GIT_AUTHOR_DATE: `@${when} +0000`,
        GIT_COMMITTER_DATE: `@${when} +0000`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  git('add', '-A');
  git('commit', '-q', '-m', `Pythran ${path.basename(sdist).replace(/^pythran-|\.tar\.gz$/g, '')} sources`);
  const base = git('rev-parse', 'HEAD');
  const commits = [{ commit: base, subject: 'release sources', kind: 'base' }];
  let fix = null;
  plan.forEach((kind, n) => {
    when += 3600;
    const subject = kind === 'fix' ? applyFix(dest) : unrelatedChange(dest, kind, n);
    git('add', '-A');
    git('commit', '-q', '-m', subject);
    const commit = git('rev-parse', 'HEAD');
    if (kind === 'fix') fix = commit;
    commits.push({ commit, subject, kind });
  });
  return { repo: dest, base, fix, head: commits[commits.length - 1].commit, commits };
}
