import { describe, expect, it } from 'vitest';
import { buildKeyMaterial } from '../../src/io/build.js';
import type { PythonEnv } from '../../src/io/probe.js';
import { blasLabel, chooseBlas, withPythranConfig } from '../../src/core/blas.js';

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
    expect((JSON.parse(buildKeyMaterial(src, env())) as { blas: unknown }).blas).toEqual({ setting: 'pythran-openblas', source: 'managed', version: '0.3.6', args: ['--config', 'compiler.blas=pythran-openblas'] });
  });
});

describe('--pythran-config', () => {
  it('adds settings after the managed BLAS; a compiler.blas of the user wins and is named', () => {
    const managed = chooseBlas({ managed: true, rcText: null, blasPackageVersion: '0.3.6' });
    expect(withPythranConfig(managed, [])).toBe(managed);
    const cflags = withPythranConfig(managed, ['compiler.cflags=-O2']);
    expect(cflags.configArgs).toEqual(['--config', 'compiler.blas=pythran-openblas', '--config', 'compiler.cflags=-O2']);
    expect(cflags.source).toBe('managed');
    const mine = withPythranConfig(managed, ['compiler.blas=openblas']);
    expect(mine).toMatchObject({ setting: 'openblas', source: 'command-line', packageVersion: null });
    expect(mine.configArgs.at(-1)).toBe('compiler.blas=openblas');
    expect(blasLabel(mine)).toBe('openblas (--pythran-config)');
  });
  it('changes the build key only when given', () => {
    const cfg = env({ blas: withPythranConfig(chooseBlas({ managed: true, rcText: null, blasPackageVersion: '0.3.6' }), ['compiler.cflags=-O2']) });
    expect(buildKeyMaterial(Buffer.from('x'), cfg)).not.toBe(buildKeyMaterial(Buffer.from('x'), env()));
  });
});

describe('--pythran-config outside a managed environment', () => {
  it('changes the build key too (a --python interpreter, one setting)', () => {
    const own = chooseBlas({ managed: false, rcText: null, blasPackageVersion: null });
    const user = env({ managed: false, blas: own });
    const flagged = env({ managed: false, blas: withPythranConfig(own, ['compiler.cflags=-O0']) });
    expect(buildKeyMaterial(Buffer.from('x'), flagged)).not.toBe(buildKeyMaterial(Buffer.from('x'), user));
  });
});
