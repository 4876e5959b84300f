/**
 * Real kernels on a machine with no system BLAS: a managed environment brings
 * pythran-openblas from PyPI and builds np.dot/.dot/@ kernels with it; a C++
 * failure shows g++'s own error line and a log of the whole output.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byFunction, cli, cliJson, TEST_CACHE } from '../support/cli.js';

const PYTHRAN = ['--pythran', '0.16.1'];

describe('BLAS from PyPI', () => {
  it('a np.dot / .dot / @ kernel gets a verdict on 0.16.1 with no system BLAS', async () => {
    const { code, report } = await cliJson(['run', 'repros/real/dot_kernels.py', ...PYTHRAN, '--budget', '3']);
    for (const f of ['matmul_dot', 'matmul_at', 'matvec']) expect(['ok', 'leak']).toContain(byFunction(report, f).verdict);
    expect(code).toBeLessThanOrEqual(1);
  });

  it("a user's .pythranrc that names another BLAS wins, and a missing cblas.h says how to fix it in two lines", async () => {
    const rc = `${TEST_CACHE}/blas-test.pythranrc`;
    await import('node:fs/promises').then((fs) => fs.writeFile(rc, '[compiler]\nblas=blas\n'));
    const { code, report } = await cliJson(['run', 'repros/real/dot_kernels.py', ...PYTHRAN], { env: { PYTHRANRC: rc } });
    // Only where no system BLAS is installed (the machines this tool targets) does the build fail.
    if (existsSync('/usr/include/cblas.h') || existsSync('/usr/include/x86_64-linux-gnu/cblas.h')) return;
    expect(code).toBe(3);
    const msg = report.results[0]?.message ?? '';
    expect(msg).toContain('fatal error: cblas.h: No such file or directory');
    expect(msg).toContain(`remove 'blas=blas' from ${rc}`);
  });
});

describe("the compiler's own error", () => {
  it("a construct g++ rejects shows g++'s error line, the function and the log; --debug shows everything", async () => {
    const { code, report } = await cliJson(['run', 'test/fixtures/cxx/range_assign.py', ...PYTHRAN]);
    expect(code).toBe(3);
    const msg = report.results[0]?.message ?? '';
    expect(msg).toMatch(/the C\+\+ compiler failed on test\/fixtures\/cxx\/range_assign\.py in swap_first\(\)/);
    expect(msg).toMatch(/\.cpp:\d+:\d+: error: lvalue required/);
    expect(msg).toContain('at test/fixtures/cxx/range_assign.py:6: s[0], s[1] = s[1], s[0]');
    expect(msg).not.toContain('Cover me Jack');
    const log = /whole output: (\S+\.log)/.exec(msg)?.[1] ?? '';
    expect(log.startsWith(TEST_CACHE)).toBe(true);
    expect(readFileSync(log, 'utf8')).toContain('error:');
    const debug = await cli(['run', 'test/fixtures/cxx/range_assign.py', ...PYTHRAN, '--debug']);
    expect(debug.stdout).toContain('required from here');
  });
});

describe('real modules: every overload, #runas calls, capsules', () => {
  it('measures each overload on its own: the leak in the second signature only (0.15.0), each called by its #runas line', async () => {
    const { code, report } = await cliJson(['run', 'repros/real/overloads.py', '--pythran', '0.15.0']);
    expect(code).toBe(1);
    const rows = report.results.filter((r) => r.function === 'window') as Array<(typeof report.results)[number] & { overload: string | null; call: { origin: string } | null }>;
    expect(rows.map((r) => [r.overload, r.verdict])).toEqual([
      ['window(float list, int)', 'ok'],
      ['window(float64[:,:], int)', 'leak'],
    ]);
    expect(rows.every((r) => r.call?.origin.includes('#runas'))).toBe(true);
  });

  it('picks one overload with file.py::f#2 or by its signature', async () => {
    for (const sel of ['window#2', 'window(float64[:, :], int)']) {
      const { report } = await cliJson(['run', `repros/real/overloads.py::${sel}`, '--pythran', '0.16.1']);
      expect(report.results.map((r) => (r as { overload?: string | null }).overload)).toEqual(['window(float64[:,:], int)']);
    }
  });

  it('a folder with a capsule-only module, a function-typed parameter and #runas imports exits 0 when every function is ok', async () => {
    const { code, report } = await cliJson(['run', 'repros/real/capsules_only.py', 'repros/real/function_param.py', 'repros/real/runas_imports.py', ...PYTHRAN]);
    expect(report.results.find((r) => r.file.endsWith('capsules_only.py'))?.verdict).toBe('skipped');
    expect(report.results.filter((r) => r.verdict !== 'skipped').every((r) => r.verdict === 'ok')).toBe(true);
    expect(code).toBe(0);
  });
});

describe('--pythran-config', () => {
  it('a compiler.blas of the user wins over the managed BLAS, is named in the report, and a missing cblas.h says how to undo it', async () => {
    const { code, report } = await cliJson(['run', 'repros/real/dot_kernels.py', ...PYTHRAN, '--pythran-config', 'compiler.blas=blas']);
    expect((report.environment as { blas?: string } | null)?.blas).toBe('blas (--pythran-config)');
    if (existsSync('/usr/include/cblas.h') || existsSync('/usr/include/x86_64-linux-gnu/cblas.h')) return;
    expect(code).toBe(3);
    const msg = report.results[0]?.message ?? '';
    expect(msg).toContain('fatal error: cblas.h: No such file or directory');
    expect(msg).toContain("drop '--pythran-config compiler.blas=blas'");
  });
});
