#!/usr/bin/env node
// Times `pythran-leakcheck bisect --repo` against a plain `git bisect run`
// script on the same range of commits, side by side, on this machine.
//
//   npm run bench:bisect                 # 40 commits after the 0.15.0 sources
//   npm run bench:bisect -- 40 /tmp/work # commits, work folder
//
// The range: the Pythran 0.15.0 sources (sdist from PyPI), then 40 commits:
// 16 Python-side edits of pythran/*.py, 7 comment edits of pythonic headers
// (3 of them in headers the repro includes), 8 docs and 8 tests commits, and
// as the 28th the one-line fix of the view leak (#2200, in types/ndarray.hpp).
// Both sides start with the same warm dependency-set environment and a cold
// build cache; neither has seen any commit of the range before.
//
// The git side is the script a user would write: at each point git checks the
// commit out, the script puts the checkout on PYTHONPATH, and builds and
// measures the function with this tool's `run` (the same measurement as
// `bisect`, with a fresh build cache per point so nothing is reused), mapping
// leak -> old, ok -> new, anything else -> 125 (skip). A second git variant
// measures with a bare tracemalloc loop instead (cheaper, less careful).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchSdist, makePythranRepo } from './pythran-repo.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'pythran-leakcheck.js');
const repro = path.join(root, 'repros', 'seed', 'view_leak.py');
const count = Number(process.argv[2] ?? 40);
const work = path.resolve(process.argv[3] ?? path.join(os.tmpdir(), 'bisect-bench'));
const fixAt = Math.round((count * 2) / 3);

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const cache = path.join(work, 'cache');
const kinds = ['frontend', 'docs', 'header', 'frontend', 'tests'];
const plan = Array.from({ length: count }, (_, i) => (i === fixAt ? 'fix' : kinds[i % kinds.length]));
const sdist = fetchSdist('0.15.0', path.join(work, 'sdist'));
const repo = makePythranRepo({ dest: path.join(work, 'pythran'), sdist, plan });
console.error(`range: ${count} commits after the 0.15.0 sources; the fix is commit ${fixAt + 1} (${repo.fix.slice(0, 12)})`);

// The dependency-set environment both sides use, made before timing.
const installed = JSON.parse(execFileSync('node', [bin, 'env', 'install', '0.15.0', '--json', '--cache-dir', cache], { encoding: 'utf8' }));
const python = installed[0].python.replace(/ \([^)]*\)$/, '');
const cores = execFileSync('nproc', { encoding: 'utf8' }).trim();

function timed(fn) {
  const t0 = performance.now();
  const out = fn();
  return { seconds: (performance.now() - t0) / 1000, out };
}

// 1. pythran-leakcheck bisect --repo (cold build cache, no commit trees yet).
const ours = timed(() =>
  spawnSync('node', [bin, 'bisect', `${repro}::simpler_leak`, '--repo', repo.repo, '--from', repo.base, '--to', 'main', '--cache-dir', cache, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }),
);
const report = JSON.parse(ours.out.stdout);
const oursOk = report.first?.commit === repo.fix;

// 2. git bisect run, with a script that builds and measures each point.
function gitBisect(name, script) {
  const clone = path.join(work, `clone-${name}`);
  execFileSync('git', ['clone', '-q', repo.repo, clone]);
  const file = path.join(work, `bisect-${name}.sh`);
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  const git = (...args) => spawnSync('git', ['-C', clone, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  git('bisect', 'start', '--term-old=leaks', '--term-new=fixed');
  git('bisect', 'fixed', 'main');
  git('bisect', 'leaks', repo.base);
  const t = timed(() => git('bisect', 'run', file));
  const first = /^([0-9a-f]{40}) is the first fixed commit/m.exec(t.out.stdout)?.[1] ?? null;
  const steps = (t.out.stdout.match(/^running /gm) ?? []).length;
  git('bisect', 'reset');
  return { seconds: t.seconds, ok: first === repo.fix, steps };
}

const viaTool = gitBisect(
  'tool',
  `#!/bin/sh
# git bisect run: exit 0 when the checked-out Pythran leaks (old), 1 when it does not (new), 125 to skip.
export PYTHONPATH="$(git rev-parse --show-toplevel)"
tmp=$(mktemp -d)
node '${bin}' run '${repro}::simpler_leak' --python '${python}' --cache-dir "$tmp" >/dev/null 2>&1
code=$?
rm -rf "$tmp"
case $code in 1) exit 0 ;; 0) exit 1 ;; *) exit 125 ;; esac
`,
);

const bare = gitBisect(
  'bare',
  `#!/bin/sh
# git bisect run: build with the checked-out Pythran, call the function 20000 times under tracemalloc.
export PYTHONPATH="$(git rev-parse --show-toplevel)"
tmp=$(mktemp -d)
cp '${repro}' "$tmp/view_leak.py"
cd "$tmp" || exit 125
'${python}' -c 'import sys; from pythran.run import run; sys.argv[0] = "pythran"; sys.exit(run())' view_leak.py -o view_leak.so >/dev/null 2>&1 || { rm -rf "$tmp"; exit 125; }
'${python}' - <<'PY'
import sys, tracemalloc
import numpy as np
sys.path.insert(0, ".")
import view_leak
a = np.ones((16, 16), np.float32)
for _ in range(2000):
    view_leak.simpler_leak(a, 4, 4)
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
for _ in range(20000):
    view_leak.simpler_leak(a, 4, 4)
grown = (tracemalloc.get_traced_memory()[0] - before) / 20000
sys.exit(0 if grown > 16 else 1)
PY
code=$?
cd / && rm -rf "$tmp"
exit $code
`,
);

writeFileSync(path.join(work, 'bisect.json'), ours.out.stdout);
const distinct = `${report.distinct} distinct of ${report.points}`;
const load = os.loadavg().map((x) => x.toFixed(1)).join(', ');
console.log(`Bisecting simpler_leak over ${count} commits after the Pythran 0.15.0 sources (${distinct} points; ${cores} cores; load average at the end ${load}):\n`);
console.log('| method | wall time | points judged | found the fix |');
console.log('|---|---|---|---|');
console.log(`| \`pythran-leakcheck bisect --repo\` (both ends, then two points at a time) | ${ours.seconds.toFixed(1)} s | ${report.steps.length} in ${report.rounds} rounds | ${oursOk ? 'yes' : 'NO'} |`);
console.log(`| \`git bisect run\`, each point built and measured with \`pythran-leakcheck run\` | ${viaTool.seconds.toFixed(1)} s | ${viaTool.steps} | ${viaTool.ok ? 'yes' : 'NO'} |`);
console.log(`| \`git bisect run\`, each point built with pythran and measured by a bare tracemalloc loop | ${bare.seconds.toFixed(1)} s | ${bare.steps} | ${bare.ok ? 'yes' : 'NO'} |`);
if (!oursOk) console.error(ours.out.stderr.slice(-3000));
