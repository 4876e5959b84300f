#!/usr/bin/env node
// Detector benchmark: planted leaks that must be found, and functions that must
// be called ok, measured through the same code path as `pythran-leakcheck run`
// (investigateFunction: measurement, confirmation in a fresh process, uncompiled
// control). Writes bench/results/detector.md and .json.
//
//   npm run bench:detector                 # 20 runs per planted leak, 40 per must-be-ok function
//   npm run bench:detector -- --leak-runs 5 --ok-runs 5 --pythran 0.16.1
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openCache } from '../dist/io/cache.js';
import { ensureManagedEnv } from '../dist/io/python-env.js';
import { buildModule } from '../dist/io/build.js';
import { investigateFunction } from '../dist/pipeline/measure.js';
import { realPorts } from '../dist/io/ports.js';
import { resultFromInvestigation } from '../dist/core/results.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    'leak-runs': { type: 'string', default: '20' },
    'ok-runs': { type: 'string', default: '40' },
    pythran: { type: 'string', default: '0.16.1' },
  },
});
const leakRuns = Number(values['leak-runs']);
const okRuns = Number(values['ok-runs']);
const signal = new AbortController().signal;
const ports = realPorts('fork', signal);
const quiet = { step() {}, note() {}, done() {} };
const cache = await openCache();
const env = await ensureManagedEnv(values.pythran, { cache, signal, progress: quiet });

// The planted leaks: a C extension compiled here against the environment's Python.
const work = mkdtempSync(path.join(os.tmpdir(), 'leakcheck-bench-'));
const [include, suffix] = JSON.parse(
  execFileSync(env.python, ['-c', 'import sysconfig, json; print(json.dumps([sysconfig.get_paths()["include"], sysconfig.get_config_var("EXT_SUFFIX")]))'], { encoding: 'utf8' }),
);
const plantedPath = path.join(work, `planted${suffix}`);
execFileSync('gcc', ['-O2', '-shared', '-fPIC', `-I${include}`, path.join(root, 'test/fixtures/native/planted.c'), '-o', plantedPath]);
const planted = { modulePath: plantedPath, moduleName: 'planted', sourcePath: null };
const kernels = await buildModule(path.join(root, 'bench/fixtures/ok_kernels.py'), env, { cache, signal, timeoutMs: 900_000 });
const pyOk = { modulePath: path.join(root, 'bench/fixtures/ok_python.py'), moduleName: 'ok_python', sourcePath: null };

const leaks = [
  { name: '1 Python object per call', module: planted, fn: 'objects', expr: '1', kind: 'python-objects', target: true },
  { name: '2 Python objects per call', module: planted, fn: 'objects', expr: '2', kind: 'python-objects' },
  { name: '10 Python objects per call', module: planted, fn: 'objects', expr: '10', kind: 'python-objects' },
  { name: '16 B native per call', module: planted, fn: 'native', expr: '16', kind: 'native-heap' },
  { name: '64 B native per call', module: planted, fn: 'native', expr: '64', kind: 'native-heap', target: true },
  { name: '1 KiB native per call', module: planted, fn: 'native', expr: '1024', kind: 'native-heap' },
  { name: '64 KiB native per call', module: planted, fn: 'native', expr: '65536', kind: 'native-heap' },
];
const oks = [
  { name: 'large temporaries (3.2 MB, above the mmap threshold)', module: kernels, fn: 'large_temporaries', bare: true, expr: '400000' },
  { name: 'medium temporaries (fragmentation)', module: kernels, fn: 'medium_temporaries', bare: true, expr: '3000' },
  { name: 'fresh array returned to the caller', module: kernels, fn: 'fresh_array', bare: true, expr: '1000' },
  { name: 'free lists warming up', module: pyOk, fn: 'free_lists', bare: true, expr: '200' },
  { name: 'bounded cache that fills, then stops', module: pyOk, fn: 'bounded_cache', bare: true, expr: '3' },
];

const opts = { budget: 10, timeout: 120, threshold: 16 };
const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function once(c) {
  const t0 = performance.now();
  const inv = await investigateFunction(env, c.module, c.fn, { expr: c.expr }, opts, { signal, ports });
  const wall = (performance.now() - t0) / 1000;
  const r = resultFromInvestigation({ file: c.module.modulePath, function: c.fn, call: null, build: null }, inv, opts.timeout);
  // Time spent calling the function until the verdict: first process and confirmation, warm-ups included.
  const confirm = inv.confirmation?.measurement;
  const measured =
    (inv.first.status === 'judged' ? inv.first.seconds + inv.first.ready.warmupCalls * inv.first.ready.callSeconds : 0) +
    (confirm?.status === 'judged' ? (confirm.bulk?.seconds ?? 0) + confirm.ready.warmupCalls * confirm.ready.callSeconds : 0);
  let overhead = null;
  if (c.bare === true && inv.first.status === 'judged') {
    // The measured loop (plain phase: calls plus sampling) against a bare loop making the
    // same calls after the same warm-up, in a fresh process with nothing else going on.
    const plain = inv.first.samples.plain;
    const measuredLoop = (plain.at(-1)?.seconds ?? 0) + plain.reduce((s, x) => s + x.sampleSeconds, 0);
    const bare = bareLoop(c, inv.first.ready.warmupCalls, plain.at(-1)?.calls ?? 0);
    if (bare > 0) overhead = measuredLoop / bare;
  }
  return { verdict: r.verdict, kind: r.kind, wall, measured, overhead };
}

