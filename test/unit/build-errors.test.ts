import { describe, expect, it } from 'vitest';
import { classifyBuildFailure } from '../../src/io/build.js';

const env = { compiler: 'gcc 12', compilerFound: true, probe: { cxx: 'gcc' } } as Parameters<typeof classifyBuildFailure>[4];
const work = '/cache/tmp/build-1-abcd';
const copy = `${work}/unsupported.py`;

describe('classifyBuildFailure', () => {
  it("names the user's file, not the build copy, whether Pythran prints a full path or a base name", () => {
    const full = classifyBuildFailure(
      `CRITICAL: I am in trouble. Your input file does not seem to match Pythran's constraints...\n${copy}:4:0 error: Top level statements can only be assignments\n`,
      'repros/unsupported.py',
      copy,
      work,
      env,
    );
    expect(full.name).toBe('InputError');
    expect(full.message).toContain('repros/unsupported.py:4:0 error: Top level statements');
    expect(full.message).not.toContain(work);
    const base = classifyBuildFailure(
      "CRITICAL: I am in trouble. Your input file does not seem to match Pythran's constraints...\nunsupported.py: error: Invalid spec: exporting undefined function `g`\n",
      'repros/unsupported.py',
      copy,
      work,
      env,
    );
    expect(base.message).toContain('repros/unsupported.py: error: Invalid spec');
  });

  it('turns a Python traceback from Pythran into one line with file and line', () => {
    const err = classifyBuildFailure(
      'Traceback (most recent call last):\n  File "/x/site-packages/pythran/run.py", line 1, in run\n  File "<unknown>", line 5\n    return x +\n              ^\nSyntaxError: invalid syntax\n',
      'r.py',
      copy,
      work,
      env,
    );
    expect(err.message).toBe('Pythran rejected r.py:5: SyntaxError: invalid syntax\n    return x +');
  });

  it('says a missing compiler is a missing compiler (BuildError)', () => {
    const err = classifyBuildFailure('CRITICAL: Cover me Jack. Jack? Jaaaaack!!!!', 'r.py', copy, work, { ...env, compilerFound: false });
    expect(err.name).toBe('BuildError');
    expect(err.message).toContain('no C++ compiler');
  });
});

describe('classifyBuildFailure, C++ step', () => {
  it("shows the failed compiler command's tail (where CXXFLAGS go), not Pythran's chatter", () => {
    const out = [
      'WARNING: Compilation error, trying hard to find its origin...',
      "WARNING: Nope, I'm going to flood you with C++ errors!",
      'CRITICAL: Cover me Jack. Jack? Jaaaaack!!!!',
      `E: error: Command "gcc -O3 -fPIC ${'-I/x '.repeat(60)}-c ${work}/t.cpp -include /nonexistent/leakcheck.h" failed with exit status 1`,
    ].join('\n');
    const err = classifyBuildFailure(out, 'r.py', copy, work, env);
    expect(err.name).toBe('BuildError');
    expect(err.message).toContain('the compiler exited with status 1: gcc -O3');
    expect(err.message).toContain('-include /nonexistent/leakcheck.h');
    expect(err.message).not.toContain('trying hard');
  });
});

