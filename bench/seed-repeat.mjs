#!/usr/bin/env node
// Runs the seed pair N times on Pythran 0.15.0 and 0.16.1 through the CLI, as a
// user would, and prints how often each verdict came out and the median wall
// time of a run (the build is cached after the first run, which is not counted).
//
//   npm run bench:seed            # N = 10
//   npm run bench:seed -- 20
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const n = Number(process.argv[2] ?? 10);
const bin = path.join(root, 'bin', 'pythran-leakcheck.js');
const seed = path.join('repros', 'seed', 'view_leak.py');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const rows = [];
for (const version of ['0.15.0', '0.16.1']) {
  // First run: provisions the environment and fills the build cache; not timed.
  spawnSync('node', [bin, 'run', seed, '--pythran', version, '--json'], { cwd: root, encoding: 'utf8' });
  const tally = {};
  const times = [];
  let rebuilt = 0;
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    const res = spawnSync('node', [bin, 'run', seed, '--pythran', version, '--json'], { cwd: root, encoding: 'utf8' });
    times.push((performance.now() - t0) / 1000);
    const report = JSON.parse(res.stdout);
    for (const r of report.results) {
      const key = `${r.function}: ${r.verdict}${r.kind ? ` (${r.kind})` : ''}`;
      tally[key] = (tally[key] ?? 0) + 1;
      if (!r.build?.cached) rebuilt += 1;
    }
  }
  rows.push({ version, tally, median: median(times), max: Math.max(...times), rebuilt });
}

const cpu = execFileSync('nproc', { encoding: 'utf8' }).trim();
console.log(`Seed pair, ${n} runs per release (${cpu} cores), second and later runs (cached build):\n`);
console.log('| Pythran | verdicts over the runs | median wall time per run | slowest | rebuilds |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const verdicts = Object.entries(r.tally).map(([k, v]) => `${k} ${v}/${n}`).join('; ');
  console.log(`| ${r.version} | ${verdicts} | ${r.median.toFixed(2)} s | ${r.max.toFixed(2)} s | ${r.rebuilt} |`);
}
