#!/usr/bin/env node
// Call plans over a folder of real Pythran files: does every export line parse, and
// does every overload get a call plan (from --call, # leakcheck: call, #runas or
// generated arguments) or a message a user can act on? No Python, no build: the pure
// core only (parseExports, classifyExports, parseRunas, planOverload).
//
//   npm run bench:plans -- ../shared/corpus/pythran-tests-cases-0.16.1
//   npm run bench:plans -- DIR --verbose      # every overload's source and note
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { classifyExports, overloadsOf, parseCallDirectives, planOverload, UnsupportedArgument } from '../dist/core/calls.js';
import { parseRunas } from '../dist/core/runas.js';
import { parseExports, SpecSyntaxError } from '../dist/core/signature.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { verbose: { type: 'boolean', default: false } } });
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
  const mod = classifyExports(exports, label);
  if (mod.kind === 'capsules-only') counts.capsuleOnly += 1;
  if (mod.kind === 'nothing') counts.noExport += 1;
  const names = [...new Set(mod.functions.map((f) => f.name))];
  const sources = { written: parseCallDirectives(source, label).calls, runas: parseRunas(source, names, path.basename(file, '.py')), capsules: mod.capsules, fileLabel: label };
  for (const o of overloadsOf(mod.functions)) {
    counts.overloads += 1;
    try {
      const p = planOverload(o.sig, sources, o.index);
      counts[p.source] += 1;
      if (p.source === 'generated' && p.note !== null) {
        counts.generatedAfterRunas += 1;
        fallbacks.push(`${label}::${o.signature}: ${p.note}`);
      }
      if (values.verbose) console.log(`${label}::${o.signature}  ${p.source}  ${p.origin}${p.note ? `  (${p.note})` : ''}`);
    } catch (error) {
      if (!(error instanceof UnsupportedArgument)) throw error;
      counts.refused += 1;
      refused.push(`${label}::${o.signature}: ${error.message}`);
    }
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
