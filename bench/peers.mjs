#!/usr/bin/env node
// Times this tool beside its peers on the seed pair (Pythran 0.15.0, warm build
// cache), on the SAME compiled module, in paired rounds: every round runs each
// contender once, the order rotated from round to round. Prints (and writes to
// bench/results/peers.md) each contender's verdicts, median/min/max wall time of
// the whole command, and the ratio tool / peer (of the medians, and the median of
// the per-round ratios). Issue 11, item 5.
//
//   npm run bench:peers            # 5 rounds
//   npm run bench:peers -- 9       # 9 rounds
//
// Peers, installed once into a scratch venv (node_modules/.cache/peers-venv) made
// from the interpreter of the tool's managed Pythran 0.15.0 environment, so the
// module built for that Python and its numpy imports as is:
//   - pytest-memray: @pytest.mark.limit_leaks("32 KB") over 2,000 calls per function,
//     `PYTHONMALLOC=malloc python -m pytest --memray` (bench/peers/test_memray.py);
//   - psleak: MemoryLeakTestCase.execute per function, PYTHONMALLOC=malloc
//     (bench/peers/check_psleak.py);
//   - a hand psutil RSS loop: 100,000 calls per function, > 16 B/call of RSS
//     growth is a leak (bench/peers/psutil_loop.py).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCache } from '../dist/io/cache.js';
import { ensureManagedEnv } from '../dist/io/python-env.js';
import { buildModule } from '../dist/io/build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 5);
const PYTHRAN = '0.15.0';
const bin = path.join(root, 'bin', 'pythran-leakcheck.js');
const seed = path.join('repros', 'seed', 'view_leak.py');
const peersDir = path.join(root, 'bench', 'peers');
const FUNCS = ['simpler_leak', 'simpler_no_leak'];
const EXPECTED = { simpler_leak: 'leak', simpler_no_leak: 'ok' };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const log = (msg) => process.stderr.write(`${msg}\n`);

// ---------------------------------------------------------------- the seed module
// One run of the tool builds (or finds) the module; the dist API then names it.
log(`building the seed pair with Pythran ${PYTHRAN} (first run, not timed)...`);
spawnSync('node', [bin, 'run', seed, '--pythran', PYTHRAN, '--json'], { cwd: root, encoding: 'utf8' });
const signal = new AbortController().signal;
const quiet = { step() {}, note() {}, done() {} };
const cache = await openCache();
const env = await ensureManagedEnv(PYTHRAN, { cache, signal, progress: quiet });
const built = await buildModule(path.join(root, seed), env, { cache, signal, timeoutMs: 600_000 });
if (!built.cached) log('note: the module was not in the build cache; it was built now');
log(`module: ${built.modulePath}`);

