#!/usr/bin/env node
// Times `pythran-leakcheck bisect --repo` against a hand-written `git bisect run`
// script on Pythran's own history, in paired rounds, and prints the medians
// and the ratio.
//
//   npm run bench:bisect                       # 5 rounds, the mirror below
//   npm run bench:bisect -- --rounds 7 --pythran-git DIR --work DIR
//
// The range: the 38 first-parent commits from 0.15.0 to 0.16.0 of Pythran's
// repository (a clone of DIR, default $PYTHRAN_GIT or the mirror at
// /work/.mirror/serge-sans-paille+pythran/repo). The repro is
// bench/fixtures/buffer_kernels.py, nine functions; `smooth` leaks its
// temporary buffer from effcf68e6 on, which is the answer.
//
// Each round runs both sides, in alternating order, each from cold commit
// trees and cold builds, with warm environments (made before the first
// round):
// - the tool: `bisect file.py::smooth --repo CLONE --from 0.15.0 --to 0.16.0`
//   with a cache folder whose commit trees, builds and compiler cache are
//   removed before the round (its environments are kept);
// - the script: a fresh clone of the repository, `git bisect start`, and
//   `git bisect run` of the script a user would write: put the checkout on
//   PYTHONPATH, build the whole repro with it, call `smooth` 3,000 times
//   and read glibc's mallinfo2 before and after (leak -> bad, ok -> good, no
//   build -> 125). It takes both ends on trust; the tool judges them.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'pythran-leakcheck.js');
const fixture = path.join(root, 'bench', 'fixtures', 'buffer_kernels.py');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'pythran-git': { type: 'string', default: process.env.PYTHRAN_GIT ?? '/work/.mirror/serge-sans-paille+pythran/repo' },
    work: { type: 'string', default: path.join(os.tmpdir(), 'bisect-real-bench') },
    from: { type: 'string', default: '0.15.0' },
    to: { type: 'string', default: '0.16.0' },
    expect: { type: 'string', default: 'effcf68e6' },
  },
});
const rounds = Number(values.rounds);
const source = path.resolve(values['pythran-git']);
const work = path.resolve(values.work);
if (!existsSync(source)) {
  console.error(`no Pythran repository at ${source}: clone https://github.com/serge-sans-paille/pythran and pass --pythran-git DIR (or set PYTHRAN_GIT)`);
  process.exit(2);
}

mkdirSync(work, { recursive: true });
const cache = path.join(work, 'cache');
const repo = path.join(work, 'pythran');
rmSync(repo, { recursive: true, force: true });
execFileSync('git', ['clone', '-q', source, repo]);

// Warm environments for both sides: the dependency sets of 0.15.0 and 0.16.0.
const installed = JSON.parse(execFileSync('node', [bin, 'env', 'install', values.from, values.to, '--json', '--cache-dir', cache], { encoding: 'utf8' }));
const python = installed[0].python.replace(/ \([^)]*\)$/, '');

const script = path.join(work, 'bisect-hand.sh');
writeFileSync(
  script,
  `#!/bin/sh
# git bisect run: exit 0 (good) when the checked-out Pythran does not leak, 1 (bad) when it does, 125 when it does not build.
export PYTHONPATH="$(git rev-parse --show-toplevel)"
tmp=$(mktemp -d)
cp '${fixture}' "$tmp/buffer_kernels.py"
cd "$tmp" || exit 125
'${python}' -c 'import sys; from pythran.run import run; sys.argv[0] = "pythran"; sys.exit(run())' --config compiler.blas=pythran-openblas buffer_kernels.py -o buffer_kernels.so >build.log 2>&1 || { cd / && rm -rf "$tmp"; exit 125; }
'${python}' - <<'PY'
import ctypes, sys
import numpy as np
sys.path.insert(0, ".")
import buffer_kernels

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
def used():
    m = libc.mallinfo2()
    return m.uordblks + m.hblkhd

x = np.ones(1000)
for _ in range(300):
    buffer_kernels.smooth(x)
before = used()
for _ in range(3000):
    buffer_kernels.smooth(x)
grown = (used() - before) / 3000
sys.exit(1 if grown > 16 else 0)
PY
code=$?
cd / && rm -rf "$tmp"
exit $code
`,
);
chmodSync(script, 0o755);

function timed(fn) {
  const t0 = performance.now();
  const out = fn();
  return { seconds: (performance.now() - t0) / 1000, out };
}

