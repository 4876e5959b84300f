#!/usr/bin/env node
// Call plans over a folder of real Pythran files: does every export line parse, and
// does every overload get a call plan (from --call, # leakcheck: call, #runas or
// generated arguments) or a message a user can act on? No Python, no build: the pure
// core only (parseExports, planModule).
//
//   npm run bench:plans -- ../shared/corpus/pythran-tests-cases-0.16.1
//   npm run bench:plans -- DIR --verbose      # every overload's source and note
//   npm run bench:plans -- DIR --eval-with PYTHON   # also run each #runas plan uncompiled
//                                                    # (setup, then the arguments, then one call; 10 s each)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { planModule } from '../dist/core/overloads.js';
import { parseExports, SpecSyntaxError } from '../dist/core/signature.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { verbose: { type: 'boolean', default: false }, 'eval-with': { type: 'string' } } });
const dir = positionals[0] ?? '../shared/corpus/pythran-tests-cases-0.16.1';

function pyFiles(d) {
  return readdirSync(d)
    .sort()
    .flatMap((name) => {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) return pyFiles(p);
      return name.endsWith('.py') ? [p] : [];
    });
}

const counts = { files: 0, exportLines: 0, overloads: 0, runas: 0, directive: 0, cli: 0, generated: 0, generatedAfterRunas: 0, refused: 0, specErrors: 0, capsuleOnly: 0, noExport: 0 };
const refused = [];
const runasPlans = [];
const fallbacks = [];
const started = performance.now();
for (const file of pyFiles(dir)) {
  const source = readFileSync(file, 'utf8');
  if (!/^\s*#\s*pythran\s+export\b/m.test(source)) continue;
  counts.files += 1;
  const label = path.relative(dir, file);
  counts.exportLines += source.split('\n').filter((l) => /^\s*#\s*pythran\s+export\b/.test(l)).length;
  let exports;
  try {
    exports = parseExports(source);
  } catch (error) {
    if (!(error instanceof SpecSyntaxError)) throw error;
    counts.specErrors += 1;
    refused.push(`${label}:${error.line}:${error.column}: bad export line: ${error.message}`);
    continue;
  }
  const { module: mod, overloads } = planModule(exports, source, { fileLabel: label, moduleName: path.basename(file, '.py') });
  if (mod.kind === 'capsules-only') counts.capsuleOnly += 1;
  if (mod.kind === 'nothing') counts.noExport += 1;
  for (const { overload: o, plan: p, error } of overloads) {
    counts.overloads += 1;
    if (p === null) {
      counts.refused += 1;
      refused.push(`${label}::${o.signature}: ${error}`);
      continue;
    }
    counts[p.source] += 1;
    if (p.source === 'runas') runasPlans.push({ file, fn: o.sig.name, signature: o.signature, plan: p.plan });
    if (p.source === 'generated' && p.note !== null) {
      counts.generatedAfterRunas += 1;
      fallbacks.push(`${label}::${o.signature}: ${p.note}`);
    }
    if (values.verbose) console.log(`${label}::${o.signature}  ${p.source}  ${p.origin}${p.note ? `  (${p.note})` : ''}`);
  }
}
const ms = performance.now() - started;
const planned = counts.runas + counts.directive + counts.cli + counts.generated;
console.log(`${dir}: ${counts.files} files, ${counts.exportLines} export lines, ${counts.overloads} overloads (function exports, one per signature)`);
console.log(`planned: ${planned}/${counts.overloads}  (#runas ${counts.runas}, # leakcheck: call ${counts.directive}, --call ${counts.cli}, generated ${counts.generated}, of which ${counts.generatedAfterRunas} after a #runas or written call that did not fit)`);
console.log(`refused with a message: ${counts.refused}; export lines that do not parse: ${counts.specErrors}; capsule-only files: ${counts.capsuleOnly}; files with no export: ${counts.noExport}`);
console.log(`time: ${ms.toFixed(0)} ms`);
if (fallbacks.length > 0) console.log(`\nfell back to generated arguments:\n  ${fallbacks.join('\n  ')}`);
if (refused.length > 0) console.log(`\nrefused:\n  ${refused.join('\n  ')}`);

// What the harness will do with a #runas plan (see the report to the lead): run the setup in a
// namespace with numpy and the module's own names, evaluate the argument list there, call.
const EVAL = String.raw`
import contextlib, importlib.util, io, json, os, signal, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
class Late(Exception): pass
def late(*_): raise Late()
signal.signal(signal.SIGALRM, late)
mods, out = {}, {}
for p in json.load(sys.stdin):
    try:
        m = mods.get(p["file"])
        if m is None:
            spec = importlib.util.spec_from_file_location("m_" + os.path.basename(p["file"])[:-3], p["file"])
            m = importlib.util.module_from_spec(spec)
            with contextlib.redirect_stdout(io.StringIO()):
                spec.loader.exec_module(m)
            mods[p["file"]] = m
        ns = {k: getattr(m, k) for k in dir(m) if not k.startswith("__")}
        ns.update(np=np, numpy=np)
        signal.alarm(10)
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(p["plan"].get("setup", ""), "<runas setup>", "exec"), ns)
            args = eval(compile("(" + p["plan"]["expr"] + ",)", "<runas call>", "eval"), ns) if p["plan"]["expr"].strip() else ()
            getattr(m, p["fn"])(*args)
        signal.alarm(0)
        r = "ran"
    except Late:
        r = "took over 10 s"
    except BaseException as e:
        signal.alarm(0)
        r = "raised %s: %s" % (type(e).__name__, str(e)[:120])
    out.setdefault("ran" if r == "ran" else "other", []).append("%s::%s: %s" % (os.path.basename(p["file"]), p["signature"], r))
print(json.dumps(out))
`;
if (values['eval-with'] !== undefined) {
  const res = JSON.parse(execFileSync(values['eval-with'], ['-c', EVAL], { input: JSON.stringify(runasPlans), maxBuffer: 1 << 26, timeout: 30 * 60_000 }).toString());
  console.log(`\n#runas plans run uncompiled with ${values['eval-with']}: ${res.ran?.length ?? 0}/${runasPlans.length} ran`);
  for (const line of res.other ?? []) console.log(`  ${line}`);
}