describe('classifyBuildFailure: the compiler\'s own diagnostics (Pythran run with -v)', () => {
  const rc4 = [
    'INFO: gcc: /cache/tmp/build-1-abcd/tmp1_f71lf0.cpp',
    "/cache/tmp/build-1-abcd/tmp1_f71lf0.cpp: In instantiation of 'typename {anonymous}::__pythran_rc4::rc4_crypt::type<argument_type0, argument_type1>::result_type {anonymous}::__pythran_rc4::rc4_crypt::operator()(argument_type0, argument_type1) const'",
    '/cache/tmp/build-1-abcd/tmp1_f71lf0.cpp:256:70:   required from here',
    "/cache/tmp/build-1-abcd/tmp1_f71lf0.cpp:228:122: error: 'struct {anonymous}::pythonic::builtins::range' has no member named 'fast'",
    '  228 |           j = pythonic::operator_::mod(S.fast(i), 256L);',
    '      |                                          ^~~~',
    "/cache/tmp/build-1-abcd/tmp1_f71lf0.cpp:229:116: error: 'struct {anonymous}::pythonic::builtins::range' has no member named 'fast'",
    "/cache/tmp/build-1-abcd/tmp1_f71lf0.cpp:230:13: error: '__type74' {aka 'struct {anonymous}::pythonic::builtins::range'} has no member named 'fast'",
    '  230 |           S.fast(i) = std::get<0>(__tuple0);',
    'WARNING: Compilation error, trying hard to find its origin...',
    'CRITICAL: Cover me Jack. Jack? Jaaaaack!!!!',
    `E: error: Command "gcc -O3 -c ${work}/tmp1_f71lf0.cpp" failed with exit status 1`,
  ].join('\n');

  it('shows the first g++ error lines with their code, the function and the construct, and the log', () => {
    const err = classifyBuildFailure(rc4, 'rc4.py', copy, work, env, { logPath: '/cache/logs/build-rc4-0123.log' });
    expect(err.name).toBe('BuildError');
    expect(err.message).toContain('the C++ compiler failed on rc4.py in rc4_crypt() at builtins.range (gcc 12)');
    expect(err.message).toContain("<build>/tmp1_f71lf0.cpp:228:122: error: 'struct pythonic::builtins::range' has no member named 'fast'");
    expect(err.message).toContain('j = pythonic::operator_::mod(S.fast(i), 256L);');
    expect(err.message).toContain("<build>/tmp1_f71lf0.cpp:230:13: error: '__type74'");
    expect(err.message).toContain('whole output: /cache/logs/build-rc4-0123.log');
    const at = classifyBuildFailure(rc4, 'rc4.py', copy, work, env, { statement: { line: 16, text: 'j = (j + S[i]) % 256' } });
    expect(at.message.split('\n')[1]).toBe('at rc4.py:16: j = (j + S[i]) % 256');
    expect(err.message).not.toContain('Cover me Jack');
    expect(err.message).not.toContain('the compiler exited with status');
  });

  it('--debug shows the whole output', () => {
    const err = classifyBuildFailure(rc4, 'rc4.py', copy, work, env, { debug: true });
    expect(err.message).toContain('required from here');
    expect(err.message).toContain('Cover me Jack');
  });

  it('a missing cblas.h: the compiler line and how to fix it, in two lines', () => {
    const out = [
      '/root/.cache/pythran-leakcheck/pythran/release-0.16.1/pythran/pythonic/numpy/dot.hpp:18:10: fatal error: cblas.h: No such file or directory',
      '   18 | #include <cblas.h>',
      'CRITICAL: Cover me Jack. Jack? Jaaaaack!!!!',
      'E: error: Command "gcc -c x.cpp" failed with exit status 1',
    ].join('\n');
    const err = classifyBuildFailure(out, 'k.py', copy, work, env, { logPath: '/c/logs/b.log' });
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('the C++ compiler failed on k.py: pythonic/numpy/dot.hpp:18:10: fatal error: cblas.h: No such file or directory');
    expect(lines[1]).toMatch(/^fix: install a BLAS .*apt-get install libopenblas-dev.*--pythran VERSION.*pythran-openblas/);
    expect(lines[2]).toBe('whole output: /c/logs/b.log');
  });

  it("with the user's .pythranrc choosing the BLAS, the fix names that file", () => {
    const out = 'pythonic/numpy/dot.hpp:18:10: fatal error: cblas.h: No such file or directory\nCover me Jack';
    const err = classifyBuildFailure(out, 'k.py', copy, work, {
      ...env,
      probe: { ...env.probe, pythranrcPath: '/home/u/.pythranrc' },
      blas: { setting: 'blas', source: 'pythranrc', configArgs: [], packageVersion: null },
    });
    expect(err.message).toContain("remove 'blas=blas' from /home/u/.pythranrc");
  });

  it('a header added through CXXFLAGS: the g++ line, and what to change', () => {
    const out = '<command-line>: fatal error: nonexistent_header.h: No such file or directory\ncompilation terminated.\nCover me Jack';
    const err = classifyBuildFailure(out, 'k.py', copy, work, env);
    expect(err.message).toContain('<command-line>: fatal error: nonexistent_header.h: No such file or directory');
    expect(err.message).toContain('fix: install the package that provides nonexistent_header.h, or remove it from CXXFLAGS');
  });
});
