import { describe, expect, it } from 'vitest';
import { buildKeyMaterial } from '../../src/io/build.js';
import type { PythonEnv } from '../../src/io/probe.js';
import { chooseBlas } from '../../src/core/blas.js';

const probe = {
  executable: '/e/bin/python', prefix: '/e', python: '3.11.7', implementation: 'cpython', extSuffix: '.so', soabi: null,
  pythran: '0.16.1', pythranCommit: null, pythranLocation: '/t/pythran', numpy: '2.3.5', psutil: '7', gast: '0.5', beniget: '0.4',
  cxx: 'g++', pythranrc: null, pythranrcPath: '/root/.pythranrc', blasPackage: '0.3.6', buildEnv: {},
} as PythonEnv['probe'];

function env(over: Partial<PythonEnv> = {}): PythonEnv {
  return {
    python: '/e/bin/python', probe, pythran: { version: '0.16.1', commit: null }, compiler: 'gcc 12', compilerFound: true, env: {}, managed: true,
    blas: chooseBlas({ managed: true, rcText: null, blasPackageVersion: '0.3.6' }), ...over,
  };
}

describe('the build key includes the BLAS a build links', () => {
  const src = Buffer.from('#pythran export f(float[:,:])\ndef f(a): return a @ a\n');
  it('the same environment gives the same key', () => {
    expect(buildKeyMaterial(src, env())).toBe(buildKeyMaterial(src, env()));
  });
  it("another BLAS setting (the user's .pythranrc) or package version gives another key", () => {
    const rc = env({ blas: chooseBlas({ managed: true, rcText: '[compiler]\nblas=openblas\n', blasPackageVersion: '0.3.6' }) });
    const older = env({ blas: chooseBlas({ managed: true, rcText: null, blasPackageVersion: '0.3.5' }) });
    expect(buildKeyMaterial(src, rc)).not.toBe(buildKeyMaterial(src, env()));
    expect(buildKeyMaterial(src, older)).not.toBe(buildKeyMaterial(src, env()));
    expect((JSON.parse(buildKeyMaterial(src, env())) as { blas: unknown }).blas).toEqual({ setting: 'pythran-openblas', source: 'managed', version: '0.3.6' });
  });
});