function coldTool() {
  // Cold commit trees, builds and compiler cache; the environments stay.
  rmSync(path.join(cache, 'builds'), { recursive: true, force: true });
  rmSync(path.join(cache, 'tmp'), { recursive: true, force: true });
  rmSync(path.join(cache, 'cxx'), { recursive: true, force: true });
  const trees = path.join(cache, 'pythran');
  for (const e of existsSync(trees) ? readdirSync(trees) : []) if (!e.startsWith('release-')) rmSync(path.join(trees, e), { recursive: true, force: true });
}

function runTool() {
  coldTool();
  const t = timed(() =>
    spawnSync('node', [bin, 'bisect', `${fixture}::smooth`, '--repo', repo, '--from', values.from, '--to', values.to, '--cache-dir', cache, '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  let report = null;
  try {
    report = JSON.parse(t.out.stdout);
  } catch {
    console.error(t.out.stderr.slice(-3000));
  }
  const first = report?.first?.commit ?? null;
  const ends = (report?.steps ?? []).filter((s) => s.round === 1 && (s.verdict === 'leak' || s.verdict === 'ok')).length;
  return { seconds: t.seconds, first, ok: first?.startsWith(values.expect) ?? false, probes: report?.steps.length ?? 0, ends, report, stderr: t.out.stderr };
}

function runScript(n) {
  const clone = path.join(work, `clone-${n}`);
  rmSync(clone, { recursive: true, force: true });
  execFileSync('git', ['clone', '-q', '--no-checkout', source, clone]);
  const git = (...args) => spawnSync('git', ['-C', clone, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const t = timed(() => {
    git('bisect', 'start', values.to, values.from);
    return git('bisect', 'run', script);
  });
  const first = /^([0-9a-f]{40}) is the first bad commit/m.exec(t.out.stdout)?.[1] ?? null;
  const probes = (t.out.stdout.match(/^running /gm) ?? []).length;
  rmSync(clone, { recursive: true, force: true });
  return { seconds: t.seconds, first, ok: first?.startsWith(values.expect) ?? false, probes };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const rows = [];
for (let i = 0; i < rounds; i += 1) {
  // Alternate which side goes first, so neither always meets the other's leftovers.
  let tool;
  let hand;
  if (i % 2 === 0) {
    tool = runTool();
    hand = runScript(i);
  } else {
    hand = runScript(i);
    tool = runTool();
  }
  const load = os.loadavg()[0].toFixed(1);
  rows.push({ tool, hand, ratio: tool.seconds / hand.seconds, load });
  console.error(
    `round ${i + 1}: tool ${tool.seconds.toFixed(1)} s (${tool.probes} points, ${tool.ends} ends judged, ${tool.ok ? 'right' : `WRONG: ${tool.first}`}), ` +
      `script ${hand.seconds.toFixed(1)} s (${hand.probes} points, ${hand.ok ? 'right' : `WRONG: ${hand.first}`}), ratio ${(tool.seconds / hand.seconds).toFixed(2)}x, load ${load}`,
  );
  if (!tool.ok) console.error(tool.stderr.slice(-3000));
}
writeFileSync(path.join(work, 'last-bisect.json'), JSON.stringify(rows.at(-1).tool.report, null, 2));

const cores = os.cpus().length;
console.log(`Bisecting buffer_kernels.py::smooth over the first-parent commits ${values.from}..${values.to} of Pythran (${cores} cores), ${rounds} paired rounds, cold commit trees and builds, warm environments:\n`);
console.log('| round | `bisect --repo` | points | ends judged | hand `git bisect run` | points | ratio | load |');
console.log('|---|---|---|---|---|---|---|---|');
rows.forEach((r, i) =>
  console.log(
    `| ${i + 1} | ${r.tool.seconds.toFixed(1)} s${r.tool.ok ? '' : ' (WRONG)'} | ${r.tool.probes} | ${r.tool.ends} of 2 | ${r.hand.seconds.toFixed(1)} s${r.hand.ok ? '' : ' (WRONG)'} | ${r.hand.probes} | ${r.ratio.toFixed(2)}x | ${r.load} |`,
  ),
);
const mt = median(rows.map((r) => r.tool.seconds));
const mh = median(rows.map((r) => r.hand.seconds));
const mr = median(rows.map((r) => r.ratio));
console.log(`| median | ${mt.toFixed(1)} s | | | ${mh.toFixed(1)} s | | ${mr.toFixed(2)}x (of medians ${(mt / mh).toFixed(2)}x) | |`);
const right = rows.every((r) => r.tool.ok && r.hand.ok && r.tool.ends === 2);
console.log(`\nanswer ${values.expect} found by both sides in every round, both ends judged by the tool: ${right ? 'yes' : 'NO'}`);
process.exitCode = right ? 0 : 1;