// ---------------------------------------------------------------- the scratch venv
const venv = path.join(root, 'node_modules', '.cache', 'peers-venv');
const vpy = path.join(venv, 'bin', 'python');
const PEERS = ['psleak', 'pytest-memray', 'pytest', 'psutil'];
function sh(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  return res.stdout;
}
const marker = path.join(venv, 'peers-ready');
if (!existsSync(marker)) {
  log(`making the scratch venv ${venv} from ${env.python} and installing ${PEERS.join(', ')}...`);
  sh(env.python, ['-m', 'venv', '--clear', venv]);
  sh(vpy, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PEERS]);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
}
// The managed environment's site-packages (numpy 1.26, which the module was built
// against) after the venv's own: a .pth file, rewritten every time in case it moved.
const managedSite = sh(env.python, ['-c', 'import site; print(site.getsitepackages()[0])']).trim();
const venvSite = sh(vpy, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).trim();
writeFileSync(path.join(venvSite, 'peers-managed-env.pth'), `${managedSite}\n`);
const versions = JSON.parse(sh(vpy, ['-c', `
import json
from importlib.metadata import version
import numpy
print(json.dumps({p: version(p) for p in ${JSON.stringify(PEERS)}} | {"numpy": numpy.__version__}))
`]));
log(`peers: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);

const pyEnv = {
  ...process.env,
  ...env.env,
  PYTHONPATH: [peersDir, env.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
  PEERS_MODULE_PATH: built.modulePath,
};
const mallocEnv = { ...pyEnv, PYTHONMALLOC: 'malloc' };

// ---------------------------------------------------------------- the contenders
function verdictLines(text) {
  const out = {};
  for (const m of text.matchAll(/^VERDICT (\w+) (\S+)/gm)) out[m[1]] = m[2];
  return out;
}
const contenders = [
  {
    name: 'pythran-leakcheck (full default run)',
    tool: true,
    cmd: 'node',
    args: [bin, 'run', seed, '--pythran', PYTHRAN],
    show: `node bin/pythran-leakcheck.js run ${seed} --pythran ${PYTHRAN}`,
    env: process.env,
    parse(text) {
      const out = {};
      for (const m of text.matchAll(/^(\S+)(?: \([^)]*\))? \S+::(\w+): /gm)) out[m[2]] = m[1];
      return out;
    },
  },
  {
    name: 'pytest-memray `limit_leaks("32 KB")`, 2,000 calls per function',
    cmd: vpy,
    args: ['-m', 'pytest', '--memray', '-p', 'no:cacheprovider', '-q', '-rA', path.join(peersDir, 'test_memray.py')],
    show: 'PYTHONMALLOC=malloc python -m pytest --memray -q -rA bench/peers/test_memray.py',
    env: mallocEnv,
    parse(text) {
      const out = {};
      for (const m of text.matchAll(/^(PASSED|FAILED|MEMORY PROBLEMS|ERROR|SKIPPED) \S+::test_(\w+)/gm)) {
        out[m[2]] = m[1] === 'PASSED' ? 'ok' : m[1] === 'MEMORY PROBLEMS' || m[1] === 'FAILED' ? 'leak' : m[1].toLowerCase();
      }
      return out;
    },
  },
  {
    name: 'psleak `MemoryLeakTestCase.execute`',
    cmd: vpy,
    args: [path.join(peersDir, 'check_psleak.py')],
    show: 'PYTHONMALLOC=malloc python bench/peers/check_psleak.py',
    env: mallocEnv,
    parse: verdictLines,
  },
  {
    name: 'hand psutil RSS loop, 100,000 calls per function',
    cmd: vpy,
    args: [path.join(peersDir, 'psutil_loop.py')],
    show: 'python bench/peers/psutil_loop.py',
    env: pyEnv,
    parse: verdictLines,
  },
];

// One untimed run of each: a warm file cache for all, and a check that each runs.
for (const c of contenders) {
  const res = spawnSync(c.cmd, c.args, { cwd: root, env: c.env, encoding: 'utf8' });
  const v = c.parse(`${res.stdout}\n${res.stderr}`);
  log(`warm-up ${c.name}: exit ${res.status}, ${FUNCS.map((f) => `${f} ${v[f] ?? '?'}`).join(', ')}`);
}

for (const c of contenders) { c.times = []; c.verdicts = []; }
for (let r = 0; r < rounds; r += 1) {
  const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
  for (const c of order) {
    const t0 = performance.now();
    const res = spawnSync(c.cmd, c.args, { cwd: root, env: c.env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const s = (performance.now() - t0) / 1000;
    c.times.push(s);
    const v = c.parse(`${res.stdout}\n${res.stderr}`);
    c.verdicts.push(v);
    log(`round ${r + 1}: ${c.name}: ${s.toFixed(2)} s, exit ${res.status}, ${FUNCS.map((f) => `${f} ${v[f] ?? '?'}`).join(', ')}`);
  }
}

// ---------------------------------------------------------------- the table
const tool = contenders.find((c) => c.tool);
const fmt = (s) => `${s.toFixed(2)} s`;
function verdictCell(c) {
  const parts = FUNCS.map((f) => {
    const seen = [...new Set(c.verdicts.map((v) => v[f] ?? 'none'))];
    const right = seen.length === 1 && seen[0] === EXPECTED[f];
    const wrongRounds = c.verdicts.filter((v) => v[f] !== EXPECTED[f]).length;
    return `${f}: ${seen.join('/')}${right ? ' ✓' : ` **MISS** (${wrongRounds}/${c.verdicts.length} rounds)`}`;
  });
  const allRight = c.verdicts.every((v) => FUNCS.every((f) => v[f] === EXPECTED[f]));
  return { text: parts.join('; '), allRight };
}
const lines = [];
lines.push('| contender | verdicts (✓ right in every round) | median wall | min / max | tool / peer, ratio of medians | tool / peer, median of per-round ratios |');
lines.push('|---|---|---|---|---|---|');
for (const c of contenders) {
  const { text } = verdictCell(c);
  const med = median(c.times);
  const ratioMed = c.tool ? '-' : `${(median(tool.times) / med).toFixed(2)}×`;
  const perRound = c.tool ? '-' : `${median(tool.times.map((t, i) => t / c.times[i])).toFixed(2)}×`;
  lines.push(`| ${c.name} | ${text} | ${fmt(med)} | ${fmt(Math.min(...c.times))} / ${fmt(Math.max(...c.times))} | ${ratioMed} | ${perRound} |`);
}
const table = lines.join('\n');
const misses = contenders.filter((c) => !verdictCell(c).allRight).map((c) => c.name);

const cpu = execFileSync('nproc', { encoding: 'utf8' }).trim();
const memGiB = (os.totalmem() / 2 ** 30).toFixed(1);
const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
const md = `# Peers benchmark: the seed pair on Pythran ${PYTHRAN}

Command: \`npm run bench:peers\` (${rounds} rounds), tool at commit ${commit}, ${date}.

Machine: ${cpu} cores, ${memGiB} GiB, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Linux ${os.release()}, Node ${process.version}.
The machine is shared and noisy: read the medians and the ratios, not single runs.
Each round runs every contender once, whole command from start to exit (interpreter
start-up and imports included), the order rotated from round to round; the tool's
build cache is warm and the module every peer imports is the one the tool built
(\`${path.basename(built.modulePath)}\`, Python ${env.probe.python}, numpy ${env.probe.numpy}).
Peers: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}, in a scratch venv made from the managed environment's interpreter.
Arguments, as the tool's: a float32 16x16 array, 4, 4. Right means simpler_leak leaks and simpler_no_leak does not.

${table}

Commands timed (from the repository root; the peers with \`node_modules/.cache/peers-venv/bin/python\`,
\`PYTHONPATH=bench/peers\` (then the managed environment's own PYTHONPATH) and \`PEERS_MODULE_PATH\` set to the built module):
${contenders.map((c) => `- ${c.name}: \`${c.show}\``).join('\n')}

${misses.length === 0 ? 'Every contender gave the right verdict on both functions in every round.' : `Missed: ${misses.join('; ')}.`}
Ratios above 1 mean the tool is slower than the peer.
`;
console.log(`\n${md}`);
mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(root, 'bench', 'results', 'peers.md'), md);
log('written to bench/results/peers.md');
