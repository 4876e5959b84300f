/**
 * Every historical leak in repros/expectations.json, on real Pythran releases
 * that run on this machine: the tool's verdict must match the public record
 * (leak inside a recorded range, ok outside it), and so must the kind.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpectationsFile, leaksOn } from '../../src/core/expectations.js';
import { cliJson, REPROS, type JsonReport } from '../support/cli.js';

const expectations = ExpectationsFile.parse(JSON.parse(readFileSync(path.join(REPROS, 'expectations.json'), 'utf8')));
const VERSIONS = ['0.15.0', '0.16.0', '0.16.1'];

describe('repros/expectations.json', () => {
  it('names files and functions that exist, each once', () => {
    const ids = new Set<string>();
    for (const c of expectations.cases) {
      expect(ids.has(c.id)).toBe(false);
      ids.add(c.id);
      const source = readFileSync(path.join(REPROS, c.file), 'utf8');
      expect(source).toMatch(new RegExp(`^def ${c.function}\\(`, 'm'));
    }
    expect(expectations.cases.filter((c) => c.leaks.length > 0).length).toBeGreaterThanOrEqual(4);
  });

  describe.each(VERSIONS)('on Pythran %s', (version) => {
    let report: JsonReport;
    it('runs the folders of historical repros', async () => {
      // repros/real/ (kernels in the style of Pythran's test cases: overloads, #runas,
      // capsules) is checked by real-kernels.test.ts; its capsule-only module and
      // function-typed parameter need the call plans of core/calls.ts wired into run.
      const res = await cliJson(['run', 'repros/seed', 'repros/history', 'repros/slow', '--pythran', version]);
      report = res.report;
      expect(report.environment?.pythran.version).toBe(version);
      const anyLeak = expectations.cases.some((c) => leaksOn(c, version));
      expect(res.code).toBe(anyLeak ? 1 : 0);
    });

    it.each(expectations.cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
      const r = report.results.find((x) => x.file === path.join('repros', c.file) && x.function === c.function);
      expect(r, `${c.file}::${c.function} missing from the report`).toBeDefined();
      if (leaksOn(c, version)) {
        expect({ verdict: r?.verdict, kind: r?.kind }).toEqual({ verdict: 'leak', kind: c.kind });
      } else {
        expect(r?.verdict).toBe('ok');
      }
    });
  });
});
