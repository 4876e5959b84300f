#!/usr/bin/env node
// Every `leak` the tool reports over a folder of repros, checked again by a
// plain before/after loop that shares nothing with the tool's harness
// (bench/plain_loop.py): warm up, read sys.getallocatedblocks(), the native
// heap in use (glibc mallinfo2) and each non-scalar argument's refcount, call
// the function at least 1,000 times (as many as fit in --seconds), collect,
// read again. The module is the one the tool built (same build cache), the
// arguments the ones the tool's call plan gives.
//
//   npm run bench:corpus-leaks -- DIR --pythran 0.16.1            # run the tool, then check its leaks
//   npm run bench:corpus-leaks -- --report run.json [DIR]         # check the leaks of a saved --json report
//   ... --check-ok 3                                              # also loop over 3 functions called ok (or: all)
//   ... --also file.py::fn                                        # and over these (repeatable)
//   ... --domain                                                  # and call every function once uncompiled with the same
//                                                                 # arguments: which verdicts rest on arguments plain Python rejects
//
// Exit status: 0 when every leak is confirmed by the plain loop, 1 when one is
// not (a false alarm of the tool), 2 on a usage or set-up problem.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { openCache } from '../dist/io/cache.js';
import { ensureManagedEnv, resolveEnvironment } from '../dist/io/python-env.js';
import { buildModule } from '../dist/io/build.js';
import { planModule } from '../dist/core/overloads.js';
import { parseExports } from '../dist/core/signature.js';
import { DEFAULT_THRESHOLDS } from '../dist/core/verdict.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VERDICTS = ['leak', 'ok', 'inconclusive', 'error', 'crash', 'timeout', 'skipped'];

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      pythran: { type: 'string' },
      python: { type: 'string' },
      report: { type: 'string' },
      save: { type: 'string' },
      'check-ok': { type: 'string', default: '0' },
      also: { type: 'string', multiple: true, default: [] },
      'min-calls': { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '2' },
      warmup: { type: 'string', default: '200' },
      'max-calls': { type: 'string', default: '2000000' },
      'max-mb': { type: 'string', default: '256' },
      out: { type: 'string' },
      domain: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
const { values, positionals } = parsed;
// `npm run` starts scripts in the package's folder: paths are the user's, relative to where npm was run.
const here = process.env.INIT_CWD ?? process.cwd();
const userPath = (p) => (p === undefined ? undefined : path.resolve(here, p));
const dir = positionals[0] !== undefined ? userPath(positionals[0]) : null;
for (const k of ['report', 'save', 'out']) values[k] = userPath(values[k]);
if (values.report === undefined && dir === null) {
  console.error('usage: corpus-leaks.mjs DIR --pythran V  |  corpus-leaks.mjs --report FILE [DIR] [--pythran V]');
  process.exit(2);
}
const loop = {
  minCalls: Number(values['min-calls']),
  seconds: Number(values.seconds),
  warmupCalls: Number(values.warmup),
  maxCalls: Number(values['max-calls']),
  // A fast leak stops short of this many bytes (but never below minCalls).
  maxBytes: Number(values['max-mb']) * 2 ** 20,
};
const T = DEFAULT_THRESHOLDS; // blocks 0.5/call, native bytes 16/call, refs 0.5/call

