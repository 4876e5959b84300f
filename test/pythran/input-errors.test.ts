/**
 * Bad input through the CLI with real Pythran: a clear message, the
 * documented exit code, no stack trace, and the other results still reported.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { byFunction, cli, cliJson, TEST_CACHE } from '../support/cli.js';

const PYTHRAN = ['--pythran', '0.16.1'];
const BAD = 'test/fixtures/bad';

function noStack(text: string) {
  expect(text).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m); // a JavaScript stack
  expect(text).not.toContain('Traceback (most recent call last)');
}

describe('bad input', () => {
  it('a missing file is exit 2 and the other targets still run', async () => {
    const { code, report, stderr } = await cliJson(['run', 'no/such/file.py', 'repros/seed/view_leak.py::simpler_no_leak', ...PYTHRAN]);
    expect(code).toBe(2);
    expect(report.results[0]).toMatchObject({ verdict: 'error', errorType: 'InputError', function: null });
    expect(report.results[0]?.message).toContain('no such file or folder: no/such/file.py');
    expect(byFunction(report, 'simpler_no_leak').verdict).toBe('ok');
    noStack(stderr);
  });

  it('a file with no export is exit 2 without building', async () => {
    const { code, report } = await cliJson(['run', `${BAD}/no_export.py`, ...PYTHRAN]);
    expect(code).toBe(2);
    expect(report.results[0]?.message).toContain("exports no function: add a '# pythran export name(types)' line");
  });

  it("a Python syntax error is Pythran's message with file and line, exit 2", async () => {
    const { code, report } = await cliJson(['run', `${BAD}/syntax_error.py`, ...PYTHRAN]);
    expect(code).toBe(2);
    const msg = report.results[0]?.message ?? '';
    expect(msg).toContain(`${BAD}/syntax_error.py:5`);
    expect(msg).toContain('SyntaxError');
    noStack(msg);
  });

  it('exporting a function that does not exist is exit 2 naming it', async () => {
    const { code, report } = await cliJson(['run', `${BAD}/undefined_export.py`, ...PYTHRAN]);
    expect(code).toBe(2);
    expect(report.results[0]?.message).toMatch(/undefined function `missing`/);
    expect(report.results[0]?.message).toContain(`${BAD}/undefined_export.py`);
  });

  it('a folder with no repros is exit 2 and says why', async () => {
    const { code, report } = await cliJson(['run', 'test/fixtures/no-repros', ...PYTHRAN]);
    expect(code).toBe(2);
    expect(report.results[0]?.message).toContain("no repros in test/fixtures/no-repros: no .py file there has a '# pythran export' line");
  });

  it("a construct Pythran rejects is Pythran's message with file, line and column, exit 2", async () => {
    const { code, report } = await cliJson(['run', `${BAD}/unsupported.py`, ...PYTHRAN]);
    expect(code).toBe(2);
    const msg = report.results[0]?.message ?? '';
    expect(msg).toContain(`Pythran rejected ${BAD}/unsupported.py:`);
    expect(msg).toContain(`${BAD}/unsupported.py:4:0 error: Top level statements`);
    noStack(msg);
  });

  it('a C++ compile failure is a build error, exit 3, with the compiler message', async () => {
    // Compiler flags are part of the build key, so this builds afresh, and fails in the C++ step.
    const { code, report } = await cliJson(['run', 'repros/seed/view_leak.py', ...PYTHRAN], { env: { CXXFLAGS: '-include /nonexistent/leakcheck.h' } });
    expect(code).toBe(3);
    expect(report.results[0]).toMatchObject({ verdict: 'error', errorType: 'BuildError' });
    expect(report.results[0]?.message).toContain('the C++ compiler failed on repros/seed/view_leak.py');
    expect(report.results[0]?.message).toContain('leakcheck.h');
    // g++'s own line, how to fix it, and the log with the whole output (in the cache).
    expect(report.results[0]?.message).toContain('fatal error: /nonexistent/leakcheck.h: No such file or directory');
    expect(report.results[0]?.message).toContain('fix: install the package that provides /nonexistent/leakcheck.h, or remove it from CXXFLAGS');
    const log = /whole output: (\S+\.log)/.exec(report.results[0]?.message ?? '')?.[1] ?? '';
    expect(log.startsWith(TEST_CACHE)).toBe(true);
    expect(readFileSync(log, 'utf8')).toContain('-include /nonexistent/leakcheck.h');
  });

  it('a malformed export line is exit 2 with line and column', async () => {
    const { code, report } = await cliJson(['run', `${BAD}/bad_spec.py`, ...PYTHRAN]);
    expect(code).toBe(2);
    expect(report.results[0]?.message).toContain(`${BAD}/bad_spec.py:1:`);
    expect(report.results[0]?.message).toContain("unknown type 'intt'");
  });

  it('a function that raises is reported (exit 3) and its neighbour is still judged', async () => {
    const { code, report } = await cliJson(['run', `${BAD}/raises.py`, ...PYTHRAN]);
    expect(code).toBe(3);
    const r = byFunction(report, 'raises');
    expect(r).toMatchObject({ verdict: 'error', errorType: 'FunctionRaised' });
    expect(r.message).toMatch(/^raised ValueError: \(?refusing to run/);
    expect(byFunction(report, 'fine').verdict).toBe('ok');
  });

  it('a Pythran version that does not exist is one clear paragraph, exit 2', async () => {
    const { code, stdout, stderr } = await cli(['run', 'repros/seed/view_leak.py', '--pythran', '0.99.0']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Pythran 0\.99\.0 is not a release on PyPI/);
    noStack(stderr);
  });

  it('an interpreter that does not exist is exit 3', async () => {
    const { code, stderr } = await cli(['run', 'repros/seed/view_leak.py', '--python', '/no/such/python']);
    expect(code).toBe(3);
    expect(stderr).toContain("cannot run the Python interpreter '/no/such/python'");
  });

  it('bad usage is exit 2', async () => {
    expect((await cli(['run'])).code).toBe(2);
    expect((await cli(['run', 'x.py', '--budget', 'soon'])).code).toBe(2);
    expect((await cli(['run', 'x.py', '--python', 'a', '--pythran', '0.15.0'])).code).toBe(2);
  });
});

describe('generated arguments outside what the function accepts', () => {
  it('give no verdict (compiled code would read out of bounds): exit 3, with the uncompiled exception and the fix', async () => {
    const { code, report } = await cliJson(['run', 'test/fixtures/bad/out_of_bounds.py', '--pythran', '0.16.1']);
    expect(code).toBe(3);
    const bad = byFunction(report, 'pick');
    expect(bad.verdict).toBe('error');
    expect(bad.message).toContain('uncompiled, it raises IndexError');
    expect(bad.message).toContain("# leakcheck: call pick(...)");
    expect(byFunction(report, 'pick_ok').verdict).toBe('ok');
  });
});