const BARE = `
import importlib.util, sys, time
import numpy as np
path, name, fn, expr, warm, calls = sys.argv[1:7]
spec = importlib.util.spec_from_file_location(name, path)
mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
f = getattr(mod, fn); args = eval("(" + expr + ",)", {"np": np})
for _ in range(int(warm)): f(*args)
n = int(calls); t0 = time.perf_counter()
for _ in range(n): f(*args)
print(time.perf_counter() - t0)
`;

function bareLoop(c, warmupCalls, calls) {
  const out = execFileSync(env.python, ['-c', BARE, c.module.modulePath, c.module.moduleName, c.fn, c.expr, String(warmupCalls), String(calls)], {
    encoding: 'utf8',
    env: { ...process.env, ...env.env },
  });
  return Number(out.trim());
}

async function series(c, runs) {
  const out = [];
  for (let i = 0; i < runs; i += 1) {
    out.push(await once(c));
    process.stderr.write('.');
  }
  process.stderr.write(` ${c.name}\n`);
  return out;
}

const leakRows = [];
for (const c of leaks) {
  const rs = await series(c, leakRuns);
  const hits = rs.filter((r) => r.verdict === 'leak' && r.kind === c.kind);
  leakRows.push({
    name: c.name,
    target: c.target === true,
    runs: rs.length,
    detected: hits.length,
    verdicts: Object.entries(rs.reduce((m, r) => ({ ...m, [`${r.verdict}${r.kind ? `/${r.kind}` : ''}`]: (m[`${r.verdict}${r.kind ? `/${r.kind}` : ''}`] ?? 0) + 1 }), {})),
    medianMeasured: median(rs.map((r) => r.measured)),
    maxMeasured: Math.max(...rs.map((r) => r.measured)),
    medianWall: median(rs.map((r) => r.wall)),
  });
}
const okRows = [];
for (const c of oks) {
  const rs = await series(c, okRuns);
  okRows.push({
    name: c.name,
    runs: rs.length,
    falseAlarms: rs.filter((r) => r.verdict === 'leak').length,
    ok: rs.filter((r) => r.verdict === 'ok').length,
    inconclusive: rs.filter((r) => r.verdict === 'inconclusive').length,
    other: rs.filter((r) => !['ok', 'leak', 'inconclusive'].includes(r.verdict)).length,
    medianMeasured: median(rs.map((r) => r.measured)),
    medianWall: median(rs.map((r) => r.wall)),
    medianOverhead: median(rs.map((r) => r.overhead).filter((x) => x !== null)),
  });
}

const totalOk = okRows.reduce((s, r) => s + r.runs, 0);
const totalFalse = okRows.reduce((s, r) => s + r.falseAlarms, 0);
const overheads = okRows.map((r) => r.medianOverhead);
const lines = [];
lines.push(`Detector benchmark: Pythran ${env.pythran.version}, Python ${env.probe.python}, numpy ${env.probe.numpy}, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}.`);
lines.push('');
lines.push('| planted leak | detected (right kind) | median time to verdict (calls, warm-ups included) | slowest | median wall time (3 processes, 2 cores) |');
lines.push('|---|---|---|---|---|');
for (const r of leakRows) {
  lines.push(`| ${r.name}${r.target ? ' (target)' : ''} | ${r.detected}/${r.runs} | ${r.medianMeasured.toFixed(2)} s | ${r.maxMeasured.toFixed(2)} s | ${r.medianWall.toFixed(2)} s |`);
}
lines.push('');
lines.push('| must be ok | false alarms | ok | inconclusive | median time to verdict (calls, warm-ups included) | median wall time | measured loop / bare loop (median) |');
lines.push('|---|---|---|---|---|---|---|');
for (const r of okRows) {
  lines.push(`| ${r.name} | ${r.falseAlarms}/${r.runs} | ${r.ok} | ${r.inconclusive + r.other} | ${r.medianMeasured.toFixed(2)} s | ${r.medianWall.toFixed(2)} s | ${r.medianOverhead.toFixed(3)} |`);
}
lines.push('');
lines.push(`False alarms over the must-be-ok set: ${totalFalse} in ${totalOk} runs. Measured loop (plain phase, sampling included) against a bare loop of the same calls after the same warm-up, in a fresh process: median ${median(overheads).toFixed(3)}x, worst function ${Math.max(...overheads).toFixed(3)}x.`);
const md = lines.join('\n');
console.log(md);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/detector.md'), `${md}\n`);
writeFileSync(path.join(root, 'bench/results/detector.json'), `${JSON.stringify({ environment: { pythran: env.pythran, python: env.probe.python, numpy: env.probe.numpy }, leakRows, okRows }, null, 2)}\n`);
await ports.close();