// ------------------------------------------------------------------ the tool's report
let report;
if (values.report !== undefined) {
  report = JSON.parse(readFileSync(values.report, 'utf8'));
} else {
  const args = [path.join(root, 'bin/pythran-leakcheck.js'), 'run', dir, '--json'];
  if (values.pythran !== undefined) args.push('--pythran', values.pythran);
  if (values.python !== undefined) args.push('--python', values.python);
  console.error(`$ node ${args.map((a) => path.relative(process.cwd(), a) || a).join(' ')}`);
  const started = Date.now();
  // Exit 1 (a leak) and 3 (unjudged results) are answers, not failures: read the JSON.
  const res = await run(process.execPath, args, { maxBuffer: 1 << 30 }).catch((e) => e);
  if (typeof res.stdout !== 'string' || res.stdout.trim() === '') {
    console.error(`the tool printed no report (exit ${res.code}): ${String(res.stderr ?? res.message).slice(-2000)}`);
    process.exit(2);
  }
  report = JSON.parse(res.stdout);
  console.error(`the tool took ${((Date.now() - started) / 60000).toFixed(1)} min`);
  if (values.save !== undefined) writeFileSync(values.save, res.stdout);
}
const pythran = values.pythran ?? report.environment?.pythran?.version;
if (pythran === undefined && values.python === undefined) {
  console.error('which Pythran? give --pythran V (the report names none)');
  process.exit(2);
}

