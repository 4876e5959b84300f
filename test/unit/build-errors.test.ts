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