// ------------------------------------------------------------------ the whole picture
const results = report.results;
const counts = Object.fromEntries(VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length]));
/** file::function, the file relative to DIR when it is inside it. */
function key(r) {
  const rel = dir !== null ? path.relative(dir, path.resolve(r.file)) : '';
  const file = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : r.file;
  return `${file}::${r.overload ?? r.function ?? '(file)'}`;
}
/** A message's first line, and the line after it when the first only announces it ("crashed with SIGSEGV:"). */
function oneLine(message) {
  const lines = (message ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const first = lines[0] ?? '';
  const next = lines[1] ?? '';
  const text = first.endsWith(':') && next !== '' ? `${first} ${next}` : first;
  return text.length > 220 ? `${text.slice(0, 217)}...` : text;
}
const fmt = (x, digits = 3) => (x === null || x === undefined ? '-' : Number(x).toFixed(digits));
const fmtRefs = (xs) => (xs === null || xs === undefined || xs.length === 0 ? '-' : xs.map((x) => fmt(x, 3)).join(','));

console.log(`Pythran ${report.environment?.pythran?.version ?? pythran}, numpy ${report.environment?.numpy ?? '?'}, Python ${report.environment?.pythonVersion ?? '?'}`);
console.log(`${results.length} results: ${VERDICTS.map((v) => `${counts[v]} ${v}`).join(', ')}`);
const odd = results.filter((r) => r.verdict !== 'ok' && r.verdict !== 'leak');
if (odd.length > 0) {
  console.log('\nResults that are neither ok nor leak:');
  for (const r of odd) console.log(`  ${r.verdict.padEnd(12)} ${key(r)}: ${oneLine(r.message)}`);
}

// ------------------------------------------------------------------ the plain loops
const signal = new AbortController().signal;
const quiet = { step() {}, note() {}, done() {} };
const cache = await openCache();
const env = values.python !== undefined
  ? await resolveEnvironment({ python: values.python }, { cache, signal, progress: quiet })
  : await ensureManagedEnv(pythran, { cache, signal, progress: quiet });
const work = mkdtempSync(path.join(os.tmpdir(), 'corpus-leaks-'));

/** The repro a result names: as the tool printed it (relative to where it ran), or inside DIR. */
function reproPath(file) {
  const candidates = [path.resolve(file)];
  if (dir !== null) candidates.push(path.join(dir, file), path.join(dir, path.basename(file)));
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** The tool's own call plan for one overload (the same sources, in the same order, as `run`). */
function planOf(abs, file, fn, overload) {
  const source = readFileSync(abs, 'utf8');
  const { overloads } = planModule(parseExports(source), source, { fileLabel: file, moduleName: path.basename(abs, '.py') });
  const o = overloads.find((x) => x.overload.sig.name === fn && (overload == null || x.overload.signature === overload));
  if (o === undefined || o.plan === null) return null;
  return o.plan;
}

async function plainLoop(file, fn, overload) {
  const abs = reproPath(file);
  if (abs === null) return { error: `cannot find ${file} (give the folder it is in)` };
  const planned = planOf(abs, file, fn, overload);
  if (planned === null) return { error: `${file} has no plannable overload ${overload ?? fn}` };
  const { plan, origin } = planned;
  const built = await buildModule(abs, env, { cache, signal, timeoutMs: 900_000, display: file });
  const out = path.join(work, `${built.moduleName}-${fn}.json`);
  const cfg = { modulePath: built.modulePath, moduleName: built.moduleName, function: fn, call: plan, ...loop };
  try {
    await run(env.python, [path.join(root, 'bench/plain_loop.py'), JSON.stringify(cfg), out], {
      cwd: path.dirname(built.modulePath),
      env: { ...process.env, ...env.env, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 1 << 26,
      timeout: 3600_000,
    });
  } catch (error) {
    return { error: `plain loop failed (exit ${error.code ?? error.signal}): ${String(error.stderr ?? error.message).trim().split('\n').slice(-2).join(' ')}` };
  }
  const res = JSON.parse(readFileSync(out, 'utf8'));
  const refMax = Math.max(0, ...res.refsPerCall.filter((x) => x !== null));
  res.confirmed = res.blocksPerCall > T.blocks || (res.nativePerCall ?? 0) > T.bytes || refMax > T.refs;
  res.origin = origin;
  res.cached = built.cached;
  return res;
}

/** One call of the uncompiled repro (the copy in the build folder) with the tool's arguments. */
async function domainCheck(file, fn, overload) {
  const abs = reproPath(file);
  if (abs === null) return { error: `cannot find ${file}` };
  const planned = planOf(abs, file, fn, overload);
  if (planned === null) return { error: `${file} has no plannable overload ${overload ?? fn}` };
  const { plan } = planned;
  const built = await buildModule(abs, env, { cache, signal, timeoutMs: 900_000, display: file });
  const out = path.join(work, `${built.moduleName}-${fn}.domain.json`);
  const cfg = { mode: 'domain', modulePath: built.sourcePath, moduleName: `${built.moduleName}_uncompiled`, function: fn, call: plan, ...loop };
  try {
    await run(env.python, [path.join(root, 'bench/plain_loop.py'), JSON.stringify(cfg), out], {
      cwd: work,
      env: { ...process.env, ...env.env, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 1 << 26,
      timeout: 60_000,
    });
  } catch (error) {
    return { error: error.killed ? 'no answer in 60 s' : `exit ${error.code ?? error.signal}` };
  }
  return JSON.parse(readFileSync(out, 'utf8'));
}

function toolFigures(r) {
  return `${r.verdict}${r.kind ? ` (${r.kind})` : ''} blocks ${fmt(r.blocksPerCall)}, native ${fmt(r.bytesPerCall?.native, 1)} B, py ${fmt(r.bytesPerCall?.python, 1)} B, refs ${fmtRefs(r.refsPerCall)}`;
}

async function check(rows, r, fn) {
  const started = Date.now();
  const res = await plainLoop(r.file, fn, r.overload);
  rows.push({ r, res });
  const s = ((Date.now() - started) / 1000).toFixed(0);
  if (res.error !== undefined) console.error(`  ${key(r)}: ${res.error}`);
  else console.error(`  ${key(r)}: ${res.calls} calls in ${res.seconds.toFixed(1)} s (${s} s in all), blocks ${fmt(res.blocksPerCall)}, native ${fmt(res.nativePerCall, 1)} B, refs ${fmtRefs(res.refsPerCall)}`);
}

function table(title, rows, last = 'confirmed') {
  console.log(`\n${title}`);
  console.log(`| function | tool: verdict (kind), per call | plain loop: calls | blocks/call | native B/call | refs/call | ${last} |`);
  console.log('|---|---|---:|---:|---:|---:|---|');
  for (const { r, res } of rows) {
    if (res.error !== undefined) {
      console.log(`| ${key(r)} | ${toolFigures(r)} | - | - | - | - | error: ${res.error} |`);
      continue;
    }
    console.log(
      `| ${key(r)} | ${toolFigures(r)} | ${res.calls} | ${fmt(res.blocksPerCall)} | ${fmt(res.nativePerCall, 1)} | ${fmtRefs(res.refsPerCall)} | ${res.confirmed ? 'yes' : 'no'} |`,
    );
  }
}

const leaks = results.filter((r) => r.verdict === 'leak' && r.function !== null);
console.error(`\nPlain loops (warm-up ${loop.warmupCalls} calls, then >= ${loop.minCalls} calls or ${loop.seconds} s):`);
const leakRows = [];
for (const r of leaks) await check(leakRows, r, r.function);

// Sanity: the plain loop must not see a leak in functions the tool calls ok.
const oks = results.filter((r) => r.verdict === 'ok' && r.function !== null);
const nOk = values['check-ok'] === 'all' ? oks.length : Math.min(Number(values['check-ok']), oks.length);
const picked = Array.from({ length: nOk }, (_, k) => oks[Math.floor(((k + 0.5) * oks.length) / nOk)]);
for (const spec of values.also) {
  const i = spec.lastIndexOf('::');
  const [file, fn] = [spec.slice(0, i), spec.slice(i + 2)];
  picked.push(results.find((r) => r.function === fn && (r.file === file || path.basename(r.file) === path.basename(file))) ?? { file, function: fn, verdict: '(not in report)', kind: null, bytesPerCall: {}, refsPerCall: [] });
}
const okRows = [];
for (const r of picked) await check(okRows, r, r.function);

// Which verdicts rest on arguments the function does not accept (plain Python raises on them)?
const outside = [];
if (values.domain) {
  console.error('\nOne uncompiled call of every function with the same arguments:');
  for (const r of results.filter((x) => x.function !== null && x.build !== null)) {
    const d = await domainCheck(r.file, r.function, r.overload);
    if (d.error !== undefined) console.error(`  ${key(r)}: ${d.error}`);
    if (d.raised) outside.push({ r, d });
  }
}
rmSync(work, { recursive: true, force: true });

table(`Leaks the tool reports, checked by a plain loop (confirmed: blocks/call > ${T.blocks}, native > ${T.bytes} B/call or refs/call > ${T.refs}):`, leakRows);
if (okRows.length > 0) table('Sanity check: other functions in the same plain loop:', okRows, 'grows');

if (values.domain) {
  console.log(`\nVerdicts on arguments the uncompiled function rejects (one plain-Python call with the same arguments raises): ${outside.length}`);
  for (const { r, d } of outside) console.log(`  ${r.verdict.padEnd(12)} ${key(r)}: Python raises ${d.raised}${d.message ? `: ${d.message}` : ''}`);
}

const confirmed = leakRows.filter(({ res }) => res.error === undefined && res.confirmed).length;
const failed = leakRows.filter(({ res }) => res.error !== undefined).length;
const not = leakRows.length - confirmed - failed;
console.log(`\n${leaks.length} leaks, ${confirmed} confirmed by the plain loop, ${not} not${failed > 0 ? `, ${failed} could not be checked` : ''}`);
if (okRows.length > 0) {
  const clean = okRows.filter(({ res }) => res.error === undefined && !res.confirmed).length;
  const broke = okRows.filter(({ res }) => res.error !== undefined).length;
  console.log(`${okRows.length} other functions looped: ${clean} show no growth, ${okRows.length - clean - broke} grow${broke > 0 ? `, ${broke} failed (${okRows.filter(({ res }) => res.error !== undefined).map(({ r }) => key(r)).join(', ')})` : ''}`);
}
if (values.out !== undefined) {
  writeFileSync(values.out, JSON.stringify({ loop, counts, leaks: leakRows.map(({ r, res }) => ({ key: key(r), tool: r, plain: res })), others: okRows.map(({ r, res }) => ({ key: key(r), verdict: r.verdict, plain: res })), outsideDomain: outside.map(({ r, d }) => ({ key: key(r), verdict: r.verdict, python: d })) }, null, 2));
}
process.exit(not + failed > 0 ? 1 : 0);
